internal import NIOCore

/// Where a lean server-streaming method sends its responses: straight to the HTTP/2 stream the
/// call arrived on, on that stream's event loop.
///
/// A send does not wait for the event loop while the stream can take more (the writes of one
/// turn of the loop leave in one flush, ``FlushConsolidator``); when HTTP/2 flow control or the
/// socket holds the stream back, it waits until the stream is writable again, so a slow client
/// holds back its own subscription and nothing else.
struct LeanResponseStream: Sendable {
  private let channel: any Channel
  private let handler: NIOLoopBound<(LeanStreamHandler, ChannelHandlerContext)>

  init(channel: any Channel, handler: NIOLoopBound<(LeanStreamHandler, ChannelHandlerContext)>) {
    self.channel = channel
    self.handler = handler
  }

  /// Sends one response message (its encoded bytes, without the gRPC prefix).
  ///
  /// - Throws: `CancellationError` when the stream has ended (reset, deadline, connection gone).
  func send(_ message: [UInt8]) async throws {
    let handler = self.handler
    let eventLoop = self.channel.eventLoop
    eventLoop.execute { handler.value.0.send(context: handler.value.1, message) }
    if !self.channel.isWritable {
      try await eventLoop.flatSubmit { handler.value.0.whenWritable(context: handler.value.1) }.get()
    }
  }
}
