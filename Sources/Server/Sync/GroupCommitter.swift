internal import Synchronization

/// Groups concurrent requests into one call of `body`: while one caller (the leader) runs a
/// batch, later callers queue; the leader then takes everything queued as the next batch.
///
/// For durable pushes this turns N fsyncs into one without a background task: each push waits
/// at most for the batch in flight plus its own.
final class GroupCommitter<Request: Sendable, Response: Sendable>: Sendable {
  typealias Body = @Sendable ([Request]) async -> [Result<Response, any Error>]

  private struct State {
    var queue: [(Request, Slot)] = []
    var leaderActive = false
  }

  private let state = Mutex(State())
  private let maxBatch: Int
  private let body: Body

  init(maxBatch: Int, body: @escaping Body) {
    self.maxBatch = max(1, maxBatch)
    self.body = body
  }

  func submit(_ request: Request) async throws -> Response {
    let slot = Slot()
    let lead = self.state.withLock { state in
      state.queue.append((request, slot))
      if state.leaderActive { return false }
      state.leaderActive = true
      return true
    }
    if lead {
      await self.drain()
    }
    return try await slot.value
  }

  private func drain() async {
    while true {
      let batch: [(Request, Slot)]? = self.state.withLock { state in
        if state.queue.isEmpty {
          state.leaderActive = false
          return nil
        }
        let count = min(state.queue.count, self.maxBatch)
        let batch = Array(state.queue.prefix(count))
        state.queue.removeFirst(count)
        return batch
      }
      guard let batch else { return }
      let results = await self.body(batch.map(\.0))
      for (index, entry) in batch.enumerated() {
        entry.1.fulfil(index < results.count ? results[index] : .failure(GongjianError(.internalError, "no result")))
      }
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
