// Adapted from grpc-swift-nio-transport 2.9.2 (Sources/GRPCNIOTransportCore/Server/Connection/ServerConnectionManagementHandler.swift),
// Copyright 2024, gRPC Authors, licensed under the Apache License, Version 2.0
// (http://www.apache.org/licenses/LICENSE-2.0). The original is `package`, not public, so the
// lean server path keeps its own copy: ALPN removed, the manual clock replaced by the event
// loop's `now`, the frame delegate and stream delegate replaced by calls from the lean connection
// handler and SwiftNIO's stream events. Upstream's tests for it and its state machine are ported
// in Tests/GongjianServerTests/ConnectionManagement*Tests.swift; `dev/upstream-diff.sh` shows
// what upstream changed since (and `--ours`, what this copy changed).


internal import NIOCore
internal import NIOHTTP2

/// A `ChannelHandler` which manages the lifecycle of a gRPC connection over HTTP/2.
///
/// This handler is responsible for managing several aspects of the connection. These include:
/// 1. Handling the graceful close of connections. When gracefully closing a connection the server
///    sends a GOAWAY frame with the last stream ID set to the maximum stream ID allowed followed by
///    a PING frame. On receipt of the PING frame the server sends another GOAWAY frame with the
///    highest ID of all streams which have been opened. After this, the handler closes the
///    connection once all streams are closed.
/// 2. Enforcing that graceful shutdown doesn't exceed a configured limit (if configured).
/// 3. Gracefully closing the connection once it reaches the maximum configured age (if configured).
/// 4. Gracefully closing the connection once it has been idle for a given period of time (if
///    configured).
/// 5. Periodically sending keep alive pings to the client (if configured) and closing the
///    connection if necessary.
/// 6. Policing pings sent by the client to ensure that the client isn't misconfigured to send
///    too many pings.
///
/// Some of the behaviours are described in:
/// - [gRFC A8](https://github.com/grpc/proposal/blob/0e1807a6e30a1a915c0dcadc873bca92b9fa9720/A8-client-side-keepalive.md), and
/// - [gRFC A9](https://github.com/grpc/proposal/blob/0e1807a6e30a1a915c0dcadc873bca92b9fa9720/A9-server-side-conn-mgt.md).
final class ConnectionManagementHandler: ChannelDuplexHandler {
  typealias InboundIn = HTTP2Frame
  typealias InboundOut = HTTP2Frame
  typealias OutboundIn = HTTP2Frame
  typealias OutboundOut = HTTP2Frame

  /// The `EventLoop` of the `Channel` this handler exists in.
  private let eventLoop: any EventLoop

  /// The timer used to gracefully close idle connections.
  private var maxIdleTimerHandler: ConnectionTimer<MaxIdleTimerHandlerView>?

  /// The timer used to gracefully close old connections.
  private var maxAgeTimerHandler: ConnectionTimer<MaxAgeTimerHandlerView>?

  /// The timer used to forcefully close a connection during a graceful close.
  /// The timer starts after the second GOAWAY frame has been sent.
  private var maxGraceTimerHandler: ConnectionTimer<MaxGraceTimerHandlerView>?

  /// The timer used to send keep-alive pings.
  private var keepaliveTimerHandler: ConnectionTimer<KeepaliveTimerHandlerView>?

  /// The timer used to detect keep alive timeouts, if keep-alive pings are enabled.
  private var keepaliveTimeoutHandler: ConnectionTimer<KeepaliveTimeoutHandlerView>?

  /// Opaque data sent in keep alive pings.
  private let keepalivePingData: HTTP2PingData

  /// Whether a flush is pending.
  private var flushPending: Bool

  /// Whether `channelRead` has been called and `channelReadComplete` hasn't yet been called.
  /// Resets once `channelReadComplete` returns.
  private var inReadLoop: Bool

  /// The context of the channel this handler is in.
  private var context: ChannelHandlerContext?

  /// The current state of the connection.
  private var state: StateMachine

  /// Stats about recently written frames. Used to determine whether to reset keep-alive state.
  var frameStats: FrameStats

