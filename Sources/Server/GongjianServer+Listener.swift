internal import GRPCCore
internal import GRPCNIOTransportHTTP2
internal import NIOCore

extension GongjianServer {
  /// The mutual-TLS listener: the lean path's own connections, or grpc-swift's transport and
  /// GRPCCore (`transport.lean_path: false`).
  enum Listener: Sendable {
    case lean(LeanServer)
    case grpc(GRPCServer<HTTP2ServerTransport.Custom<MutualTLSListener>>, HTTP2ServerTransport.Custom<MutualTLSListener>)

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
