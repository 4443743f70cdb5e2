internal import GRPCCore
internal import GRPCNIOTransportHTTP2
internal import NIOCore
internal import NIOPosix

extension GongjianServer {
  /// The mutual-TLS listener: the lean path's own connections, or grpc-swift's transport and
  /// GRPCCore (`transport.lean_path: false`).
  enum Listener: Sendable {
    case lean(LeanServer)
    case grpc(GRPCServer<HTTP2ServerTransport.Custom<MutualTLSListener>>, HTTP2ServerTransport.Custom<MutualTLSListener>)

    /// grpc-swift-nio-transport with Gongjian's mutual TLS in front and its stream guard in each
    /// stream, serving every service through GRPCCore.
    static func grpc(configuration: ServerConfiguration, tls: MutualTLS, services: GongjianServices, admission: CallAdmission) -> Self {
      let limits = configuration.limits
      let connections = configuration.connections
      var transportConfig = HTTP2ServerTransport.Custom<MutualTLSListener>.Config.defaults
      // Each method's limit is applied by the stream guard before this hard cap is reached.
      transportConfig.rpc.maxRequestPayloadSize = limits.largestRequestMessageBytes + 1
      transportConfig.http2.maxConcurrentStreams = limits.maxConcurrentStreams
      transportConfig.connection.maxIdleTime = limits.maxConnectionIdle
      // Flushes are merged per event-loop turn by FlushConsolidator; grpc-swift's coalescer would
      // hold each one up to 100 µs more on a timer of its own.
      transportConfig.connection.flushCoalescing = nil
      transportConfig.connection.maxAge = connections.maxConnectionAge
      transportConfig.connection.maxGraceTime = connections.maxConnectionAgeGrace
      transportConfig.connection.keepalive = .init(
        time: connections.keepaliveTime, timeout: connections.keepaliveTimeout,
        clientBehavior: .init(
          minPingIntervalWithoutCalls: connections.minClientPingInterval, allowWithoutCalls: connections.allowClientPingsWithoutCalls
        )
      )
      transportConfig.channelDebuggingCallbacks.onAcceptHTTP2Stream = { stream in
        stream.eventLoop.makeCompletedFuture {
          let guardHandler = StreamGuard(identity: MutualTLS.identity(of: stream), limit: limits.maxRequestMessageBytes(path:))
          try stream.pipeline.syncOperations.addHandler(guardHandler, position: .first)
        }
      }
      let listen = configuration.listen
      let transport = HTTP2ServerTransport.Custom(
        listenerFactory: MutualTLSListener(host: listen.host, port: listen.port, tls: tls, eventLoopGroup: MultiThreadedEventLoopGroup.singleton),
        config: transportConfig
      )
      let server = GRPCServer(transport: transport, services: services.rpcServices, interceptors: [AuthenticationInterceptor(admission: admission)])
      return .grpc(server, transport)
    }

    /// Serves until drained or cancelled.
    func serve() async throws {
      switch self {
      case .lean(let server): try await server.run()
      case .grpc(let server, _): try await server.serve()
      }
    }

    /// Stops accepting connections; open ones drain.
    func beginGracefulShutdown() {
      switch self {
      case .lean(let server): server.beginGracefulShutdown()
      case .grpc(let server, _): server.beginGracefulShutdown()
      }
    }

    /// The host and port it listens on, once it does; nil if it could not bind.
    func listeningAddress() async -> (host: String, port: Int)? {
      switch self {
      case .lean(let server):
        guard let address = await server.listeningAddress, let host = address.ipAddress, let port = address.port else { return nil }
        return (host, port)
      case .grpc(_, let transport):
        guard let bound = await transport.listeningAddress else { return nil }
        return bound.ipv4.map { ($0.host, $0.port) } ?? bound.ipv6.map { ($0.host, $0.port) }
      }
    }
  }
}
