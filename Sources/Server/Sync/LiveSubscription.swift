internal import NIOCore

/// The transport's side of a live subscription: the response stream of a `Subscribe` call,
/// which the change hub writes to itself, on the stream's event loop.
protocol LiveStream: Sendable {
  /// The event loop every method below is called on.
  var eventLoop: any EventLoop { get }
  /// A response message framed as the stream sends it (gRPC's length prefix): made once per
  /// commit and event loop, and written to every live subscriber there.
  func frame(_ message: [UInt8]) -> ByteBuffer
  /// Writes one framed message; false when the stream cannot take it now (flow control or the
  /// socket holds it back) or has ended.
  func write(framed: ByteBuffer) -> Bool
  /// Flushes what was written (a second flush of the same connection in one turn costs nothing).
  func flush()
}

/// A subscriber whose changes the hub writes to its stream itself while the subscriber is live
/// (caught up and keeping up), instead of waking the subscriber's task for every commit: a
/// commit's changes are encoded and framed once for all subscribers on an event loop, and written
/// to each of them in one turn of that loop, with one flush per connection.
///
/// The subscriber's task does the catch-up, then asks the hub to go live
/// (``ChangeHub/goLive(tenantID:id:cursor:)``), which hands the cursor over to this object in
/// the order of the event loop's queue (after the task's own sends, before any commit the hub
/// delivers). When a stream cannot take a change, this object falls behind: it drops what the hub
/// has queued since, and the hub wakes the task, which takes the cursor of the last change
/// written (``stop()``, again in the loop's order) and catches up from it as any subscriber does.
/// So nothing is lost or sent twice, and a slow subscriber holds back nobody else.
///
/// Its state is only touched on `stream.eventLoop`.
final class LiveSubscription: @unchecked Sendable {
  let stream: any LiveStream
  /// Tells the hub that this subscriber fell behind (called on the event loop).
  private let fellBehind: @Sendable () -> Void
  /// The sequence of the last change written to the stream.
  private var delivered: UInt64 = 0
  /// Whether the hub's deliveries are dropped: until the task hands the cursor over, and from
  /// the first change the stream could not take.
  private var behind = true

  init(stream: any LiveStream, fellBehind: @escaping @Sendable () -> Void) {
    self.stream = stream
    self.fellBehind = fellBehind
  }

  var eventLoop: any EventLoop { self.stream.eventLoop }

  /// The task has written everything up to `cursor`: the hub's deliveries follow from there.
  func resume(at cursor: UInt64) {
    self.eventLoop.assertInEventLoop()
    self.delivered = cursor
    self.behind = false
  }

  /// Writes the changes `first...last` (a message framed by ``LiveStream/frame(_:)``) unless
  /// the subscriber fell behind; the caller flushes.
  func deliver(_ framed: ByteBuffer, first: UInt64, last: UInt64) {
    self.eventLoop.assertInEventLoop()
    guard !self.behind else { return }
    guard first == self.delivered + 1, self.stream.write(framed: framed) else {
      self.behind = true
      self.fellBehind()
      return
    }
    self.delivered = last
  }

  /// Ends the hub's deliveries; the cursor of the last change written, from which the task
  /// catches up.
  func stop() -> UInt64 {
    self.eventLoop.assertInEventLoop()
    self.behind = true
    return self.delivered
  }

  /// Writes a heartbeat made for the last change written, unless the subscriber fell behind.
  func heartbeat(_ make: (_ head: UInt64) -> [UInt8]) {
    self.eventLoop.assertInEventLoop()
    guard !self.behind else { return }
    if self.stream.write(framed: self.stream.frame(make(self.delivered))) {
      self.stream.flush()
    } else {
      self.behind = true
      self.fellBehind()
    }
  }
}
