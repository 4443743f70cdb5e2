internal import Logging
internal import NIOCore
internal import NIOSSL
internal import NIOTLS

/// Sits behind the TLS handler of each accepted connection: bounds the handshake in time,
/// establishes the connection's ``ConnectionIdentity`` once the handshake completes, and logs
/// every refusal with the peer's address and the reason.
///
/// BoringSSL has already verified the chain and validity when the handshake completes (so that
/// foreign and expired certificates get their own TLS alerts); the office and revocation are
/// checked here. A refused connection is closed and none of its bytes reach HTTP/2.
final class ConnectionAuthenticator: ChannelInboundHandler {
  typealias InboundIn = NIOAny
  typealias InboundOut = NIOAny

  /// The identity the handshake established, once it has.
  private(set) var identity: ConnectionIdentity?

  private let verifier: ClientCertificateVerifier
  private let gate: ConnectionGate
  private let address: String
  private let peer: String
  private let handshakeTimeout: TimeAmount
  private let logger: Logger
  private var handshaking = true
  private var refused = false
  private var timeout: Scheduled<Void>?
  /// The office this connection counts against.
  private var counted: String?

  init(
    verifier: ClientCertificateVerifier, gate: ConnectionGate, address: String, peer: String,
    handshakeTimeout: TimeAmount, logger: Logger
  ) {
    self.verifier = verifier
    self.gate = gate
    self.address = address
    self.peer = peer
    self.handshakeTimeout = handshakeTimeout
    self.logger = logger
  }

  func handlerAdded(context: ChannelHandlerContext) {
    let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
    self.timeout = context.eventLoop.scheduleTask(in: self.handshakeTimeout) {
      let (handler, context) = loopBound.value
      guard handler.handshaking else { return }
      handler.refuse(context: context, reason: "TLS handshake not completed within \(handler.handshakeTimeout.nanoseconds / 1_000_000) ms")
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.timeout?.cancel()
    if let office = self.counted { self.gate.officeDisconnected(office) }
    self.gate.closed(address: self.address, handshaking: self.handshaking)
    self.handshaking = false
    context.fireChannelInactive()
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if case TLSUserEvent.handshakeCompleted = event, self.handshaking {
      self.endHandshake()
      let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
      switch self.verifier.verify(peer: certificate) {
      case .success(let identity):
        guard self.gate.officeConnected(identity.officeID) else {
          self.refused = true
          context.close(promise: nil)
          return
        }
        self.counted = identity.officeID
        self.identity = identity
      case .failure(let refusal):
        self.refuse(context: context, reason: refusal.description)
        return
      }
    }
    context.fireUserInboundEventTriggered(event)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    // Nothing of a connection without an identity reaches HTTP/2.
    guard self.identity != nil, !self.refused else { return }
    context.fireChannelRead(data)
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if self.handshaking {
      self.endHandshake()
      self.log(refusal: self.explain(error, context: context))
    }
    context.fireErrorCaught(error)
  }

  private func endHandshake() {
    self.handshaking = false
    self.timeout?.cancel()
    self.gate.handshakeEnded(address: self.address)
  }

  private func refuse(context: ChannelHandlerContext, reason: String) {
    guard !self.refused else { return }
    self.refused = true
    self.log(refusal: reason)
    context.close(promise: nil)
  }

  private func log(refusal reason: String) {
    ServerMetrics.refused(reason: Self.kind(of: reason))
    self.logger.warning("refused TLS handshake", metadata: ["peer": "\(self.peer)", "reason": "\(reason)"])
  }

  /// A refusal's kind, for the metric's label (its text names certificates and peers).
  static func kind(of reason: String) -> String {
    if reason.contains("revoked") { return "revoked" }
    if reason.contains("expired") || reason.contains("not yet valid") { return "expired" }
    if reason.contains("no client certificate") { return "no_certificate" }
    if reason.contains("timed out") || reason.contains("timeout") { return "handshake_timeout" }
    if reason.contains("issuer") || reason.contains("CA") || reason.contains("signature") { return "untrusted" }
    return "handshake_failed"
  }

  /// Why a handshake failed: BoringSSL's error names only the kind of failure, so a presented
  /// certificate is run through the verifier for the precise reason.
  private func explain(_ error: any Error, context: ChannelHandlerContext) -> String {
    let text = "\(error)"
    if let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate,
      case .failure(let refusal) = self.verifier.verify(peer: certificate)
    {
      return "\(refusal.description) (\(text))"
    }
    if text.contains("CERTIFICATE_REQUIRED") || text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") {
      return "no client certificate presented (\(text))"
    }
    return text
  }
}
