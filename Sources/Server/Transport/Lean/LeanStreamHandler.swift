internal import Foundation
internal import GRPCCore
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

/// Serves a stream's call on the lean path when its method is one of ``LeanMethods``, or hands
/// the stream on untouched to grpc-swift's stream handler behind it.
///
/// It sits behind ``StreamGuard`` (which has stamped the connection's identity into the
/// headers and checks each message's prefix against the method's limit) and ahead of
/// grpc-swift's handler. A lean call's frames stop here: the request is collected until the
/// client ends its side, the method runs in a task, and the response (headers, one message or
/// a server-streaming method's messages as they come, trailers; or trailers only on failure)
/// is written straight to the stream. Everything
/// HTTP/2 asks of a stream stays with SwiftNIO's stream channel below: flow control
/// (WINDOW_UPDATE as frames are read), RST_STREAM, GOAWAY and the connection's limits.
///
/// Anything the lean path does not take on goes to grpc-swift as it came: a method it does not
/// serve, a request that is not `POST` with a gRPC content type, or one with a `grpc-encoding`
/// (whose negotiation, and refusal with UNIMPLEMENTED, is grpc-swift's).
final class LeanStreamHandler: ChannelDuplexHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias InboundOut = HTTP2Frame.FramePayload
  typealias OutboundIn = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  private enum State {
    /// No headers yet.
    case idle
    /// Not a lean call: every frame goes on to grpc-swift.
    case passThrough
    /// A lean call whose request is still arriving.
    case collecting(Call)
    /// The method is running.
    case running(Call, Task<Void, Never>)
    /// The response was written or the stream closed.
    case done
  }

  /// A lean call on this stream.
  private struct Call {
    var method: LeanMethod
    var metadata: Metadata
    var request: ByteBuffer
    var deadline: NIODeadline?
  }

  private let methods: LeanMethods
  private var state = State.idle
  private var timeout: Scheduled<Void>?
  /// Whether the response headers were written.
  private var responseStarted = false
  /// Sends waiting for the stream to become writable.
  private var writabilityWaiters: [EventLoopPromise<Void>] = []

  /// Creates the handler of one stream.
  init(methods: LeanMethods) {
    self.methods = methods
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let payload = self.unwrapInboundIn(data)
    switch self.state {
    case .passThrough:
      context.fireChannelRead(data)
    case .idle:
      guard case .headers(let headers) = payload, let call = self.leanCall(headers.headers) else {
        self.state = .passThrough
        context.fireChannelRead(data)
        return
      }
      self.state = .collecting(call)
      if let deadline = call.deadline {
        self.timeout = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
          self.deadlineExceeded(context: context)
        }
      }
      if headers.endStream { self.start(context: context) }
    case .collecting(var call):
      switch payload {
      case .data(let frame):
        if case .byteBuffer(var buffer) = frame.data {
          self.state = .done  // no copy-on-write of the request while it grows
          call.request.writeBuffer(&buffer)
          self.state = .collecting(call)
          // A second message is refused as it starts, not collected until the client ends its
          // side: the stream guard bounds each message, and so the request.
          if Self.holdsMoreThanOneMessage(call.request) {
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
    case .running, .done:
      // The client's side had ended; nothing more may arrive on it.
      break
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    // A reset by the client, or the connection's end: a running method is cancelled.
    if case .running(_, let task) = self.state { task.cancel() }
    self.timeout?.cancel()
    if case .passThrough = self.state {} else { self.state = .done }
    self.releaseWaiters()
    context.fireChannelInactive()
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    switch self.state {
    case .idle, .passThrough:
      context.fireChannelWritabilityChanged()
    case .collecting, .running, .done:
      // Not passed on: grpc-swift's handler flushes the stream when it becomes unwritable, in
      // the middle of a lean answer's writes (9% of the server's samples in a pull's profile).
      if context.channel.isWritable { self.releaseWaiters() }
    }
  }

  /// Lets waiting sends go on: to send more, or to find the stream ended.
  private func releaseWaiters() {
    let waiters = self.writabilityWaiters
    self.writabilityWaiters.removeAll()
    for waiter in waiters { waiter.succeed() }
  }

  /// Writes one response message of a server-streaming method (after the headers, once).
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

  /// The lean call the headers start, if the method is served here and the request is plain gRPC.
  private func leanCall(_ headers: HPACKHeaders) -> Call? {
    guard let path = headers.first(name: ":path"), let method = self.methods.method(path: path),
      headers.first(name: ":method") == "POST",
      let contentType = headers.first(name: "content-type"), contentType == "application/grpc" || contentType.hasPrefix("application/grpc+proto"),
      headers.first(name: "grpc-encoding").map({ $0 == "identity" }) ?? true
    else { return nil }
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
    return Call(method: method, metadata: metadata, request: ByteBuffer(), deadline: deadline)
  }

  /// Runs the method once the client has ended its side of the stream.
  private func start(context: ChannelHandlerContext) {
    guard case .collecting(let call) = self.state else { return }
    let message: [UInt8]
    switch Self.singleMessage(call.request) {
    case .success(let bytes):
      message = bytes
    case .failure(let error):
      self.finish(context: context, .failure(error))
      return
    }
    let channel = context.channel
    let remote = channel.parent?.remoteAddress.map(Self.peer) ?? "unknown"
    let local = channel.parent?.localAddress.map(Self.peer) ?? "unknown"
    if let answer = self.methods.runImmediately(
      call.method, request: message, metadata: call.metadata, remotePeer: remote, localPeer: local
    ) {
      self.finish(context: context, answer)
      return
    }
    let eventLoop = context.eventLoop
    let bound = NIOLoopBound((self, context), eventLoop: eventLoop)
    let responses = LeanResponseStream(channel: channel, handler: bound)
    let methods = self.methods
    let task = Task {
      let result = await methods.run(
        call.method, request: message, metadata: call.metadata, remotePeer: remote, localPeer: local, responses: responses
      )
      eventLoop.execute { bound.value.0.finish(context: bound.value.1, result) }
    }
    self.state = .running(call, task)
  }

  /// Writes the outcome, unless the stream was closed or answered meanwhile: the unary
  /// response's message and trailers, a stream's trailers, or trailers only when nothing was
  /// sent.
  private func finish(context: ChannelHandlerContext, _ result: Result<[UInt8]?, RPCError>) {
    switch self.state {
    case .collecting, .running:
      break
    case .idle, .passThrough, .done:
      return
    }
    self.state = .done
    self.timeout?.cancel()
    self.releaseWaiters()
    switch result {
    case .success(let message):
      if !self.responseStarted { self.writeHeaders(context: context) }
      if let message { self.writeMessage(context: context, message) }
      context.write(self.wrapOutboundOut(.headers(.init(headers: ["grpc-status": "0"], endStream: true))), promise: nil)
    case .failure(let error):
      var trailers: HPACKHeaders = self.responseStarted ? [:] : [":status": "200", "content-type": "application/grpc"]
      trailers.add(name: "grpc-status", value: "\(error.code.rawValue)")
      if !error.message.isEmpty { trailers.add(name: "grpc-message", value: StreamGuard.percentEncoded(error.message)) }
      for (key, value) in error.metadata {
        switch value {
        case .string(let string): trailers.add(name: key, value: string)
        case .binary(let bytes): trailers.add(name: key, value: Data(bytes).base64EncodedString())
        }
      }
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
    if case .running(_, let running) = self.state { task = running } else { task = nil }
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
  private static func peer(_ address: SocketAddress) -> String {
    switch address {
    case .v4(let v4): return "ipv4:\(v4.host):\(address.port ?? 0)"
    case .v6(let v6): return "ipv6:[\(v6.host)]:\(address.port ?? 0)"
    case .unixDomainSocket: return "unix:\(address.pathname ?? "")"
    }
  }
}
