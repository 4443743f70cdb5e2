internal import NIOCore
internal import Synchronization

/// Where a lean server-streaming method sends its responses: straight to the HTTP/2 stream the
/// call arrived on, on its connection's event loop.
///
/// A send does not wait for the event loop while the stream can take more (the writes of one
/// turn of the loop leave in one flush, ``FlushConsolidator``). It waits when HTTP/2 flow
/// control or the socket holds the stream back, until the stream is writable again, so a slow
/// client holds back its own subscription and nothing else; and after every
/// ``LeanResponseStream/unconfirmedLimit`` bytes handed over, until the event loop has taken
/// them, so that the messages queued on the loop (not yet counted by the stream's writability)
/// stay bounded however fast the method produces them.
struct LeanResponseStream: Sendable {
  /// Bytes a send may hand to the event loop before it waits for the loop to take them.
  static let unconfirmedLimit = 256 * 1024

  private final class Unconfirmed: Sendable {
    let bytes = Atomic<Int>(0)
  }

  private let eventLoop: any EventLoop
  private let stream: NIOLoopBound<LeanStream>
  private let writability: LeanStream.Writability
  private let unconfirmed = Unconfirmed()

  init(eventLoop: any EventLoop, stream: NIOLoopBound<LeanStream>, writability: LeanStream.Writability) {
    self.eventLoop = eventLoop
    self.stream = stream
    self.writability = writability
  }

  /// The stream as the change hub writes to it.
  var live: any LiveStream {
    LeanLiveStream(eventLoop: self.eventLoop, stream: self.stream)
  }

  /// Sends one response message (its encoded bytes, without the gRPC prefix).
  ///
  /// - Throws: `CancellationError` when the stream has ended (reset, deadline, connection gone).
  func send(_ message: [UInt8]) async throws {
    let stream = self.stream
    self.eventLoop.execute { stream.value.send(message) }
    let handed = self.unconfirmed.bytes.add(message.count + 5, ordering: .relaxed).newValue
    if handed >= Self.unconfirmedLimit || !self.writability.isWritable {
      // Queued behind the sends above: when it runs, they have been written to the stream.
      try await self.eventLoop.flatSubmit { stream.value.whenWritable() }.get()
      self.unconfirmed.bytes.store(0, ordering: .relaxed)
    }
  }
}
