internal import NIOCore
internal import NIOHTTP2

/// Serves every HTTP/2 stream of a lean connection on the connection's own pipeline: frames are
/// routed by stream id to a ``LeanStream``, with no child channel, pipeline or handler per stream.
///
/// It sits right behind SwiftNIO's `NIOHTTP2Handler` (without a stream multiplexer) and passes
/// on only what ``ConnectionManagementHandler`` behind it needs (the connection's own frames,
/// streams opened and closed, quiescing), and takes over what SwiftNIO's stream channels did
/// for the streams:
/// - inbound flow control: a WINDOW_UPDATE for a stream and for the connection once half of
///   their window is used, as SwiftNIO's stream channels and multiplexer send them (every frame
///   is consumed as it arrives: a request is collected up to the method's limit on one message,
///   a streamed one up to ``LeanStream/queuedRequestLimit`` messages);
/// - outbound writability per stream: the bytes of DATA frames handed to HTTP/2 and not yet
///   written (HTTP/2 holds them while the stream's or the connection's window is closed,
///   `NIOHTTP2FrameDelegate` tells when it writes them), with the connection's own writability;
/// - the stream's end: `StreamClosedEvent` (both sides ended, a reset from either side, the
///   connection's GOAWAY) and the connection's close end the stream's call.
///
/// RST_STREAM and GOAWAY handling, the stream limits and the reset-flood protection stay with
/// SwiftNIO's HTTP/2 handler; keepalive (PINGs policed by the gRPC keepalive policy), idle and
/// age limits and graceful shutdown with the connection management handler. SETTINGS and
/// PRIORITY floods are stopped here (``FrameRateLimit``).
final class LeanConnectionHandler: ChannelInboundHandler, NIOHTTP2FrameDelegate {
  typealias InboundIn = HTTP2Frame
  typealias InboundOut = HTTP2Frame
  typealias OutboundOut = HTTP2Frame

  /// The connection's two ends, as grpc-swift names them in `ServerContext`: made once per
  /// connection.
  struct Peers: Sendable {
    var remote: String
    var local: String
  }

  /// What every stream of the connection is served with.
  struct Configuration {
    var methods: LeanMethods
    var peers: Peers
    /// The largest request message of a method, by its path.
    var limit: @Sendable (Substring) -> Int
    /// The window each stream and the connection are kept topped up to.
    var targetWindowSize: Int
  }

  /// Outbound DATA bytes buffered in a stream above which it is not writable, and below which
  /// it is again: SwiftNIO's stream channel defaults.
  static let highWatermark = 8196
  static let lowWatermark = 4092

  let configuration: Configuration
  /// The connection's identity, handed to each call as it is (nil when the connection has none:
  /// its calls are refused as unauthenticated). Taken from `authenticator` with the first
  /// stream: the handshake establishes it before anything reaches HTTP/2.
  private(set) var identity: ConnectionIdentity?
  private let authenticator: ConnectionAuthenticator?
  private let management: ConnectionManagementHandler.SyncView
  private var streams: [HTTP2StreamID: LeanStream] = [:]
  /// The same for each stream and the connection.
  private let window: InboundWindow
  private var context: ChannelHandlerContext?
  /// Streams waiting for the connection to become writable again.
  private var waitingForConnection: [LeanStream] = []
  /// SETTINGS and PRIORITY frames from the client (``LeanServer`` says why they are counted here).
  private var controlFrames = FrameRateLimit()
  /// Set once the connection is being closed for a flood: nothing more is read.
  private var calmed = false
  /// Live writes made without a flush yet (``LeanStream/writeLive(_:)``).
  var needsFlush = false

  /// The connection's event loop.
  let eventLoop: any EventLoop

  init(
    configuration: Configuration, authenticator: ConnectionAuthenticator?, management: ConnectionManagementHandler.SyncView,
    eventLoop: any EventLoop
  ) {
    self.configuration = configuration
    self.authenticator = authenticator
    self.eventLoop = eventLoop
    self.management = management
    self.window = InboundWindow(target: configuration.targetWindowSize)
  }

  /// Streams open now (tests).
  var openStreams: Int { self.streams.count }

