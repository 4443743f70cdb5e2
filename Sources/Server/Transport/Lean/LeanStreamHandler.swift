internal import Foundation
internal import GRPCCore
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

/// Serves the call on one HTTP/2 stream of the lean path (``LeanServer``).
///
/// It sits behind ``StreamGuard`` (which removes any identity header a client sent and checks
/// each message's prefix against the method's limit); the connection's identity is handed to it
/// as it is. A unary or server-streaming call's request is collected until the client ends its
/// side, then the method runs in a task; a bidirectional call (reflection) starts with the
/// headers and is handed each message as it completes. The response (headers, one message or a streaming
/// method's messages as they come, trailers; or trailers only on failure) is written straight
/// to the stream. Everything HTTP/2 asks of a stream stays with SwiftNIO's stream channel
/// below: flow control (WINDOW_UPDATE as frames are read), RST_STREAM, GOAWAY and the
/// connection's limits.
///
/// A request it cannot serve is answered as grpc-swift's transport and GRPCCore's router would
/// answer it: 415 without a gRPC content type, INVALID_ARGUMENT for a missing path or scheme or
/// a method other than `POST`, UNIMPLEMENTED for a compression or a method the server does not
/// have.
final class LeanStreamHandler: ChannelDuplexHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias InboundOut = HTTP2Frame.FramePayload
  typealias OutboundIn = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  /// The connection's two ends, as grpc-swift names them in `ServerContext`: made once per
  /// connection.
  struct Peers: Sendable {
    var remote: String
    var local: String
  }

  private enum State {
    /// No headers yet.
    case idle
    /// A call whose request is still arriving.
    case collecting(Call)
    /// The method is running; `requests` is open while a streaming client's side is.
    case running(Call, Task<Void, Never>, requests: AsyncThrowingStream<[UInt8], any Error>.Continuation?)
    /// The response was written or the stream closed.
    case done
  }

  /// A call on this stream.
  private struct Call {
    var method: LeanMethod
    var metadata: Metadata
    var deadline: NIODeadline?
  }

  private let methods: LeanMethods
  private let peers: Peers
  private let identity: ConnectionIdentity?
  private var state = State.idle
  /// The request's bytes not yet handed to the method.
  private var request = ByteBuffer()
  private var timeout: Scheduled<Void>?
  /// Whether the response headers were written.
  private var responseStarted = false
  /// Sends waiting for the stream to become writable.
  private var writabilityWaiters: [EventLoopPromise<Void>] = []

  /// Creates the handler of one stream.
  ///
  /// - Parameters:
  ///   - methods: The methods served.
  ///   - peers: The connection's two ends.
  ///   - identity: The connection's identity, handed to the caller resolver as it is (nil when
  ///     the connection has none: its calls are refused as unauthenticated).
  init(methods: LeanMethods, peers: Peers, identity: ConnectionIdentity?) {
    self.methods = methods
    self.peers = peers
    self.identity = identity
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let payload = self.unwrapInboundIn(data)
    switch self.state {
    case .idle:
      guard case .headers(let headers) = payload else { return }
      let call: Call
      switch self.call(headers.headers) {
      case .success(let accepted):
        call = accepted
      case .failure(let refusal):
        self.state = .done
        context.writeAndFlush(self.wrapOutboundOut(.headers(.init(headers: refusal.headers, endStream: true))), promise: nil)
        return
      }
      self.state = .collecting(call)
      if let deadline = call.deadline {
        self.timeout = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
          self.deadlineExceeded(context: context)
        }
      }
      if call.method.streamsRequests {
        self.start(context: context)
        if headers.endStream { self.endRequests() }
      } else if headers.endStream {
        self.start(context: context)
      }
    case .collecting:
      switch payload {
      case .data(let frame):
        if case .byteBuffer(var buffer) = frame.data {
          self.request.writeBuffer(&buffer)
          // A second message is refused as it starts, not collected until the client ends its
          // side: the stream guard bounds each message, and so the request.
          if Self.holdsMoreThanOneMessage(self.request) {
            self.finish(context: context, .failure(RPCError(code: .internalError, message: "Unary request contained more than one message.")))
            context.close(promise: nil)
            return
          }
        }
        if frame.endStream { self.start(context: context) }
      case .headers(let trailers):
        if trailers.endStream { self.start(context: context) }
      default:
        break
      }
    case .running(_, _, let requests?):
      switch payload {
      case .data(let frame):
        if case .byteBuffer(var buffer) = frame.data {
          self.request.writeBuffer(&buffer)
          while let message = Self.nextMessage(&self.request) {
            if case .dropped = requests.yield(message) {
              self.finish(context: context, .failure(RPCError(code: .resourceExhausted, message: "More than \(Self.queuedRequestLimit) request messages are waiting for the method.")))
              context.close(promise: nil)
              return
            }
          }
        }
        if frame.endStream { self.endRequests() }
      case .headers(let trailers):
        if trailers.endStream { self.endRequests() }
      default:
        break
      }
    case .running, .done:
      // The client's side had ended; nothing more may arrive on it.
      break
    }
  }

  /// Messages of a streaming request that may wait for the method before the call is refused.
  static let queuedRequestLimit = 64

  /// The client ended its side of a streaming call.
  private func endRequests() {
    guard case .running(let call, let task, let requests?) = self.state else { return }
    if self.request.readableBytes > 0 {
      requests.finish(throwing: RPCError(code: .internalError, message: "The request ended in the middle of a message."))
    } else {
      requests.finish()
    }
    self.request = ByteBuffer()
    self.state = .running(call, task, requests: nil)
  }

  func channelInactive(context: ChannelHandlerContext) {
    // A reset by the client, or the connection's end: a running method is cancelled.
    if case .running(_, let task, let requests) = self.state {
      requests?.finish(throwing: CancellationError())
      task.cancel()
    }
    self.timeout?.cancel()
    self.state = .done
    self.releaseWaiters()
    context.fireChannelInactive()
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable { self.releaseWaiters() }
    context.fireChannelWritabilityChanged()
  }

  /// Lets waiting sends go on: to send more, or to find the stream ended.
  private func releaseWaiters() {
    let waiters = self.writabilityWaiters
    self.writabilityWaiters.removeAll()
    for waiter in waiters { waiter.succeed() }
  }

  /// Writes one response message of a streaming method (after the headers, once).
  func send(context: ChannelHandlerContext, _ message: [UInt8]) {
    guard case .running = self.state else { return }
    if !self.responseStarted { self.writeHeaders(context: context) }
    self.writeMessage(context: context, message)
    context.flush()
  }

  /// Succeeds when the stream can take more; fails once the call has ended.
  func whenWritable(context: ChannelHandlerContext) -> EventLoopFuture<Void> {
    guard case .running = self.state else { return context.eventLoop.makeFailedFuture(CancellationError()) }
    if context.channel.isWritable { return context.eventLoop.makeSucceededVoidFuture() }
    let promise = context.eventLoop.makePromise(of: Void.self)
    self.writabilityWaiters.append(promise)
    return promise.futureResult
  }

  /// The call the headers start, or the answer that refuses them (grpc-swift's words).
  private func call(_ headers: HPACKHeaders) -> Result<Call, Refusal> {
    guard let contentType = headers.first(name: "content-type"),
      contentType == "application/grpc" || contentType == "application/grpc+proto"
    else {
      return .failure(Refusal(headers: [":status": "415"]))
    }
    guard let path = headers.first(name: ":path") else {
      return .failure(Refusal(.invalidArgument, "No :path header has been set."))
    }
    guard let scheme = headers.first(name: ":scheme"), scheme == "http" || scheme == "https" else {
      return .failure(Refusal(.invalidArgument, ":scheme header must be present and one of \"http\" or \"https\"."))
    }
    guard headers.first(name: ":method") == "POST" else {
      return .failure(Refusal(.invalidArgument, ":method header is expected to be present and have a value of \"POST\"."))
    }
    let encodings = headers[canonicalForm: "grpc-encoding"]
    if encodings.count > 1 {
      return .failure(Refusal(.internalError, "grpc-encoding must contain no more than one value."))
    }
    if let encoding = encodings.first, encoding != "identity" {
      var refusal = Refusal(.unimplemented, "\(encoding) compression is not supported; supported algorithms are listed in grpc-accept-encoding")
      refusal.headers.add(name: "grpc-accept-encoding", value: "identity")
      return .failure(refusal)
    }
    guard let method = self.methods.method(path: path) else {
      return .failure(Refusal(.unimplemented, "Requested RPC isn't implemented by this server."))
    }
    var metadata = Metadata()
    for (name, value, _) in headers where !name.hasPrefix(":") && name != "content-type" && name != "te" {
      if name.hasSuffix("-bin") {
        if let bytes = Data(base64Encoded: Self.padded(value)) { metadata.addBinary(Array(bytes), forKey: name) }
      } else {
        metadata.addString(value, forKey: name)
      }
    }
    var deadline: NIODeadline?
    if let timeout = headers.first(name: "grpc-timeout"), let amount = Self.timeAmount(timeout) {
      deadline = .now() + amount
    }
    return .success(Call(method: method, metadata: metadata, deadline: deadline))
  }

  /// The trailers-only answer to headers that start no call.
  struct Refusal: Error {
    var headers: HPACKHeaders

    init(headers: HPACKHeaders) {
      self.headers = headers
    }

    init(_ code: RPCError.Code, _ message: String) {
      self.headers = StreamGuard.trailers(code: code, message: message, trailersOnly: true)
    }
  }

  /// Runs the method: once the client has ended its side of a unary or server-streaming call,
  /// at the headers of a streaming one.
  private func start(context: ChannelHandlerContext) {
    guard case .collecting(let call) = self.state else { return }
    let request: LeanMethod.Request
    var requests: AsyncThrowingStream<[UInt8], any Error>.Continuation?
    if call.method.streamsRequests {
      let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream(
        bufferingPolicy: .bufferingOldest(Self.queuedRequestLimit)
      )
      request = .messages(stream)
      requests = continuation
    } else {
      let message: [UInt8]
      switch Self.singleMessage(self.request) {
      case .success(let bytes):
        message = bytes
      case .failure(let error):
        self.finish(context: context, .failure(error))
        return
      }
      request = .message(message)
      // Read out: the buffer (up to one message's limit) is not kept for the whole call.
      self.request = ByteBuffer()
      if let answer = self.methods.runImmediately(
        call.method, request: message, identity: self.identity, metadata: call.metadata, remotePeer: self.peers.remote,
        localPeer: self.peers.local
      ) {
        self.finish(context: context, answer)
        return
      }
    }
    let eventLoop = context.eventLoop
    let bound = NIOLoopBound((self, context), eventLoop: eventLoop)
    let responses = LeanResponseStream(channel: context.channel, handler: bound)
    let (methods, peers, identity) = (self.methods, self.peers, self.identity)
    let task = Task {
      let result = await methods.run(
        call.method, request: request, identity: identity, metadata: call.metadata, remotePeer: peers.remote, localPeer: peers.local,
        responses: responses
      )
      eventLoop.execute { bound.value.0.finish(context: bound.value.1, result) }
    }
    self.state = .running(call, task, requests: requests)
  }

  /// Writes the outcome, unless the stream was closed or answered meanwhile: the unary
  /// response's message and trailers, a stream's trailers, or trailers only when nothing was
  /// sent.
  private func finish(context: ChannelHandlerContext, _ result: Result<[UInt8]?, RPCError>) {
    switch self.state {
    case .collecting:
      break
    case .running(_, _, let requests):
      requests?.finish()
    case .idle, .done:
      return
    }
    self.state = .done
    self.request = ByteBuffer()
    self.timeout?.cancel()
    self.releaseWaiters()
    switch result {
    case .success(let message):
      if !self.responseStarted { self.writeHeaders(context: context) }
      if let message { self.writeMessage(context: context, message) }
      context.write(self.wrapOutboundOut(.headers(.init(headers: ["grpc-status": "0"], endStream: true))), promise: nil)
    case .failure(let error):
      let trailers = StreamGuard.trailers(
        code: error.code, message: error.message, metadata: error.metadata, trailersOnly: !self.responseStarted
      )
      context.write(self.wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
    }
    context.flush()
  }

  private func writeHeaders(context: ChannelHandlerContext) {
    self.responseStarted = true
    let headers: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
    context.write(self.wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
  }

  private func writeMessage(context: ChannelHandlerContext, _ message: [UInt8]) {
    var buffer = context.channel.allocator.buffer(capacity: 5 + message.count)
    buffer.writeInteger(UInt8(0))
    buffer.writeInteger(UInt32(message.count))
    buffer.writeBytes(message)
    context.write(self.wrapOutboundOut(.data(.init(data: .byteBuffer(buffer)))), promise: nil)
  }

  /// The deadline passed before the method answered: DEADLINE_EXCEEDED, and the method is cancelled.
  private func deadlineExceeded(context: ChannelHandlerContext) {
    let task: Task<Void, Never>?
    if case .running(_, let running, _) = self.state { task = running } else { task = nil }
    self.finish(context: context, .failure(RPCError(code: .deadlineExceeded, message: "The call's deadline (grpc-timeout) passed.")))
    task?.cancel()
    // The client may not have ended its side: the stream is reset rather than left open.
    context.close(promise: nil)
  }

  /// The one message of a unary request, as GRPCCore requires it.
  static func singleMessage(_ request: ByteBuffer) -> Result<[UInt8], RPCError> {
    var request = request
    guard let flag = request.readInteger(as: UInt8.self), let length = request.readInteger(as: UInt32.self) else {
      guard request.readableBytes == 0 else {
        return .failure(RPCError(code: .internalError, message: "The request ended in the middle of a message prefix."))
      }
      return .failure(RPCError(code: .internalError, message: "Unary request didn't contain any messages."))
    }
    guard flag == 0 else {
      // A compressed message without a grpc-encoding header; StreamGuard answers it first.
      return .failure(RPCError(code: .internalError, message: "A compressed request message without a grpc-encoding header."))
    }
    guard let bytes = request.readBytes(length: Int(length)) else {
      return .failure(RPCError(code: .internalError, message: "The request ended in the middle of a message."))
    }
    guard request.readableBytes == 0 else {
      return .failure(RPCError(code: .internalError, message: "Unary request contained more than one message."))
    }
    return .success(bytes)
  }

  /// Takes the next complete message (flag 0, checked by the stream guard) off a streamed
  /// request's bytes.
  static func nextMessage(_ request: inout ByteBuffer) -> [UInt8]? {
    guard let length = request.getInteger(at: request.readerIndex + 1, as: UInt32.self),
      request.readableBytes >= 5 + Int(length)
    else { return nil }
    request.moveReaderIndex(forwardBy: 5)
    let message = request.readBytes(length: Int(length))
    request.discardReadBytes()
    return message
  }

  /// Whether a request's bytes go on past its first message.
  static func holdsMoreThanOneMessage(_ request: ByteBuffer) -> Bool {
    guard let length = request.getInteger(at: request.readerIndex + 1, as: UInt32.self) else { return false }
    return request.readableBytes > 5 + Int(length)
  }

  /// A `grpc-timeout` value (at most 8 digits and a unit, as the gRPC spec has it).
  static func timeAmount(_ value: String) -> TimeAmount? {
    guard let unit = value.last, value.count >= 2, value.count <= 9, let amount = Int64(value.dropLast()), amount >= 0
    else { return nil }
    switch unit {
    case "H": return .hours(amount)
    case "M": return .minutes(amount)
    case "S": return .seconds(amount)
    case "m": return .milliseconds(amount)
    case "u": return .microseconds(amount)
    case "n": return .nanoseconds(amount)
    default: return nil
    }
  }

  /// Base64 as gRPC sends it may omit the padding Foundation requires.
  private static func padded(_ value: String) -> String {
    let remainder = value.utf8.count % 4
    return remainder == 0 ? value : value + String(repeating: "=", count: 4 - remainder)
  }

  /// A peer as grpc-swift's transport names it in `ServerContext`.
  static func peer(_ address: SocketAddress) -> String {
    switch address {
    case .v4(let v4): return "ipv4:\(v4.host):\(address.port ?? 0)"
    case .v6(let v6): return "ipv6:[\(v6.host)]:\(address.port ?? 0)"
    case .unixDomainSocket: return "unix:\(address.pathname ?? "")"
    }
  }
}