  struct FrameStats {
    private(set) var didWriteHeadersOrData = false

    /// Mark that a HEADERS or DATA frame has been written.
    mutating func wroteHeadersOrData() {
      self.didWriteHeadersOrData = true
    }

    /// Resets the state such that no HEADERS or DATA frames have been written.
    mutating func reset() {
      self.didWriteHeadersOrData = false
    }
  }

  /// A synchronous view over this handler.
  var syncView: SyncView {
    return SyncView(self)
  }

  /// A synchronous view over this handler.
  ///
  /// Methods on this view *must* be called from the same `EventLoop` as the `Channel` in which
  /// this handler exists.
  struct SyncView {
    private let handler: ConnectionManagementHandler

    fileprivate init(_ handler: ConnectionManagementHandler) {
      self.handler = handler
    }

    /// Notify the handler that the connection has received a flush event.
    func connectionWillFlush() {
      // The handler can't rely on `flush(context:)` due to its expected position in the pipeline.
      // It's expected to be placed after the HTTP/2 handler (i.e. closer to the application) as
      // it needs to receive HTTP/2 frames. However, flushes from stream channels aren't sent down
      // the entire connection channel, instead they are sent from the point in the channel they
      // are multiplexed from (either the HTTP/2 handler or the HTTP/2 multiplexing handler,
      // depending on how multiplexing is configured).
      self.handler.eventLoop.assertInEventLoop()
      if self.handler.frameStats.didWriteHeadersOrData {
        self.handler.frameStats.reset()
        self.handler.state.resetKeepaliveState()
      }
    }

    /// Notify the handler that a HEADERS or DATA frame was written.
    func wroteHeadersOrData() {
      self.handler.frameStats.wroteHeadersOrData()
    }
  }

  /// Creates a new handler which manages the lifecycle of a connection.
  ///
  /// - Parameters:
  ///   - eventLoop: The `EventLoop` of the `Channel` this handler is placed in.
  ///   - maxIdleTime: The maximum amount time a connection may be idle for before being closed.
  ///   - maxAge: The maximum amount of time a connection may exist before being gracefully closed.
  ///   - maxGraceTime: The maximum amount of time that the connection has to close gracefully.
  ///   - keepaliveTime: The amount of time to wait after reading data before sending a keep-alive
  ///       ping.
  ///   - keepaliveTimeout: The amount of time the client has to reply after the server sends a
  ///       keep-alive ping to keep the connection open. The connection is closed if no reply
  ///       is received.
  ///   - allowKeepaliveWithoutCalls: Whether the server allows the client to send keep-alive pings
  ///       when there are no calls in progress.
  ///   - minPingIntervalWithoutCalls: The minimum allowed interval the client is allowed to send
  ///       keep-alive pings. Pings more frequent than this interval count as 'strikes' and the
  ///       connection is closed if there are too many strikes.
  init(
    eventLoop: any EventLoop,
    maxIdleTime: TimeAmount?,
    maxAge: TimeAmount?,
    maxGraceTime: TimeAmount?,
    keepaliveTime: TimeAmount?,
    keepaliveTimeout: TimeAmount?,
    allowKeepaliveWithoutCalls: Bool,
    minPingIntervalWithoutCalls: TimeAmount
  ) {
    self.eventLoop = eventLoop

    // Generate a random value to be used as keep alive ping data.
    let pingData = UInt64.random(in: .min ... .max)
    self.keepalivePingData = HTTP2PingData(withInteger: pingData)

    self.state = StateMachine(
      allowKeepaliveWithoutCalls: allowKeepaliveWithoutCalls,
      minPingReceiveIntervalWithoutCalls: minPingIntervalWithoutCalls,
      goAwayPingData: HTTP2PingData(withInteger: ~pingData)
    )

    self.flushPending = false
    self.inReadLoop = false
    self.frameStats = FrameStats()


    if let maxIdleTime {
      self.maxIdleTimerHandler = ConnectionTimer(
        eventLoop: eventLoop,
        duration: maxIdleTime,
        repeating: false,
        handler: MaxIdleTimerHandlerView(self)
      )
    }
    if let maxAge {
      self.maxAgeTimerHandler = ConnectionTimer(
        eventLoop: eventLoop,
        duration: maxAge,
        repeating: false,
        handler: MaxAgeTimerHandlerView(self)
      )
    }
    if let maxGraceTime {
      self.maxGraceTimerHandler = ConnectionTimer(
        eventLoop: eventLoop,
        duration: maxGraceTime,
        repeating: false,
        handler: MaxGraceTimerHandlerView(self)
      )
    }
    if let keepaliveTime {
      let keepaliveTimeout = keepaliveTimeout ?? .seconds(20)
      // NOTE: The use of a non-repeating timer is deliberate for the server, and is different from the client.
      self.keepaliveTimerHandler = ConnectionTimer(
        eventLoop: eventLoop,
        duration: keepaliveTime,
        repeating: false,
        handler: KeepaliveTimerHandlerView(self)
      )
      self.keepaliveTimeoutHandler = ConnectionTimer(
        eventLoop: eventLoop,
        duration: keepaliveTimeout,
        repeating: false,
        handler: KeepaliveTimeoutHandlerView(self)
      )
    }
  }

