internal import Foundation
internal import GRPCCore
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2
internal import Synchronization

/// The call on one HTTP/2 stream of a lean connection (``LeanConnectionHandler``), which hands
/// it the stream's frames and its end; everything here runs on the connection's event loop.
///
/// On the headers it refuses what it cannot serve, as grpc-swift's transport and GRPCCore's
/// router would answer it: 415 without a gRPC content type, INVALID_ARGUMENT for a missing path
/// or scheme or a method other than `POST`, UNIMPLEMENTED for a compression or a method the
/// server does not have. Each request message's prefix is checked against the method's limit as
/// it arrives (``RequestPrefixScanner``), and a header naming the connection's identity that a
/// client sent is dropped (the identity is handed to the call as it is). A unary or
/// server-streaming call's request is collected until the client ends its side, then the method
/// runs (on the event loop when it can answer at once, else in a task); a bidirectional call
/// (reflection) starts with the headers and is handed each message as it completes. The response
/// (headers, one message or a streaming method's messages as they come, trailers; or trailers
/// only on failure) is written to the stream.
final class LeanStream {
  private enum State {
    /// No headers yet.
    case idle
    /// A call whose request is still arriving.
    case collecting(Call)
    /// The method is running; `requests` is open while a streaming client's side is.
    case running(Call, Task<Void, Never>?, requests: AsyncThrowingStream<[UInt8], any Error>.Continuation?)
    /// The response was written or the stream closed.
    case done
  }

  /// A call on this stream.
  private struct Call {
    var method: LeanMethod
    var metadata: Metadata
    var deadline: NIODeadline?
  }

  /// Whether the stream takes more of a streaming response without waiting, as the method's
  /// task sees it.
  final class Writability: Sendable {
    let writable = Atomic<Bool>(false)

    var isWritable: Bool { self.writable.load(ordering: .relaxed) }
  }

  let id: HTTP2StreamID
  /// Unowned: the connection's handler ends every stream (``closed()``) before it goes, and what
  /// reaches a stream from its method's task (`send`, `whenWritable`, `finish`) touches the
  /// connection only while the call is open.
  private unowned let connection: LeanConnectionHandler
  private let eventLoop: any EventLoop
  private var state = State.idle
  /// Whether the client ended its side.
  private var remoteEnded = false
  private var scanner: RequestPrefixScanner?
  /// The request's bytes not yet handed to the method.
  private var request = ByteBuffer()
  private var timeout: Scheduled<Void>?
  /// Whether the response headers were written.
  private var responseStarted = false
  /// Response DATA bytes handed to HTTP/2 and not yet written out.
  private var bufferedOutbound = 0
  private var aboveWatermark = false
  let writability = Writability()
  /// Sends waiting for the stream to become writable.
  private var writabilityWaiters: [EventLoopPromise<Void>] = []

  init(id: HTTP2StreamID, connection: LeanConnectionHandler) {
    self.id = id
    self.connection = connection
    self.eventLoop = connection.eventLoop
  }

  /// Messages of a streaming request that may wait for the method before the call is refused.
  static let queuedRequestLimit = 64

  /// One of the stream's frames from the client.
  func receive(_ payload: HTTP2Frame.FramePayload) {
    switch payload {
    case .headers(let headers):
      if headers.endStream { self.remoteEnded = true }
      if case .idle = self.state {
        self.start(headers.headers, endStream: headers.endStream)
      } else if headers.endStream {
        // Trailers: the client's side ends.
        self.clientEnded()
      }
    case .data(let frame):
      if frame.endStream { self.remoteEnded = true }
      if case .byteBuffer(var buffer) = frame.data {
        switch self.state {
        case .collecting, .running(_, _, requests: .some):
          if let refusal = self.scanner?.scan(buffer) {
            self.refuse(refusal)
            return
          }
          self.request.writeBuffer(&buffer)
        case .idle, .running, .done:
          // Refused at the headers, or the client's side had ended: read and dropped.
          return
        }
      }
      self.requestGrew()
      if frame.endStream { self.clientEnded() }
    default:
      break
    }
  }

