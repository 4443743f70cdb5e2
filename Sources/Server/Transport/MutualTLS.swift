public import Logging
internal import NIOCore
internal import NIOSSL
internal import Synchronization

/// Mutual TLS for the server's connections: TLS 1.3, or TLS 1.2 with AEAD suites only; client
/// certificates verified by BoringSSL against this deployment's CA (so refusals carry the
/// matching alert) and then by ``ClientCertificateVerifier`` (office, revocation); connections
/// admitted by a ``ConnectionGate`` and their handshakes bounded in time.
///
/// ``LeanServer`` installs the TLS handler per connection, so that each connection gets its own
/// ``ConnectionAuthenticator``.
public struct MutualTLS: Sendable {
  /// TLS 1.2 suites offered: ECDHE with AES-GCM or ChaCha20-Poly1305 only (no CBC, no SHA-1
  /// MACs, no static RSA). TLS 1.3's suites are all AEAD.
  static let cipherSuites = [
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305",
  ].joined(separator: ":")

  /// The TLS context new handshakes use; replaced when the server's certificate is rotated.
  private final class Current: Sendable {
    let context: Mutex<NIOSSLContext>
    init(_ context: NIOSSLContext) { self.context = Mutex(context) }
  }

  private let current: Current
  private let trustedCAPEM: String
  private let verifier: ClientCertificateVerifier
  private let gate: ConnectionGate
  private let handshakeTimeout: Duration
  private let logger: Logger

  /// Creates the server side of mutual TLS.
  ///
  /// - Parameters:
  ///   - certificateChainPEM: The server's certificate (and intermediates), PEM.
  ///   - privateKeyPEM: The server's private key, PEM.
  ///   - trustedCAPEM: The CA whose client certificates are accepted (never the system store).
  ///   - verifier: Decides on each client certificate after the handshake.
  ///   - gate: Admits connections.
  ///   - handshakeTimeout: How long a connection may take to complete its handshake.
  ///   - logger: Where refusals are logged.
  /// - Throws: When the PEM cannot be parsed or the TLS context cannot be created.
  public init(
    certificateChainPEM: String, privateKeyPEM: String, trustedCAPEM: String,
    verifier: ClientCertificateVerifier, gate: ConnectionGate, handshakeTimeout: Duration, logger: Logger
  ) throws {
    self.current = Current(try Self.context(certificateChainPEM: certificateChainPEM, privateKeyPEM: privateKeyPEM, trustedCAPEM: trustedCAPEM))
    self.trustedCAPEM = trustedCAPEM
    self.verifier = verifier
    self.gate = gate
    self.handshakeTimeout = handshakeTimeout
    self.logger = logger
  }

  /// Admits an accepted connection and adds the TLS handler and its authenticator at its front.
  ///
  /// - Returns: A failed future, after closing the channel, when the gate refuses it.
  static func context(certificateChainPEM: String, privateKeyPEM: String, trustedCAPEM: String) throws -> NIOSSLContext {
    let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8))
    let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
    let roots = try NIOSSLCertificate.fromPEMBytes(Array(trustedCAPEM.utf8))
    var configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
    )
    configuration.minimumTLSVersion = .tlsv12
    configuration.cipherSuites = Self.cipherSuites
    configuration.certificateVerification = .noHostnameVerification
    configuration.trustRoots = .certificates(roots)
    configuration.applicationProtocols = ["grpc-exp", "h2"]
    return try NIOSSLContext(configuration: configuration)
  }

  /// Uses a new certificate and key for the handshakes from now on; open connections keep theirs.
  ///
  /// - Throws: When the pair does not make a TLS context (the old one stays in use).
  public func rotate(certificateChainPEM: String, privateKeyPEM: String) throws {
    let context = try Self.context(certificateChainPEM: certificateChainPEM, privateKeyPEM: privateKeyPEM, trustedCAPEM: self.trustedCAPEM)
    self.current.context.withLock { $0 = context }
  }

  func install(on channel: any Channel) -> EventLoopFuture<Void> {
    let address = channel.remoteAddress?.ipAddress ?? "unknown"
    if let cap = self.gate.admit(address: address) {
      channel.close(promise: nil)
      return channel.eventLoop.makeFailedFuture(ConnectionRefused(cap: cap))
    }
    return channel.eventLoop.makeCompletedFuture {
      let tls = NIOSSLServerHandler(context: self.current.context.withLock { $0 })
      let authenticator = ConnectionAuthenticator(
        verifier: self.verifier, gate: self.gate, address: address,
        peer: channel.remoteAddress.map { "\($0)" } ?? "unknown",
        handshakeTimeout: TimeAmount(self.handshakeTimeout), logger: self.logger
      )
      do {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(tls, position: .first)
        // From here on the authenticator gives the connection back to the gate when it closes.
        try sync.addHandler(authenticator, position: .after(tls))
        let detacher = ReadDetacher()
        try sync.addHandler(detacher, position: .after(authenticator))
        let coalescer = WriteCoalescer()
        try sync.addHandler(coalescer, position: .after(detacher))
        try sync.addHandler(FlushConsolidator(), position: .after(coalescer))
      } catch {
        self.gate.closed(address: address, handshaking: true)
        throw error
      }
    }
  }

  /// A connection closed at once because a cap was reached.
  struct ConnectionRefused: Error {
    var cap: ConnectionGate.Cap
  }
}