  /// An open stream (tests).
  func stream(_ id: HTTP2StreamID) -> LeanStream? { self.streams[id] }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.endAll()
    self.context = nil
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !self.calmed else { return }
    let frame = self.unwrapInboundIn(data)
    switch frame.payload {
    case .settings(.settings), .priority:
      guard self.controlFrames.admit() else {
        self.tooManyControlFrames(context: context)
        return
      }
    default:
      break
    }
    // The connection's own frames (PING, GOAWAY) are the connection management's.
    guard frame.streamID != .rootStream else {
      context.fireChannelRead(data)
      return
    }
    if let stream = self.streams[frame.streamID] {
      stream.receive(frame.payload)
    } else if case .headers = frame.payload {
      if self.identity == nil { self.identity = self.authenticator?.identity }
      let stream = LeanStream(id: frame.streamID, connection: self)
      self.streams[frame.streamID] = stream
      stream.receive(frame.payload)
    }
    // Anything else belongs to a stream already ended here; HTTP/2 has checked it.
  }

  /// A flood of SETTINGS or PRIORITY frames: GOAWAY ENHANCE_YOUR_CALM naming no stream (every
  /// open one ends), as SwiftNIO answers a flood it detects itself, then the close.
  private func tooManyControlFrames(context: ChannelHandlerContext) {
    self.calmed = true
    let goAway = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: .rootStream, errorCode: .enhanceYourCalm, opaqueData: nil))
    context.writeAndFlush(self.wrapOutboundOut(goAway), promise: nil)
    // A turn later, so that the GOAWAY is flushed before the close.
    context.eventLoop.assumeIsolated().execute { context.close(promise: nil) }
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    switch event {
    case let event as NIOHTTP2WindowUpdatedEvent:
      // A stream's window while its client may still send, and the connection's.
      // Taken here: the most frequent event by far, and nobody else's business.
      guard let size = event.inboundWindowSize, let increment = self.window.increment(windowSize: size),
        event.streamID == .rootStream || self.streams[event.streamID] != nil
      else { return }
      self.write(HTTP2Frame(streamID: event.streamID, payload: .windowUpdate(windowSizeIncrement: increment)))
      self.flush()
      return
    case let event as StreamClosedEvent:
      self.streams.removeValue(forKey: event.streamID)?.closed()
    default:
      break
    }
    context.fireUserInboundEventTriggered(event)
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable {
      let waiting = self.waitingForConnection
      self.waitingForConnection.removeAll()
      for stream in waiting { stream.writabilityChanged() }
    }
    context.fireChannelWritabilityChanged()
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.endAll()
    context.fireChannelInactive()
  }

  /// Ends every stream's call: the connection is gone.
  private func endAll() {
    let streams = self.streams.values
    self.streams.removeAll()
    for stream in streams { stream.closed() }
    self.waitingForConnection.removeAll()
  }

  // MARK: NIOHTTP2FrameDelegate

  /// HTTP/2 wrote a frame to the connection (after flow control let it go).
  func wroteFrame(_ frame: HTTP2Frame) {
    switch frame.payload {
    case .data(let data):
      self.streams[frame.streamID]?.wroteOutbound(bytes: data.data.readableBytes)
      self.wroteHeadersOrData()
    case .headers:
      self.wroteHeadersOrData()
    default:
      break
    }
  }

  /// A response's HEADERS or DATA left: the client's pings are not counted against it until
  /// then (gRFC A9, as grpc-go's servers do). Counted as HTTP/2 writes them, not as they are
  /// handed over: a large message waits for the client's WINDOW_UPDATEs, and grpc-go's clients
  /// send a BDP ping with each, which would otherwise end the connection with ENHANCE_YOUR_CALM
  /// in the middle of a pulled page.
  private func wroteHeadersOrData() {
    self.management.wroteHeadersOrData()
    self.management.connectionWillFlush()
  }

  // MARK: For the streams

  /// Whether the connection takes more writes.
  var isWritable: Bool { self.context?.channel.isWritable ?? false }

  /// Wakes `stream` when the connection becomes writable again.
  func waitForConnection(_ stream: LeanStream) {
    if !self.waitingForConnection.contains(where: { $0 === stream }) {
      self.waitingForConnection.append(stream)
    }
  }

  /// Writes one of the streams' frames.
  func write(_ frame: HTTP2Frame) {
    self.context?.write(self.wrapOutboundOut(frame), promise: nil)
  }

  /// Flushes the streams' writes (the flush consolidator holds them until the end of the event
  /// loop's turn).
  func flush() {
    self.context?.flush()
  }

  /// The channel's allocator.
  var allocator: ByteBufferAllocator { self.context?.channel.allocator ?? ByteBufferAllocator() }

  /// A peer as grpc-swift's transport names it in `ServerContext`.
  static func peer(_ address: SocketAddress) -> String {
    switch address {
    case .v4(let v4): return "ipv4:\(v4.host):\(address.port ?? 0)"
    case .v6(let v6): return "ipv6:[\(v6.host)]:\(address.port ?? 0)"
    case .unixDomainSocket: return "unix:\(address.pathname ?? "")"
    }
  }
}

/// An inbound flow-control window kept topped up: once the window has fallen to half its target
/// or less, the increment that restores it (SwiftNIO's `InboundWindowManager`, which its stream
/// channels and multiplexer use, for frames that are consumed as they arrive).
struct InboundWindow {
  private let target: Int

  init(target: Int) {
    self.target = target
  }

  /// The WINDOW_UPDATE increment for a window now `windowSize` bytes wide, if one is due.
  func increment(windowSize: Int) -> Int? {
    if windowSize >= self.target { return nil }
    if windowSize >= 0 {
      let increment = self.target - windowSize
      return increment >= windowSize ? increment : nil
    }
    // A window driven below zero by a smaller SETTINGS_INITIAL_WINDOW_SIZE.
    return min(-windowSize + self.target, Int(Int32.max))
  }
}
