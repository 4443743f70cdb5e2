internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2
internal import NIOPosix
internal import Synchronization

/// The mutual-TLS listener of the lean path: Gongjian's own HTTP/2 connections, without
/// grpc-swift-nio-transport or GRPCCore.
///
/// Each accepted connection gets mutual TLS (``MutualTLS``), SwiftNIO's HTTP/2 handler with
/// the configured settings and no stream multiplexer, ``ConnectionManagementHandler``
/// (keepalive and its enforcement, idle and age limits, graceful GOAWAY; grpc-swift-nio-transport's
/// own, adapted) and ``LeanConnectionHandler``, which serves each HTTP/2 stream on the
/// connection's pipeline by stream id: no child channel, pipeline, grpc-swift stream handler,
/// `NIOAsyncChannel` or task per stream, which grpc-swift-nio-transport builds before the headers
/// say which method is called.
final class LeanServer: Sendable {
  /// What the connections are configured with.
  struct Settings: Sendable {
    var host: String
    var port: Int
    var limits: ServerConfiguration.Limits
    var connections: ServerConfiguration.Connections
  }

  private struct State {
    var listener: (any Channel)?
    var connections: [ObjectIdentifier: any Channel] = [:]
    var draining = false
    /// Waits for the last connection to close once draining.
    var drained: [CheckedContinuation<Void, Never>] = []
  }

  private let settings: Settings
  private let tls: MutualTLS
  private let methods: LeanMethods
  private let eventLoopGroup: any EventLoopGroup
  private let state = Mutex(State())
  private let bound: EventLoopPromise<SocketAddress?>

  init(settings: Settings, tls: MutualTLS, methods: LeanMethods, eventLoopGroup: any EventLoopGroup) {
    self.bound = eventLoopGroup.any().makePromise()
    self.settings = settings
    self.tls = tls
    self.methods = methods
    self.eventLoopGroup = eventLoopGroup
  }

  /// The address the server listens on, once it does; nil if it could not bind.
  var listeningAddress: SocketAddress? {
    get async { try? await self.bound.futureResult.get() }
  }

  /// Listens until ``beginGracefulShutdown()`` has drained every connection, or the task is
  /// cancelled (every connection is then closed at once).
  func run() async throws {
    let listener: any Channel
    do {
      listener = try await ServerBootstrap(group: self.eventLoopGroup)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .serverChannelOption(.backlog, value: 256)
        .childChannelInitializer { channel in self.configure(connection: channel) }
        .bind(host: self.settings.host, port: self.settings.port)
        .get()
    } catch {
      self.bound.succeed(nil)
      throw error
    }
    let draining = self.state.withLock { state in
      state.listener = listener
      return state.draining
    }
    if draining { listener.close(promise: nil) }
    self.bound.succeed(listener.localAddress)
    await withTaskCancellationHandler {
      try? await listener.closeFuture.get()
      await withCheckedContinuation { continuation in
        let done = self.state.withLock { state in
          if state.connections.isEmpty { return true }
          state.drained.append(continuation)
          return false
        }
        if done { continuation.resume() }
      }
    } onCancel: {
      let (listener, connections) = self.state.withLock { state in
        state.draining = true
        return (state.listener, Array(state.connections.values))
      }
      listener?.close(promise: nil)
      for connection in connections { connection.close(promise: nil) }
    }
  }

  /// Stops accepting connections and asks every open one to drain: GOAWAY, its running calls
  /// finish, then it closes (``ConnectionManagementHandler``).
  func beginGracefulShutdown() {
    let (listener, connections) = self.state.withLock { state in
      state.draining = true
      return (state.listener, Array(state.connections.values))
    }
    listener?.close(promise: nil)
    for connection in connections {
      connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
  }

  private func configure(connection channel: any Channel) -> EventLoopFuture<Void> {
    let registered = self.state.withLock { state -> Bool in
      guard !state.draining else { return false }
      state.connections[ObjectIdentifier(channel)] = channel
      return true
    }
    guard registered else {
      channel.close(promise: nil)
      return channel.eventLoop.makeSucceededVoidFuture()
    }
    channel.closeFuture.whenComplete { _ in self.closed(channel) }
    return self.tls.install(on: channel).flatMapThrowing {
      try self.addHTTP2(to: channel)
    }
  }

  private func closed(_ channel: any Channel) {
    let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
      state.connections.removeValue(forKey: ObjectIdentifier(channel))
      guard state.connections.isEmpty else { return [] }
      defer { state.drained.removeAll() }
      return state.drained
    }
    for waiter in waiters { waiter.resume() }
  }