  func handlerAdded(context: ChannelHandlerContext) {
    assert(context.eventLoop === self.eventLoop)
    self.context = context
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
  }

  func channelActive(context: ChannelHandlerContext) {
    self.maxAgeTimerHandler?.start()
    self.maxIdleTimerHandler?.start()
    self.keepaliveTimerHandler?.start()
    context.fireChannelActive()
  }

  func channelInactive(context: ChannelHandlerContext) {
    // Upstream 2.9.2 clears maxAgeTimerHandler here instead, so the age timer outlives the
    // connection: fixed in this copy.
    self.maxIdleTimerHandler?.cancel()
    self.maxIdleTimerHandler = nil

    self.maxAgeTimerHandler?.cancel()
    self.maxAgeTimerHandler = nil

    self.maxGraceTimerHandler?.cancel()
    self.maxGraceTimerHandler = nil

    self.keepaliveTimerHandler?.cancel()
    self.keepaliveTimerHandler = nil

    self.keepaliveTimeoutHandler?.cancel()
    self.keepaliveTimeoutHandler = nil

    context.fireChannelInactive()
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    switch event {
    case let event as NIOHTTP2StreamCreatedEvent:
      self._streamCreated(event.streamID, channel: context.channel)

    case let event as StreamClosedEvent:
      self._streamClosed(event.streamID, channel: context.channel)

    case is ChannelShouldQuiesceEvent:
      self.initiateGracefulShutdown()

    default:
      ()
    }

    context.fireUserInboundEventTriggered(event)
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if self.closeConnectionOnError(error) {
      context.close(mode: .all, promise: nil)
    }
  }

  private func closeConnectionOnError(_ error: any Error) -> Bool {
    switch error {
    case is NIOHTTP2Errors.NoSuchStream:
      // In most cases this represents incorrect client behaviour. However, NIOHTTP2 currently
      // emits this error if a server receives a HEADERS frame for a new stream after having sent
      // a GOAWAY frame. This can happen when a client opening a stream races with a server
      // shutting down.
      //
      // This should be resolved in NIOHTTP2: https://github.com/apple/swift-nio-http2/issues/466
      //
      // Only close the connection if it's not already closing (as this is the state in which the
      // error can be safely ignored).
      return !self.state.isClosing

    case is NIOHTTP2Errors.StreamError:
      // Stream errors occur in streams, they are only propagated down the connection channel
      // pipeline for vestigial reasons.
      return false

    default:
      // Everything else is considered terminal for the connection until we know better.
      return true
    }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    self.inReadLoop = true

    // Any read data indicates that the connection is alive so cancel the keep-alive timers.
    self.keepaliveTimerHandler?.cancel()
    self.keepaliveTimeoutHandler?.cancel()

    let frame = self.unwrapInboundIn(data)
    switch frame.payload {
    case .ping(let data, let ack):
      if ack {
        self.handlePingAck(context: context, data: data)
      } else {
        self.handlePing(context: context, data: data)
      }

    default:
      ()  // Only interested in PING frames, ignore the rest.
    }

    context.fireChannelRead(data)
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    while self.flushPending {
      self.flushPending = false
      context.flush()
    }

    self.inReadLoop = false

    // Done reading: schedule the keep-alive timer.
    self.keepaliveTimerHandler?.start()

    context.fireChannelReadComplete()
  }

