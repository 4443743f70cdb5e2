internal import NIOCore

/// Sits between TLS and HTTP/2 and merges the flushes that pile up on a connection's event loop
/// (the idea of Netty's `FlushConsolidationHandler`).
///
/// Every stream flushes on its own: a commit delivered to 125 subscribers of one connection made
/// 125 flushes, each sealing a TLS record and making a `write` system call (the TLS handler's
/// flushes were 28.8% of the server's samples under the fan-out load). The first flush goes out
/// at once, so a lone call waits for nothing; flushes after it wait for a task queued behind the
/// work already waiting on the event loop, and leave together. Writes always pass at once, and a
/// close flushes first, so nothing written is held back.
final class FlushConsolidator: ChannelOutboundHandler {
  typealias OutboundIn = NIOAny
  typealias OutboundOut = NIOAny

  /// A flush went out and the task that ends its turn is queued.
  private var inTurn = false
  /// A flush arrived during the turn.
  private var flushPending = false
  private var removed = false

  func flush(context: ChannelHandlerContext) {
    guard !self.inTurn else {
      self.flushPending = true
      return
    }
    self.inTurn = true
    context.flush()
    context.eventLoop.assumeIsolated().execute {
      self.inTurn = false
      self.flushIfPending(context: context)
    }
  }

  func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
    self.flushIfPending(context: context)
    context.close(mode: mode, promise: promise)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.flushIfPending(context: context)
    self.removed = true
  }

  private func flushIfPending(context: ChannelHandlerContext) {
    guard self.flushPending, !self.removed else { return }
    self.flushPending = false
    context.flush()
  }
}
