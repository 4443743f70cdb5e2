internal import NIOCore

/// Sits between TLS and HTTP/2 and joins the small writes of one flush into one buffer, so that
/// TLS seals them into one record.
///
/// SwiftNIO's HTTP/2 handler writes each frame on its own, and a DATA frame as two writes (its
/// 9-byte header, then its payload); NIOSSL seals every write into a TLS record of its own. A
/// message to each of 125 subscribers of a connection was 250 records, each with its own
/// header, tag and sealing, and as many for the client to open; a unary answer was four. Here
/// the writes up to the next flush are joined (copied) into buffers of up to 16 KiB, one TLS
/// record's worth; a larger write passes as it is, after what was joined before it, so the
/// order of the bytes never changes. Write promises complete when the joined write does.
final class WriteCoalescer: ChannelOutboundHandler {
  typealias OutboundIn = IOData
  typealias OutboundOut = IOData

  /// The largest TLS record's plaintext.
  static let limit = 16 * 1024

  private var joined: ByteBuffer?
  private var promise: EventLoopPromise<Void>?

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    guard case .byteBuffer(var buffer) = self.unwrapOutboundIn(data), buffer.readableBytes < Self.limit else {
      self.emit(context: context)
      context.write(data, promise: promise)
      return
    }
    guard var joined = self.joined else {
      // The first write of a flush is kept as it is: a lone write is never copied.
      self.joined = buffer
      self.promise = promise
      return
    }
    guard joined.readableBytes + buffer.readableBytes <= Self.limit else {
      self.emit(context: context)
      self.joined = buffer
      self.promise = promise
      return
    }
    self.joined = nil  // so that the append below does not copy on write
    joined.writeBuffer(&buffer)
    self.joined = joined
    if let promise {
      if let existing = self.promise {
        existing.futureResult.cascade(to: promise)
      } else {
        self.promise = promise
      }
    }
  }

  func flush(context: ChannelHandlerContext) {
    self.emit(context: context)
    context.flush()
  }

  func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
    self.emit(context: context)
    context.close(mode: mode, promise: promise)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.emit(context: context)
  }

  /// Passes on what was joined.
  private func emit(context: ChannelHandlerContext) {
    guard let joined = self.joined else { return }
    let promise = self.promise
    self.joined = nil
    self.promise = nil
    context.write(self.wrapOutboundOut(.byteBuffer(joined)), promise: promise)
  }
}