  func flush(context: ChannelHandlerContext) {
    self.maybeFlush(context: context)
  }
}

// Timer handler views.
extension ConnectionManagementHandler {
  struct MaxIdleTimerHandlerView: @unchecked Sendable, NIOScheduledCallbackHandler {
    private let handler: ConnectionManagementHandler

    init(_ handler: ConnectionManagementHandler) {
      self.handler = handler
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
      self.handler.eventLoop.assertInEventLoop()
      self.handler.initiateGracefulShutdown()
    }
  }

  struct MaxAgeTimerHandlerView: @unchecked Sendable, NIOScheduledCallbackHandler {
    private let handler: ConnectionManagementHandler

    init(_ handler: ConnectionManagementHandler) {
      self.handler = handler
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
      self.handler.eventLoop.assertInEventLoop()
      self.handler.initiateGracefulShutdown()
    }
  }

  struct MaxGraceTimerHandlerView: @unchecked Sendable, NIOScheduledCallbackHandler {
    private let handler: ConnectionManagementHandler

    init(_ handler: ConnectionManagementHandler) {
      self.handler = handler
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
      self.handler.eventLoop.assertInEventLoop()
      self.handler.context?.close(promise: nil)
    }
  }

  struct KeepaliveTimerHandlerView: @unchecked Sendable, NIOScheduledCallbackHandler {
    private let handler: ConnectionManagementHandler

    init(_ handler: ConnectionManagementHandler) {
      self.handler = handler
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
      self.handler.eventLoop.assertInEventLoop()
      self.handler.keepaliveTimerFired()
    }
  }

  struct KeepaliveTimeoutHandlerView: @unchecked Sendable, NIOScheduledCallbackHandler {
    private let handler: ConnectionManagementHandler

    init(_ handler: ConnectionManagementHandler) {
      self.handler = handler
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
      self.handler.eventLoop.assertInEventLoop()
      self.handler.initiateGracefulShutdown()
    }
  }
}

extension ConnectionManagementHandler {
  private func _streamCreated(_ id: HTTP2StreamID, channel: any Channel) {
    // The connection isn't idle if a stream is open.
    self.maxIdleTimerHandler?.cancel()
    self.state.streamOpened(id)
  }

  private func _streamClosed(_ id: HTTP2StreamID, channel: any Channel) {
    guard let context = self.context else { return }

    switch self.state.streamClosed(id) {
    case .startIdleTimer:
      self.maxIdleTimerHandler?.start()
    case .close:
      // Defer until the next tick so the HTTP/2 handler's pending flush (which carries
      // the END_STREAM frame's bytes) propagates first; then half-close to wait for those
      // bytes to drain before fully closing.
      //
      // Without the half-close barrier any bytes still pending would be dropped on
      // full close.
      context.eventLoop.assumeIsolated().execute {
        Self.gracefullyClose(context: context)
      }

    case .none:
      ()
    }
  }
}

extension ConnectionManagementHandler {
  private func maybeFlush(context: ChannelHandlerContext) {
    if self.inReadLoop {
      self.flushPending = true
    } else {
      context.flush()
    }
  }

