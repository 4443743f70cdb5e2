@testable import GongjianServer
import Testing

@Suite("A live subscriber's wake-ups")
struct WakeSignalTests {
  @Test("Wakes given before a wait are kept, the newest two; a finish ends the waits after them")
  func keepsTheNewestTwo() async {
    let signal = WakeSignal()
    signal.yield(.commit)
    signal.yield(.commit)
    signal.yield(.heartbeat)
    #expect(await signal.next() == .commit)
    #expect(await signal.next() == .heartbeat)
    signal.yield(.commit)
    signal.finish()
    signal.yield(.heartbeat)
    #expect(await signal.next() == .commit, "kept before the finish")
    #expect(await signal.next() == nil)
    #expect(await signal.next() == nil)
  }

  /// Waits until a task waits in the signal: the wake then goes to a waiter, not to the kept ones.
  func untilWaiting(_ signal: WakeSignal) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while !signal.hasWaiter {
      guard ContinuousClock.now < deadline else {
        Issue.record("no task waited within 5 s")
        return
      }
      try await Task.sleep(for: .milliseconds(1))
    }
  }

  @Test("A waiting subscriber is woken by a yield, and by a finish")
  func wakesAWaiter() async throws {
    let signal = WakeSignal()
    async let woken = signal.next()
    try await self.untilWaiting(signal)
    signal.yield(.heartbeat)
    #expect(await woken == .heartbeat)
    async let ended = signal.next()
    try await self.untilWaiting(signal)
    signal.finish()
    #expect(await ended == nil)
  }

  @Test("Cancelling the waiting task ends its wait, before or while it waits")
  func cancellation() async {
    let signal = WakeSignal()
    let waiting = Task { await signal.next() }
    try? await self.untilWaiting(signal)
    waiting.cancel()
    #expect(await waiting.value == nil)
    let cancelledFirst = Task {
      withUnsafeCurrentTask { $0?.cancel() }
      return await signal.next()
    }
    #expect(await cancelledFirst.value == nil)
    var seen: [ChangeHub.Wake] = []
    signal.yield(.commit)
    signal.finish()
    for await wake in signal { seen.append(wake) }
    #expect(seen == [.commit])
  }
}
