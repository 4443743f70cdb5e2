@testable import GongjianServer
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@Suite("Connection handlers between TLS and HTTP/2")
struct ConnectionHandlersTests {
  @Test("HTTP/2 gets a right-sized copy of each decrypted read, never a slice of NIOSSL's buffer")
  func copiesOutOfTheTLSBuffer() throws {
    let channel = EmbeddedChannel(handler: ReadDetacher())
    defer { _ = try? channel.finish() }
    // Like NIOSSL: one large buffer per connection, of which each read passes a slice on.
    var tlsBuffer = ByteBufferAllocator().buffer(capacity: 32 * 1024)
    tlsBuffer.writeString("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    try channel.writeInbound(tlsBuffer)
    let forwarded = try #require(try channel.readInbound(as: ByteBuffer.self))
    #expect(forwarded == tlsBuffer)
    #expect(forwarded.capacity < 1024, "sized to the read, not to the TLS buffer")
    let tlsBase = tlsBuffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
    let forwardedBase = forwarded.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
    #expect(tlsBase != forwardedBase, "the TLS buffer's storage is not shared")
    // An empty read passes on as an empty buffer.
    try channel.writeInbound(ByteBuffer())
    #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == 0)
  }

  /// Counts the flushes that reach the TLS side.
  final class FlushCounter: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
    var flushes = 0
    func flush(context: ChannelHandlerContext) {
      self.flushes += 1
      context.flush()
    }
  }

  @Test("A lone flush goes out at once; flushes during its turn leave together; a close flushes first")
  func consolidatesFlushes() throws {
    let counter = FlushCounter()
    let channel = EmbeddedChannel()
    try channel.pipeline.syncOperations.addHandlers([counter, FlushConsolidator()])
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    func written() throws -> [String] {
      var out: [String] = []
      while let buffer = try channel.readOutbound(as: ByteBuffer.self) { out.append(String(buffer: buffer)) }
      return out
    }
    try channel.writeAndFlush(ByteBuffer(string: "a")).wait()
    #expect(try written() == ["a"] && counter.flushes == 1, "no wait for a lone flush")
    // Three streams flush in the same turn of the event loop.
    for frame in ["b", "c", "d"] { channel.writeAndFlush(ByteBuffer(string: frame), promise: nil) }
    #expect(try written().isEmpty && counter.flushes == 1, "held until the turn ends")
    channel.embeddedEventLoop.run()
    #expect(try written() == ["b", "c", "d"] && counter.flushes == 2, "one flush for the three")
    // The next turn: again at once.
    try channel.writeAndFlush(ByteBuffer(string: "e")).wait()
    #expect(try written() == ["e"] && counter.flushes == 3)
    channel.writeAndFlush(ByteBuffer(string: "f"), promise: nil)
    #expect(try written().isEmpty)
    // A close never leaves a written frame behind.
    let closed = channel.close()
    #expect(try written() == ["f"])
    channel.embeddedEventLoop.run()
    try closed.wait()
  }

  @Test("The small writes of a flush leave as one buffer; a large write passes after them; promises complete")
  func joinsSmallWrites() throws {
    let channel = EmbeddedChannel(handler: WriteCoalescer())
    defer { _ = try? channel.finish() }
    let promise = channel.eventLoop.makePromise(of: Void.self)
    let written = NIOLockedValueBox(false)
    promise.futureResult.whenSuccess { written.withLockedValue { $0 = true } }
    channel.write(IOData.byteBuffer(ByteBuffer(string: "header")), promise: nil)
    channel.write(IOData.byteBuffer(ByteBuffer(string: "-payload")), promise: promise)
    channel.write(IOData.byteBuffer(ByteBuffer(string: "-trailers")), promise: nil)
    #expect(try channel.readOutbound(as: IOData.self) == nil, "nothing leaves before the flush")
    channel.flush()
    #expect(try channel.readOutbound(as: IOData.self) == .byteBuffer(ByteBuffer(string: "header-payload-trailers")))
    #expect(try channel.readOutbound(as: IOData.self) == nil)
    #expect(written.withLockedValue { $0 }, "the joined write's promise completed the one given")

    let large = ByteBuffer(repeating: 7, count: WriteCoalescer.limit)
    channel.write(IOData.byteBuffer(ByteBuffer(string: "before")), promise: nil)
    channel.write(IOData.byteBuffer(large), promise: nil)
    channel.write(IOData.byteBuffer(ByteBuffer(string: "after")), promise: nil)
    channel.flush()
    #expect(try channel.readOutbound(as: IOData.self) == .byteBuffer(ByteBuffer(string: "before")))
    #expect(try channel.readOutbound(as: IOData.self) == .byteBuffer(large))
    #expect(try channel.readOutbound(as: IOData.self) == .byteBuffer(ByteBuffer(string: "after")))

    // Joined buffers stay within one TLS record.
    let half = ByteBuffer(repeating: 1, count: WriteCoalescer.limit / 2 + 1)
    channel.write(IOData.byteBuffer(half), promise: nil)
    channel.write(IOData.byteBuffer(half), promise: nil)
    channel.flush()
    #expect(try channel.readOutbound(as: IOData.self) == .byteBuffer(half))
    #expect(try channel.readOutbound(as: IOData.self) == .byteBuffer(half))
  }
}