  private func initiateGracefulShutdown() {
    guard let context = self.context else { return }
    context.eventLoop.assertInEventLoop()

    // Cancel any timers if initiating shutdown.
    self.maxIdleTimerHandler?.cancel()
    self.maxAgeTimerHandler?.cancel()
    self.keepaliveTimerHandler?.cancel()
    self.keepaliveTimeoutHandler?.cancel()

    switch self.state.startGracefulShutdown() {
    case .sendGoAwayAndPing(let pingData):
      // There's a time window between the server sending a GOAWAY frame and the client receiving
      // it. During this time the client may open new streams as it doesn't yet know about the
      // GOAWAY frame.
      //
      // The server therefore sends a GOAWAY with the last stream ID set to the maximum stream ID
      // and follows it with a PING frame. When the server receives the ack for the PING frame it
      // knows that the client has received the initial GOAWAY frame and that no more streams may
      // be opened. The server can then send an additional GOAWAY frame with a more representative
      // last stream ID.
      let goAway = HTTP2Frame(
        streamID: .rootStream,
        payload: .goAway(
          lastStreamID: .maxID,
          errorCode: .noError,
          opaqueData: nil
        )
      )

      let ping = HTTP2Frame(streamID: .rootStream, payload: .ping(pingData, ack: false))

      context.write(self.wrapOutboundOut(goAway), promise: nil)
      context.write(self.wrapOutboundOut(ping), promise: nil)
      self.maybeFlush(context: context)

    case .none:
      ()  // Already shutting down.
    }
  }

  private func handlePing(context: ChannelHandlerContext, data: HTTP2PingData) {
    // The event loop's clock, not the wall's: upstream's tests move it (EmbeddedEventLoop).
    switch self.state.receivedPing(atTime: context.eventLoop.now, data: data) {
    case .enhanceYourCalmThenClose(let streamID):
      let goAway = HTTP2Frame(
        streamID: .rootStream,
        payload: .goAway(
          lastStreamID: streamID,
          errorCode: .enhanceYourCalm,
          opaqueData: context.channel.allocator.buffer(string: "too_many_pings")
        )
      )

      context.write(self.wrapOutboundOut(goAway), promise: nil)
      self.maybeFlush(context: context)

      // We must delay the channel close after sending the GOAWAY packet by a tick to make sure it
      // gets flushed and delivered to the client before the connection is closed.
      let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
      context.eventLoop.execute {
        loopBound.value.close(promise: nil)
      }

    case .sendAck:
      ()  // ACKs are sent by NIO's HTTP/2 handler, don't double ack.

    case .none:
      ()
    }
  }

  private func handlePingAck(context: ChannelHandlerContext, data: HTTP2PingData) {
    switch self.state.receivedPingAck(data: data) {
    case .sendGoAway(let streamID, let close):
      let goAway = HTTP2Frame(
        streamID: .rootStream,
        payload: .goAway(lastStreamID: streamID, errorCode: .noError, opaqueData: nil)
      )

      context.write(self.wrapOutboundOut(goAway), promise: nil)
      self.maybeFlush(context: context)

      if close {
        Self.gracefullyClose(context: context)
      } else {
        // RPCs may have a grace period for finishing once the second GOAWAY frame has finished.
        // If this is set close the connection abruptly once the grace period passes.
        self.maxGraceTimerHandler?.start()
      }

    case .none:
      ()
    }
  }

  /// Closes the connection gracefully.
  ///
  /// `close(mode: .all)` would drop any writes still queued in the channel's pending-writes
  /// buffer or the kernel send buffer. Half-closing the output side first acts as a drain
  /// barrier: the close-output promise only succeeds once all preceding writes have been
  /// written, after which the full close is safe.
  private static func gracefullyClose(context: ChannelHandlerContext) {
    let promise = context.eventLoop.makePromise(of: Void.self)
    context.close(mode: .output, promise: promise)
    promise.futureResult.assumeIsolated().whenComplete { _ in
      context.close(mode: .all, promise: nil)
    }
  }

  private func keepaliveTimerFired() {
    guard let context = self.context else { return }
    let ping = HTTP2Frame(streamID: .rootStream, payload: .ping(self.keepalivePingData, ack: false))
    context.write(self.wrapInboundOut(ping), promise: nil)
    self.maybeFlush(context: context)

    // Schedule a timeout on waiting for the response.
    self.keepaliveTimeoutHandler?.start()
  }
}