  /// HTTP/2 with the configured settings, the connection's management, and the lean stream
  /// handlers in every stream the client opens.
  private func addHTTP2(to channel: any Channel) throws {
    let limits = self.settings.limits
    let connections = self.settings.connections
    let manager = ConnectionManagementHandler(
      eventLoop: channel.eventLoop,
      maxIdleTime: TimeAmount(limits.maxConnectionIdle),
      maxAge: connections.maxConnectionAge.map { TimeAmount($0) },
      maxGraceTime: connections.maxConnectionAgeGrace.map { TimeAmount($0) },
      keepaliveTime: TimeAmount(connections.keepaliveTime),
      keepaliveTimeout: TimeAmount(connections.keepaliveTimeout),
      allowKeepaliveWithoutCalls: connections.allowClientPingsWithoutCalls,
      minPingIntervalWithoutCalls: TimeAmount(connections.minClientPingInterval)
    )
    let sync = channel.pipeline.syncOperations
    let authenticator = try sync.handler(type: ConnectionAuthenticator.self)
    let streams = LeanConnectionHandler(
      configuration: LeanConnectionHandler.Configuration(
        methods: self.methods,
        peers: LeanConnectionHandler.Peers(
          remote: channel.remoteAddress.map(LeanConnectionHandler.peer) ?? "unknown",
          local: channel.localAddress.map(LeanConnectionHandler.peer) ?? "unknown"
        ),
        limit: limits.maxRequestMessageBytes(path:),
        targetWindowSize: Self.targetWindowSize
      ),
      authenticator: authenticator,
      management: manager.syncView,
      eventLoop: channel.eventLoop
    )
    // Without a stream multiplexer: frames come to the connection's pipeline, and the streams'
    // handler learns from the frame delegate when their DATA leaves.
    let http2 = NIOHTTP2Handler(
      mode: .server,
      frameDelegate: streams,
      connectionConfiguration: Self.connectionConfiguration(limits),
      // Its reset and stream-error rate limits at SwiftNIO's defaults; its window and
      // watermarks are the stream multiplexer's, which is not used here.
      streamConfiguration: NIOHTTP2Handler.StreamConfiguration()
    )
    try sync.addHandler(http2)
    try sync.addHandler(streams)
    try sync.addHandler(manager)
  }

  /// The window each stream and the connection start with and are topped up to (by
  /// ``LeanConnectionHandler``), as grpc-swift-nio-transport's server sets it (64 KiB - 1,
  /// HTTP/2's default).
  static let targetWindowSize = 65_535

  static func connectionConfiguration(_ limits: ServerConfiguration.Limits) -> NIOHTTP2Handler.ConnectionConfiguration {
    var configuration = NIOHTTP2Handler.ConnectionConfiguration()
    // SwiftNIO counts PINGs with SETTINGS and PRIORITY against one limit, 200 in 30 s by
    // default; grpc-go's clients send a BDP ping with nearly every burst of data they receive, so
    // a live subscription or a pull ended in ENHANCE_YOUR_CALM within seconds. PINGs are policed
    // by the gRPC keepalive policy (``ConnectionManagementHandler``: strikes unless the server
    // sent data), SETTINGS and PRIORITY by ``LeanConnectionHandler`` at SwiftNIO's 200 in 30 s;
    // this stays as a backstop against a flood of any of them (its memory is reserved up front,
    // so its count stays at the default).
    configuration.controlFrameRateLimit.maximumCount = 200
    configuration.controlFrameRateLimit.windowLength = .milliseconds(100)
    var settings = HTTP2Settings([
      HTTP2Setting(parameter: .initialWindowSize, value: Self.targetWindowSize),
      HTTP2Setting(parameter: .maxFrameSize, value: 1 << 14),
      HTTP2Setting(parameter: .maxHeaderListSize, value: HPACKDecoder.defaultMaxHeaderListSize),
    ])
    settings.append(HTTP2Setting(parameter: .maxConcurrentStreams, value: limits.maxConcurrentStreams))
    configuration.initialSettings = settings
    return configuration
  }
}
