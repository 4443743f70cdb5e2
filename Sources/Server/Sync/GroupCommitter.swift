internal import Synchronization

/// Groups concurrent requests into rounds: one call of `body` commits every request queued
/// while the previous round ran, so that N concurrent pushes cost one fsync, not N.
///
/// Each round runs in a task of its own, not in any caller's: a caller waits for its own round
/// only (never for later arrivals), one caller's cancellation does not cancel the others'
/// commits, and when a round ends the next one starts at once with what queued meanwhile.
/// A round that has not answered within `deadline` is answered with `timedOut` for each of its
/// requests, and the next round starts: a round stuck on a dead database connection holds no
/// one behind it. Its outcome is unknown to its callers, who retry with the same mutation ids
/// (a replay answers the first outcome).
final class GroupCommitter<Request: Sendable, Response: Sendable>: Sendable {
  typealias Body = @Sendable ([Request]) async -> [Result<Response, any Error>]

  private struct State {
    var queue: [(Request, Slot)] = []
    var roundActive = false
  }

  private let state = Mutex(State())
  private let maxBatch: Int
  private let deadline: Duration?
  private let timedOut: @Sendable () -> any Error
  private let body: Body

  /// Creates a committer.
  ///
  /// - Parameters:
  ///   - maxBatch: Most requests in one round.
  ///   - deadline: How long a round may take before its callers are answered `timedOut()`;
  ///     nil for no bound.
  ///   - timedOut: The error a round past its deadline answers.
  ///   - body: Commits one round, one result per request in order.
  init(maxBatch: Int, deadline: Duration? = nil, timedOut: @escaping @Sendable () -> any Error, body: @escaping Body) {
    self.maxBatch = max(1, maxBatch)
    self.deadline = deadline
    self.timedOut = timedOut
    self.body = body
  }

  /// Requests waiting for a round, and whether a round is running (what tests wait for).
  var pending: (queued: Int, roundActive: Bool) {
    self.state.withLock { ($0.queue.count, $0.roundActive) }
  }

  func submit(_ request: Request) async throws -> Response {
    let slot = Slot()
    let starts = self.state.withLock { state in
      state.queue.append((request, slot))
      if state.roundActive { return false }
      state.roundActive = true
      return true
    }
    if starts { self.startRound() }
    return try await slot.value
  }

  /// Takes the next batch and commits it in a task of its own; when it ends (or its deadline
  /// passes), starts the next round if anything queued meanwhile.
  private func startRound() {
    let batch: [(Request, Slot)] = self.state.withLock { state in
      let count = min(state.queue.count, self.maxBatch)
      let batch = Array(state.queue.prefix(count))
      state.queue.removeFirst(count)
      return batch
    }
    Task {
      let results = await self.commit(batch.map(\.0))
      for (index, entry) in batch.enumerated() {
        entry.1.fulfil(index < results.count ? results[index] : .failure(GongjianError(.internalError, "no result for a push of the round")))
      }
      let more = self.state.withLock { state in
        if state.queue.isEmpty {
          state.roundActive = false
          return false
        }
        return true
      }
      if more { self.startRound() }
    }
  }

  /// Runs `body` on a batch; past the deadline, answers `timedOut` and leaves the round to
  /// finish (or not) on its own.
  private func commit(_ requests: [Request]) async -> [Result<Response, any Error>] {
    guard let deadline = self.deadline else { return await self.body(requests) }
    let answer = Answer<[Result<Response, any Error>]>()
    return await withCheckedContinuation { continuation in
      answer.set(continuation)
      // The timer is cancelled as soon as the round answers, so no sleeping task outlives it.
      let timer = TimerCell()
      let work = Task {
        answer.give(await self.body(requests))
        timer.cancel()
      }
      timer.start {
        try? await Task.sleep(for: deadline)
        guard !Task.isCancelled else { return }
        let error = self.timedOut()
        if answer.give(requests.map { _ in .failure(error) }) { work.cancel() }
      }
    }
  }

  /// A round's deadline timer, which may be cancelled before it has started.
  private final class TimerCell: Sendable {
    private let state = Mutex<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))

    func start(_ body: @escaping @Sendable () async -> Void) {
      let task = Task(operation: body)
      let cancelled = self.state.withLock { state in
        state.task = task
        return state.cancelled
      }
      if cancelled { task.cancel() }
    }

    func cancel() {
      let task = self.state.withLock { state in
        state.cancelled = true
        return state.task
      }
      task?.cancel()
    }
  }

  /// The first of two racing answers, given once.
  private final class Answer<Value: Sendable>: Sendable {
    private let state = Mutex<(CheckedContinuation<Value, Never>?, Bool)>((nil, false))

    func set(_ continuation: CheckedContinuation<Value, Never>) {
      self.state.withLock { $0.0 = continuation }
    }

    /// Resumes the waiter with `value` unless an answer was given already.
    ///
    /// - Returns: Whether this was the answer.
    @discardableResult
    func give(_ value: Value) -> Bool {
      let continuation: CheckedContinuation<Value, Never>? = self.state.withLock { state in
        guard !state.1 else { return nil }
        state.1 = true
        return state.0
      }
      continuation?.resume(returning: value)
      return continuation != nil
    }
  }

  /// One waiting request's answer.
  private final class Slot: Sendable {
    private enum Value {
      case pending
      case waiting(CheckedContinuation<Response, any Error>)
      case done(Result<Response, any Error>)
    }

    private let value_ = Mutex(Value.pending)

    func fulfil(_ result: Result<Response, any Error>) {
      let waiter: CheckedContinuation<Response, any Error>? = self.value_.withLock { value in
        switch value {
        case .waiting(let continuation):
          value = .done(result)
          return continuation
        case .pending:
          value = .done(result)
          return nil
        case .done:
          return nil
        }
      }
      waiter?.resume(with: result)
    }

    var value: Response {
      get async throws {
        try await withCheckedThrowingContinuation { continuation in
          let ready: Result<Response, any Error>? = self.value_.withLock { value in
            switch value {
            case .done(let result):
              return result
            case .pending:
              value = .waiting(continuation)
              return nil
            case .waiting:
              fatalError("a slot has one waiter")
            }
          }
          if let ready { continuation.resume(with: ready) }
        }
      }
    }
  }
}
