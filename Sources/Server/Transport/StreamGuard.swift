internal import Foundation
internal import GRPCCore
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

/// The first handler of every HTTP/2 stream, ahead of grpc-swift's stream handler.
///
/// - It stamps the connection's ``ConnectionIdentity`` into the request headers (and removes any
///   header of that name the client sent), so every call is tied to its own connection.
/// - It reads each request message's 5-byte prefix as it arrives and answers with a gRPC status,
///   before anything is decoded, when the message is larger than the method takes
///   (`RESOURCE_EXHAUSTED`) or the compressed flag is invalid or names no encoding (`INTERNAL`).
///   grpc-swift would reset the stream for an oversize prefix, and decode a 3 MB string of a
///   typed call for seconds of CPU before the service could refuse it.
final class StreamGuard: ChannelDuplexHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias InboundOut = HTTP2Frame.FramePayload
  typealias OutboundIn = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  private let identity: ConnectionIdentity?
  private let limit: (Substring) -> Int
  /// The lean path's connection management, told of the responses written (they reset its
  /// ping policing, as gRPC's servers do); nil on grpc-swift's transport, which sees them itself.
  private let connection: ConnectionManagementHandler.SyncView?

  private var path = ""
  private var maxMessageBytes = 0
  private var encoded = false
  /// The message prefix read so far, and the body bytes still to skip.
  private var prefix: [UInt8] = []
  private var bodyRemaining = 0
  private var responseStarted = false
  private var refused = false

  /// Creates the guard of one stream.
  ///
  /// - Parameters:
  ///   - identity: The connection's identity to stamp into the headers; nil on the lean path,
  ///     which hands it to the call as it is (a client-sent header of that name is removed either way).
  ///   - limit: The largest request message of a method, by its path.
  ///   - connection: The connection's management on the lean path.
  init(identity: ConnectionIdentity?, limit: @escaping (Substring) -> Int, connection: ConnectionManagementHandler.SyncView? = nil) {
    self.identity = identity
    self.limit = limit
    self.connection = connection
    self.prefix.reserveCapacity(5)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !self.refused else { return }
    switch self.unwrapInboundIn(data) {
    case .headers(var headers):
      headers.headers.remove(name: ConnectionIdentity.header)
      if self.path.isEmpty {
        self.path = headers.headers.first(name: ":path") ?? ""
        self.maxMessageBytes = self.limit(Substring(self.path))
        let encoding = headers.headers.first(name: "grpc-encoding") ?? "identity"
        self.encoded = encoding != "identity"
        if let identity = self.identity {
          headers.headers.add(name: ConnectionIdentity.header, value: identity.headerValue)
        }
      }
      context.fireChannelRead(self.wrapInboundOut(.headers(headers)))
    case .data(let frame):
      if case .byteBuffer(let buffer) = frame.data, let refusal = self.scan(buffer) {
        self.refuse(context: context, refusal)
        return
      }
      context.fireChannelRead(data)
    default:
      context.fireChannelRead(data)
    }
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    switch self.unwrapOutboundIn(data) {
    case .headers:
      self.responseStarted = true
      self.connection?.wroteHeadersOrData()
    case .data:
      self.connection?.wroteHeadersOrData()
    default:
      break
    }
    context.write(data, promise: promise)
  }

  func flush(context: ChannelHandlerContext) {
    self.connection?.connectionWillFlush()
    context.flush()
  }

  /// Follows the length-prefixed messages through one DATA frame; the first violation found.
  private func scan(_ buffer: ByteBuffer) -> (code: RPCError.Code, message: String)? {
    var view = buffer.readableBytesView[...]
    while !view.isEmpty {
      if self.bodyRemaining > 0 {
        let skip = min(self.bodyRemaining, view.count)
        view = view.dropFirst(skip)
        self.bodyRemaining -= skip
        continue
      }
      let take = min(5 - self.prefix.count, view.count)
      self.prefix.append(contentsOf: view.prefix(take))
      view = view.dropFirst(take)
      guard self.prefix.count == 5 else { break }
      let flag = self.prefix[0]
      let length = self.prefix[1...4].reduce(0) { $0 << 8 | Int($1) }
      self.prefix.removeAll(keepingCapacity: true)
      if flag > 1 {
        return (.internalError, "invalid compressed flag \(flag) in a request message of \(self.path) (0 or 1)")
      }
      if flag == 1 && !self.encoded {
        return (.internalError, "a compressed request message of \(self.path) without a grpc-encoding header")
      }
      if length > self.maxMessageBytes {
        return (
          .resourceExhausted,
          "request message of \(length) bytes exceeds the limit of \(self.maxMessageBytes) bytes for \(self.path)"
        )
      }
      self.bodyRemaining = length
    }
    return nil
  }

  /// Answers with trailers only (when nothing was sent yet) and closes the stream, which
  /// cancels the RPC behind it.
  private func refuse(context: ChannelHandlerContext, _ refusal: (code: RPCError.Code, message: String)) {
    self.refused = true
    if !self.responseStarted {
      let trailers = Self.trailers(code: refusal.code, message: refusal.message, trailersOnly: true)
      context.write(self.wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
      self.flush(context: context)
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
