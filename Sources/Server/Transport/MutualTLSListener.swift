internal import GRPCNIOTransportHTTP2
internal import NIOCore
internal import NIOPosix

/// Accepts connections for the gRPC transport with Gongjian's mutual TLS at the front of each
/// (`HTTP2ServerTransport.Custom`'s listener).
///
/// A listener of our own rather than `HTTP2ServerTransport.Posix`: `Posix` re-reads and parses
/// the peer certificate on every stream, which cost 12% of a `whoami`'s server CPU; here the
/// identity is established once per connection (``ConnectionAuthenticator``) and stamped into
/// each of its streams (``StreamGuard``).
struct MutualTLSListener: HTTP2ServerTransport.ListenerFactory {
  let host: String
  let port: Int
  let tls: MutualTLS
  let eventLoopGroup: any EventLoopGroup

  func makeListeningChannel(
    listenerConfigurator: HTTP2ServerTransport.ListenerConfigurator,
    connectionConfigurator: HTTP2ServerTransport.ConnectionConfigurator
  ) async throws -> NIOAsyncChannel<HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel, Never> {
    let tls = self.tls
    return try await ServerBootstrap(group: self.eventLoopGroup)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .serverChannelInitializer { channel in listenerConfigurator.configure(channel: channel) }
      .bind(host: self.host, port: self.port) { channel in
        // A refused connection fails here, after it was closed; the transport never sees it.
        tls.install(on: channel).flatMap {
          connectionConfigurator.configure(channel: channel, tls: .configured(requireALPN: false))
        }
      }
  }
}
