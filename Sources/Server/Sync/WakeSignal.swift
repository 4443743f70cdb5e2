internal import Synchronization

/// A live subscriber's wake-ups: the hub's commits and the subscriber's own heartbeat timer.
///
/// At most the newest two are kept: every wake means "catch up", so dropping older ones loses
/// nothing, and a slow subscriber's memory does not grow. It does what an `AsyncStream` with
/// `.bufferingNewest(2)` did, without its generic storage: with 1,000 subscribers, a commit
/// wakes 1,000 of them, and `AsyncStream`'s unspecialised yields and waits (and the run-time
/// lookups of their generic types) took about a fifth of the server's CPU under fan-out.
final class WakeSignal: AsyncSequence, Sendable {
  typealias Element = ChangeHub.Wake

  private struct State {
    var pending: [ChangeHub.Wake] = []
    var waiter: UnsafeContinuation<ChangeHub.Wake?, Never>?
    var finished = false
  }

  private let state = Mutex(State())

  init() {}

  /// Wakes the subscriber, or keeps the wake for its next wait.
  func yield(_ wake: ChangeHub.Wake) {
    let waiter: UnsafeContinuation<ChangeHub.Wake?, Never>? = self.state.withLock { state in
      guard !state.finished else { return nil }
      if let waiter = state.waiter {
        state.waiter = nil
        return waiter
      }
      state.pending.append(wake)
      if state.pending.count > 2 { state.pending.removeFirst() }
      return nil
    }
    waiter?.resume(returning: wake)
  }

  /// Whether a task waits in ``next()`` now (for tests: that a wake reached a waiter, not the
  /// kept ones).
  var hasWaiter: Bool { self.state.withLock { $0.waiter != nil } }

  /// Ends the wake-ups: the subscriber's wait returns nil once the kept ones are taken.
  func finish() {
    let waiter = self.state.withLock { state in
      state.finished = true
      defer { state.waiter = nil }
      return state.waiter
    }
    waiter?.resume(returning: nil)
  }

  /// The next wake; nil once finished or when the waiting task is cancelled.
  func next() async -> ChangeHub.Wake? {
    if let wake = self.state.withLock({ $0.pending.isEmpty ? nil : $0.pending.removeFirst() }) {
      return wake
    }
    return await withTaskCancellationHandler {
      await withUnsafeContinuation { (continuation: UnsafeContinuation<ChangeHub.Wake?, Never>) in
        let now: ChangeHub.Wake?? = self.state.withLock { state in
          if !state.pending.isEmpty { return .some(state.pending.removeFirst()) }
          // Cancellation is checked under the lock the handler takes: either it sees the
          // waiter, or the waiter is never installed.
          if state.finished || Task.isCancelled { return .some(nil) }
          state.waiter = continuation
          return nil
        }
        if let now { continuation.resume(returning: now) }
      }
    } onCancel: {
      let waiter = self.state.withLock { state in
        defer { state.waiter = nil }
        return state.waiter
      }
      waiter?.resume(returning: nil)
    }
  }

  struct AsyncIterator: AsyncIteratorProtocol {
    let signal: WakeSignal

    func next() async -> ChangeHub.Wake? {
      await self.signal.next()
    }
  }

  func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(signal: self)
  }
}
