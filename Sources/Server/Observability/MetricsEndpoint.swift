internal import Foundation
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// A plain HTTP/1.1 endpoint that answers `GET /metrics` with the Prometheus text format, on its
/// own port, apart from the gRPC port and its mutual TLS.
struct MetricsEndpoint: Sendable {
  let host: String
  let port: Int
  let render: @Sendable () -> [UInt8]

  /// Binds and serves until `shutdown` completes; calls `onBound` with the bound port.
  func run(until shutdown: @escaping @Sendable () async -> Void, onBound: @Sendable (Int) -> Void) async throws {
    let render = self.render
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 64)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.pipeline.configureHTTPServerPipeline().flatMap {
          channel.pipeline.addHandler(Handler(render: render))
        }
      }
      .bind(host: self.host, port: self.port)
      .get()
    onBound(channel.localAddress?.port ?? self.port)
    await shutdown()
    try? await channel.close()
  }

  final class Handler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let render: @Sendable () -> [UInt8]
    var path = ""

    init(render: @escaping @Sendable () -> [UInt8]) {
      self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      switch self.unwrapInboundIn(data) {
      case .head(let head):
        self.path = head.method == .GET ? head.uri : ""
      case .body:
        break
      case .end:
        let found = self.path == "/metrics"
        let body = found ? self.render() : Array("not found: the metrics are at /metrics\n".utf8)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: "close")
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: found ? .ok : .notFound, headers: headers))), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        // Connection: close; the channel closes itself once the response is flushed.
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
      }
    }
  }
}