  /// The headers that start a call.
  private func start(_ headers: HPACKHeaders, endStream: Bool) {
    let call: Call
    switch self.call(headers) {
    case .success(let accepted):
      call = accepted
    case .failure(let refusal):
      self.state = .done
      self.connection.write(HTTP2Frame(streamID: self.id, payload: .headers(.init(headers: refusal.headers, endStream: true))))
      self.connection.flush()
      return
    }
    self.state = .collecting(call)
    if let deadline = call.deadline {
      self.timeout = self.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
        self.deadlineExceeded()
      }
    }
    if call.method.streamsRequests {
      self.run()
      if endStream { self.clientEnded() }
    } else if endStream {
      self.run()
    }
  }

  /// Request bytes arrived: a streaming call's complete messages go to the method; a unary
  /// call's second message is refused as it starts, not collected until the client ends its
  /// side (the scanner bounds each message, and so the request).
  private func requestGrew() {
    switch self.state {
    case .collecting:
      if Self.holdsMoreThanOneMessage(self.request) {
        self.finish(.failure(RPCError(code: .internalError, message: "Unary request contained more than one message.")))
        self.reset()
      }
    case .running(_, _, let requests?):
      while let message = Self.nextMessage(&self.request) {
        if case .dropped = requests.yield(message) {
          self.finish(
            .failure(RPCError(code: .resourceExhausted, message: "More than \(Self.queuedRequestLimit) request messages are waiting for the method."))
          )
          self.reset()
          return
        }
      }
    default:
      break
    }
  }

  /// The client ended its side.
  private func clientEnded() {
    switch self.state {
    case .collecting:
      self.run()
    case .running(let call, let task, let requests?):
      if self.request.readableBytes > 0 {
        requests.finish(throwing: RPCError(code: .internalError, message: "The request ended in the middle of a message."))
      } else {
        requests.finish()
      }
      self.request = ByteBuffer()
      self.state = .running(call, task, requests: nil)
    default:
      break
    }
  }

  /// The stream ended (both sides done, a reset from either side, or the connection's end): a
  /// running method is cancelled.
  func closed() {
    if case .running(_, let task, let requests) = self.state {
      requests?.finish(throwing: CancellationError())
      task?.cancel()
    }
    self.timeout?.cancel()
    self.state = .done
    self.request = ByteBuffer()
    self.updateWritability(writable: false)
  }

  // MARK: Outbound

  /// HTTP/2 wrote `bytes` of the stream's DATA to the connection.
  func wroteOutbound(bytes: Int) {
    self.bufferedOutbound -= bytes
    if self.aboveWatermark && self.bufferedOutbound < LeanConnectionHandler.lowWatermark {
      self.aboveWatermark = false
      self.writabilityChanged()
    }
  }

  /// The stream's or the connection's writability may have changed.
  func writabilityChanged() {
    let writable = !self.aboveWatermark && self.connection.isWritable
    if !writable && !self.aboveWatermark {
      self.connection.waitForConnection(self)
    }
    self.updateWritability(writable: writable)
  }

  private func updateWritability(writable: Bool) {
    let open: Bool
    if case .running = self.state { open = true } else { open = false }
    self.writability.writable.store(writable && open, ordering: .relaxed)
    if writable || !open {
      // Waiting sends go on: to send more, or to find the stream ended.
      let waiters = self.writabilityWaiters
      self.writabilityWaiters.removeAll()
      for waiter in waiters { waiter.succeed() }
    }
  }

  /// Writes one response message of a streaming method (after the headers, once).
  func send(_ message: [UInt8]) {
    guard case .running = self.state else { return }
    if !self.responseStarted { self.writeHeaders() }
    self.writeMessage(message)
    self.connection.flush()
  }

  /// Succeeds when the stream can take more; fails once the call has ended.
  func whenWritable() -> EventLoopFuture<Void> {
    let eventLoop = self.eventLoop
    guard case .running = self.state else { return eventLoop.makeFailedFuture(CancellationError()) }
    if !self.aboveWatermark && self.connection.isWritable { return eventLoop.makeSucceededVoidFuture() }
    if !self.aboveWatermark { self.connection.waitForConnection(self) }
    let promise = eventLoop.makePromise(of: Void.self)
    self.writabilityWaiters.append(promise)
    return promise.futureResult
  }

  /// A response's headers, and the trailers of a success: made once.
  private static let responseHeaders: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
  private static let okTrailers: HPACKHeaders = ["grpc-status": "0"]

  private func writeHeaders() {
    self.responseStarted = true
    self.connection.write(HTTP2Frame(streamID: self.id, payload: .headers(.init(headers: Self.responseHeaders))))
  }

  /// One response message with gRPC's prefix (uncompressed, its length).
  func frame(_ message: [UInt8]) -> ByteBuffer {
    var buffer = self.connection.allocator.buffer(capacity: 5 + message.count)
    buffer.writeInteger(UInt8(0))
    buffer.writeInteger(UInt32(message.count))
    buffer.writeBytes(message)
    return buffer
  }

  private func writeMessage(_ message: [UInt8]) {
    self.writeFramed(self.frame(message))
  }

  private func writeFramed(_ buffer: ByteBuffer) {
    self.bufferedOutbound += buffer.readableBytes
    if !self.aboveWatermark && self.bufferedOutbound > LeanConnectionHandler.highWatermark {
      self.aboveWatermark = true
      self.updateWritability(writable: false)
    }
    // HTTP/2 may write it at once (`wroteOutbound`), or hold it while the window is closed.
    self.connection.write(HTTP2Frame(streamID: self.id, payload: .data(.init(data: .byteBuffer(buffer)))))
  }

  /// Writes a message the change hub framed (shared by every live subscriber on this loop) if
  /// the stream takes it now; false when it is full or the call has ended. Flushed by
  /// ``flushLive()``.
  func writeLive(_ framed: ByteBuffer) -> Bool {
    guard case .running = self.state, !self.aboveWatermark, self.connection.isWritable else { return false }
    if !self.responseStarted { self.writeHeaders() }
    self.writeFramed(framed)
    self.connection.needsFlush = true
    return true
  }

  /// Flushes the connection once after the live writes of a turn, however many of its streams
  /// they went to.
  func flushLive() {
    guard self.connection.needsFlush else { return }
    self.connection.needsFlush = false
    self.connection.flush()
  }

  /// Resets the stream if the client may still send on it (RST_STREAM CANCEL, as SwiftNIO's
  /// stream channel does when closed): what follows is not read.
  private func reset() {
    guard !self.remoteEnded else { return }
    self.remoteEnded = true
    self.connection.write(HTTP2Frame(streamID: self.id, payload: .rstStream(.cancel)))
    self.connection.flush()
  }

  // MARK: The call

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
    guard let method = self.connection.configuration.methods.method(path: path) else {
      return .failure(Refusal(.unimplemented, "Requested RPC isn't implemented by this server."))
    }
    self.scanner = RequestPrefixScanner(path: path, maxMessageBytes: self.connection.configuration.limit(Substring(path)), encoded: false)
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
      self.headers = StatusTrailers.make(code: code, message: message, trailersOnly: true)
    }
  }

  /// A request message the method must refuse before it is decoded: trailers only (when nothing
  /// was sent yet), and the stream reset, which cancels the method.
  private func refuse(_ refusal: (code: RPCError.Code, message: String)) {
    if !self.responseStarted {
      let trailers = StatusTrailers.make(code: refusal.code, message: refusal.message, trailersOnly: true)
      self.connection.write(HTTP2Frame(streamID: self.id, payload: .headers(.init(headers: trailers, endStream: true))))
    }
    self.closed()
    self.connection.flush()
    self.reset()
  }

  /// Runs the method: once the client has ended its side of a unary or server-streaming call,
  /// at the headers of a streaming one.
  private func run() {
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
        self.finish(.failure(error))
        return
      }
      request = .message(message)
      // Read out: the buffer (up to one message's limit) is not kept for the whole call.
      self.request = ByteBuffer()
      if let answer = self.connection.configuration.methods.runImmediately(
        call.method, request: message, identity: self.connection.identity, metadata: call.metadata,
        remotePeer: self.connection.configuration.peers.remote, localPeer: self.connection.configuration.peers.local
      ) {
        self.finish(answer)
        return
      }
    }
    self.state = .running(call, nil, requests: requests)
    self.writabilityChanged()
    let eventLoop = self.eventLoop
    let stream = NIOLoopBound(self, eventLoop: eventLoop)
    let responses = LeanResponseStream(eventLoop: eventLoop, stream: stream, writability: self.writability)
    let (methods, peers, identity) = (self.connection.configuration.methods, self.connection.configuration.peers, self.connection.identity)
    let task = Task {
      let result = await methods.run(
        call.method, request: request, identity: identity, metadata: call.metadata, remotePeer: peers.remote,
        localPeer: peers.local, responses: responses
      )
      eventLoop.execute { stream.value.finish(result) }
    }
    if case .running = self.state {
      self.state = .running(call, task, requests: requests)
    }
  }

  /// Writes the outcome, unless the stream was closed or answered meanwhile: the unary
  /// response's message and trailers, a stream's trailers, or trailers only when nothing was
  /// sent.
  private func finish(_ result: Result<[UInt8]?, RPCError>) {
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
    self.updateWritability(writable: false)
    switch result {
    case .success(let message):
      if !self.responseStarted { self.writeHeaders() }
      if let message { self.writeMessage(message) }
      self.connection.write(HTTP2Frame(streamID: self.id, payload: .headers(.init(headers: Self.okTrailers, endStream: true))))
    case .failure(let error):
      let trailers = StatusTrailers.make(
        code: error.code, message: error.message, metadata: error.metadata, trailersOnly: !self.responseStarted
      )
      self.connection.write(HTTP2Frame(streamID: self.id, payload: .headers(.init(headers: trailers, endStream: true))))
    }
    self.connection.flush()
  }

  /// The deadline passed before the method answered: DEADLINE_EXCEEDED, and the method is cancelled.
  private func deadlineExceeded() {
    let task: Task<Void, Never>?
    if case .running(_, let running, _) = self.state { task = running } else { task = nil }
    self.finish(.failure(RPCError(code: .deadlineExceeded, message: "The call's deadline (grpc-timeout) passed.")))
    task?.cancel()
    // The client may not have ended its side: the stream is reset rather than left open.
    self.reset()
  }

  // MARK: Framing

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
      // A compressed message without a grpc-encoding header; the scanner answers it first.
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

  /// Takes the next complete message (flag 0, checked by the scanner) off a streamed request's
  /// bytes.
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
}
