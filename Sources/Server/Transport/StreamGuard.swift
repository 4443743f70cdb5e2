internal import Foundation
internal import GRPCCore
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

/// The first handler of every HTTP/2 stream on grpc-swift's transport (`transport.lean_path:
/// false`), ahead of grpc-swift's stream handler. The lean path does the same in ``LeanStream``.
///
/// - It stamps the connection's ``ConnectionIdentity`` into the request headers (and removes any
///   header of that name the client sent), so every call is tied to its own connection.
/// - It reads each request message's 5-byte prefix as it arrives (``RequestPrefixScanner``) and
///   answers with a gRPC status, before anything is decoded, when the message is larger than the
///   method takes (`RESOURCE_EXHAUSTED`) or the compressed flag is invalid or names no encoding
///   (`INTERNAL`).
final class StreamGuard: ChannelDuplexHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias InboundOut = HTTP2Frame.FramePayload
  typealias OutboundIn = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  private let identity: ConnectionIdentity?
  private let limit: (Substring) -> Int

  /// Set by the request's first headers.
  private var scanner: RequestPrefixScanner?
  private var responseStarted = false
  private var refused = false

  /// Creates the guard of one stream.
  ///
  /// - Parameters:
  ///   - identity: The connection's identity to stamp into the headers (a client-sent header of
  ///     that name is removed either way).
  ///   - limit: The largest request message of a method, by its path.
  init(identity: ConnectionIdentity?, limit: @escaping (Substring) -> Int) {
    self.identity = identity
    self.limit = limit
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !self.refused else { return }
    switch self.unwrapInboundIn(data) {
    case .headers(var headers):
      headers.headers.remove(name: ConnectionIdentity.header)
      if self.scanner == nil {
        let path = headers.headers.first(name: ":path") ?? ""
        let encoding = headers.headers.first(name: "grpc-encoding") ?? "identity"
        self.scanner = RequestPrefixScanner(path: path, maxMessageBytes: self.limit(Substring(path)), encoded: encoding != "identity")
        if let identity = self.identity {
          headers.headers.add(name: ConnectionIdentity.header, value: identity.headerValue)
        }
      }
      context.fireChannelRead(self.wrapInboundOut(.headers(headers)))
    case .data(let frame):
      if case .byteBuffer(let buffer) = frame.data, let refusal = self.scanner?.scan(buffer) {
        self.refuse(context: context, refusal)
        return
      }
      context.fireChannelRead(data)
    default:
      context.fireChannelRead(data)
    }
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    if case .headers = self.unwrapOutboundIn(data) { self.responseStarted = true }
    context.write(data, promise: promise)
  }

  /// Answers with trailers only (when nothing was sent yet) and closes the stream, which
  /// cancels the RPC behind it.
  private func refuse(context: ChannelHandlerContext, _ refusal: (code: RPCError.Code, message: String)) {
    self.refused = true
    if !self.responseStarted {
      let trailers = Self.trailers(code: refusal.code, message: refusal.message, trailersOnly: true)
      context.write(self.wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
      context.flush()
    }
    context.close(promise: nil)
  }

  /// The trailers of a call's status: after the response's headers, or on their own
  /// ("trailers only", with `:status` and the content type) when nothing was sent before.
  static func trailers(code: RPCError.Code, message: String, metadata: Metadata = [:], trailersOnly: Bool) -> HPACKHeaders {
    var trailers: HPACKHeaders = trailersOnly ? [":status": "200", "content-type": "application/grpc"] : [:]
    trailers.add(name: "grpc-status", value: "\(code.rawValue)")
    if !message.isEmpty { trailers.add(name: "grpc-message", value: Self.percentEncoded(message)) }
    for (key, value) in metadata {
      switch value {
      case .string(let string): trailers.add(name: key, value: string)
      case .binary(let bytes): trailers.add(name: key, value: Data(bytes).base64EncodedString())
      }
    }
    return trailers
  }

  /// `grpc-message` encoding: bytes outside printable ASCII, and `%`, as `%XX`.
  static func percentEncoded(_ message: String) -> String {
    var encoded = ""
    for byte in message.utf8 {
      if byte >= 0x20 && byte <= 0x7E && byte != 0x25 {
        encoded.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        let hex = Array("0123456789ABCDEF".utf8)
        encoded.unicodeScalars.append("%")
        encoded.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
        encoded.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
      }
    }
    return encoded
  }
}
