internal import NIOCore

/// Sits behind the TLS handler and hands HTTP/2 a right-sized copy of each decrypted read.
///
/// NIOSSL decrypts into one 32 KiB buffer per connection and passes slices of it on. The HTTP/2
/// frame decoder keeps the last slice until the next read, so NIOSSL's next write into the
/// buffer copies it (copy-on-write) and an idle connection holds two 32 KiB buffers: a third of
/// its memory (measured with heaptrack: `SSLConnection.readDataFromNetwork` reallocating a slice
/// on every connection). With a copy, what HTTP/2 keeps is the size of what was read, and NIOSSL
/// reuses its buffer in place. The copy costs one allocation and a `memcpy` per read.
final class ReadDetacher: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let read = self.unwrapInboundIn(data)
    var copy = context.channel.allocator.buffer(capacity: read.readableBytes)
    copy.writeImmutableBuffer(read)
    context.fireChannelRead(self.wrapInboundOut(copy))
  }
}
