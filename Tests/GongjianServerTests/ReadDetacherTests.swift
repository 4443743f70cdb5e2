@testable import GongjianServer
import NIOCore
import NIOEmbedded
import Testing

@Suite("Reads handed to HTTP/2")
struct ReadDetacherTests {
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
}
