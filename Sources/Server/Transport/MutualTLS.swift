internal import GRPCNIOTransportHTTP2
internal import NIOTLS
public import Logging
internal import NIOCore
internal import NIOSSL
internal import Synchronization

/// Mutual TLS for the server's connections, with every refused handshake logged with the peer's
/// address and the reason.
///
/// The TLS handler is installed per connection (by ``MutualTLSListener``, ahead of the gRPC
/// pipeline) rather than by the transport itself, because only a per-connection verification
/// callback knows which peer it is judging. The verified office is registered in
/// ``ConnectionIdentities`` for the connection's calls.
public struct MutualTLS: Sendable {
  private let context: NIOSSLContext
  private let verifier: ClientCertificateVerifier
  private let identities: ConnectionIdentities
  private let logger: Logger

  /// Creates the server side of mutual TLS.
  ///
  /// - Parameters:
  ///   - certificateChainPEM: The server's certificate (and intermediates), PEM.
  ///   - privateKeyPEM: The server's private key, PEM.
  ///   - trustedCAPEM: The CA whose client certificates are accepted (never the system store).
  ///   - verifier: Decides on each client certificate.
  ///   - identities: Where each accepted connection's office is registered for its calls.
  ///   - logger: Where refusals are logged.
  /// - Throws: When the PEM cannot be parsed or the TLS context cannot be created.
  public init(
    certificateChainPEM: String, privateKeyPEM: String, trustedCAPEM: String,
    verifier: ClientCertificateVerifier, identities: ConnectionIdentities, logger: Logger
  ) throws {
    let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8))
    let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
    let roots = try NIOSSLCertificate.fromPEMBytes(Array(trustedCAPEM.utf8))
    var configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
    )
    configuration.minimumTLSVersion = .tlsv12
    configuration.certificateVerification = .noHostnameVerification
    // Used for the CA names sent in the CertificateRequest; verification itself is ours.
    configuration.trustRoots = .certificates(roots)
    configuration.applicationProtocols = ["grpc-exp", "h2"]
    self.context = try NIOSSLContext(configuration: configuration)
    self.verifier = verifier
    self.identities = identities
    self.logger = logger
  }

  /// Adds the TLS handler and the handshake auditor at the front of an accepted connection, and
  /// registers the connection's office once its certificate is verified.
  func install(on channel: any Channel) -> EventLoopFuture<Void> {
    channel.eventLoop.makeCompletedFuture {
      let peer = channel.remoteAddress.map { "\($0)" } ?? "unknown"
      let key = ConnectionIdentities.key(for: channel.remoteAddress)
      let audit = HandshakeAudit(peer: peer, logger: self.logger)
      let verifier = self.verifier
      let identities = self.identities
      let tls = NIOSSLServerHandler(context: self.context) { certificates, promise in
        switch verifier.verify(chain: certificates) {
        case .success(let identity):
          if let key {
            let token = identities.register(peer: key, identity: identity)
            channel.closeFuture.whenComplete { _ in identities.remove(peer: key, token: token) }
          }
          // Calls take the identity from `identities`; NIOSSL needs no chain.
          promise.succeed(.certificateVerified(VerificationMetadata(nil)))
        case .failure(let refusal):
          audit.refuse(reason: refusal.description)
          promise.succeed(.failed)
        }
      }
      let sync = channel.pipeline.syncOperations
      try sync.addHandler(tls, position: .first)
      try sync.addHandler(HandshakeAuditHandler(audit: audit), position: .after(tls))
    }
  }
}

/// What one connection's handshake came to; logs a refusal once.
final class HandshakeAudit: Sendable {
  private let peer: String
  private let logger: Logger
  private let logged = Mutex(false)

  init(peer: String, logger: Logger) {
    self.peer = peer
    self.logger = logger
  }

  func refuse(reason: String) {
    let first = self.logged.withLock { logged in
      defer { logged = true }
      return !logged
    }
    guard first else { return }
    self.logger.warning(
      "refused TLS handshake", metadata: ["peer": "\(self.peer)", "reason": "\(reason)"]
    )
  }
}

/// Sees handshake errors that happen before (or without) certificate verification, such as a
/// client that presents no certificate or speaks plain HTTP/2.
final class HandshakeAuditHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
  typealias InboundIn = NIOAny

  private let audit: HandshakeAudit

  init(audit: HandshakeAudit) {
    self.audit = audit
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if case TLSUserEvent.handshakeCompleted = event {
      context.pipeline.syncOperations.removeHandler(self, promise: nil)
    }
    context.fireUserInboundEventTriggered(event)
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    let text = "\(error)"
    let reason: String
    if text.contains("CERTIFICATE_REQUIRED") || text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") {
      reason = "no client certificate presented (\(text))"
    } else {
      reason = text
    }
    self.audit.refuse(reason: reason)
    context.fireErrorCaught(error)
  }
}
