import Foundation
@testable import GongjianServer
import Synchronization
import Testing

/// Group commit: each caller is answered after its own round, and a round that never ends holds
/// no one behind it.
@Suite("Group commit")
struct GroupCommitterTests {
  /// A gate a round waits at until the test opens it; it ignores cancellation, as a statement
  /// sent on a dead connection did.
  final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
      await withCheckedContinuation { continuation in
        let open = self.state.withLock { state in
          if !state.open { state.waiters.append(continuation) }
          return state.open
        }
        if open { continuation.resume() }
      }
    }

    func open() {
      for waiter in self.state.withLock({ state in state.open = true; defer { state.waiters = [] }; return state.waiters }) {
        waiter.resume()
      }
    }
  }

  struct TimedOut: Error {}

  /// A value shared by the test and the rounds.
  final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { self.mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout sending Value) -> sending R) -> R { self.mutex.withLock(body) }
  }

  @Test("The first caller is answered after its own round, not after the rounds of later arrivals")
  func firstCallerIsNotHeld() async throws {
    let gates = [Gate(), Gate()]
    let rounds = Locked<[[Int]]>([])
    let committer = GroupCommitter<Int, Int>(maxBatch: 64, timedOut: { TimedOut() }) { requests in
      let round = rounds.withLock { $0.append(requests); return $0.count - 1 }
      await gates[min(round, 1)].wait()
      return requests.map { .success($0 * 10) }
    }
    let answered = Locked<[Int]>([])
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { let value = try await committer.submit(1); answered.withLock { $0.append(value) } }
      try await MutualTLSTests.waitUntil("the first round") { rounds.withLock { $0.count } == 1 }
      // Two arrivals while the first round runs: they make the second round.
      group.addTask { let value = try await committer.submit(2); answered.withLock { $0.append(value) } }
      group.addTask { let value = try await committer.submit(3); answered.withLock { $0.append(value) } }
      try await MutualTLSTests.waitUntil("two arrivals queued") { committer.pending.queued == 2 }
      gates[0].open()
      // The first caller has its answer while the second round is still held at its gate.
      try await MutualTLSTests.waitUntil("the first answer") { answered.withLock { $0 } == [10] }
      try await MutualTLSTests.waitUntil("the second round") { rounds.withLock { $0.count } == 2 }
      #expect(rounds.withLock { $0 } == [[1], [2, 3]])
      #expect(answered.withLock { $0 } == [10])
      gates[1].open()
      try await group.waitForAll()
    }
    #expect(answered.withLock { $0.sorted() } == [10, 20, 30])
  }

  @Test("A round that never ends is answered at its deadline and the next round commits")
  func deadRoundHoldsNoOne() async throws {
    let stuck = Gate()
    let rounds = Locked(0)
    let committer = GroupCommitter<Int, Int>(maxBatch: 64, deadline: .milliseconds(200), timedOut: { TimedOut() }) { requests in
      if rounds.withLock({ $0 += 1; return $0 }) == 1 { await stuck.wait() }
      return requests.map { .success($0) }
    }
    await #expect(throws: TimedOut.self) { try await committer.submit(1) }
    // The stuck round still has not ended; later callers are committed all the same.
    #expect(try await committer.submit(2) == 2)
    #expect(try await committer.submit(3) == 3)
    #expect(rounds.withLock { $0 } == 3)
    stuck.open()
  }

  @Test("A caller's cancellation does not cancel the others' commits in its round")
  func cancellationStaysWithItsCaller() async throws {
    let gate = Gate()
    let cancelledRounds = Locked(0)
    let committer = GroupCommitter<Int, Int>(maxBatch: 64, timedOut: { TimedOut() }) { requests in
      await gate.wait()
      if Task.isCancelled { cancelledRounds.withLock { $0 += 1 } }
      return requests.map { .success($0) }
    }
    let first = Task { try await committer.submit(1) }
    try await MutualTLSTests.waitUntil("the first round running") { committer.pending == (0, true) }
    let second = Task { try await committer.submit(2) }
    try await MutualTLSTests.waitUntil("the second caller queued") { committer.pending.queued == 1 }
    first.cancel()
    gate.open()
    #expect(try await second.value == 2)
    #expect(cancelledRounds.withLock { $0 } == 0)
    _ = try? await first.value
  }
}
