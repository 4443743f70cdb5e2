internal import Foundation
internal import Logging
internal import PostgresNIO
internal import Synchronization

/// The store's connection pool, replaced by a fresh one when the database answers again after
/// an outage.
///
/// PostgresNIO's pool backs off between failed connection attempts (100 ms growing by a quarter
/// each time, to a minute), so after a long outage it could wait tens of seconds before it
/// noticed the database was back. While the store suspects an outage, a watcher tries a direct
/// connection every ``retryInterval``; when one succeeds while the pool still lends nothing, a new
/// pool takes its place (writes resume within about a second) and the old one is shut down, so
/// that work waiting on it fails at once and is retried.
final class PostgresPool: Sendable {
  /// How often the watcher tries the database during an outage.
  static let retryInterval: Duration = .milliseconds(250)

  private struct State {
    var client: PostgresClient
    var runs: [Task<Void, Never>] = []
    var suspect = false
  }

  private let state: Mutex<State>
  private let configuration: PostgresStore.Configuration
  private let logger: Logger
  private let poolLogger: Logger
  private let wake = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

  init(configuration: PostgresStore.Configuration, logger: Logger) {
    self.configuration = configuration
    self.logger = logger
    // The pool says each failed connection attempt at info level, several a second while the
    // database is away; the health probe and the commit path say an outage once.
    var poolLogger = logger
    poolLogger.logLevel = max(logger.logLevel, .warning)
    self.poolLogger = poolLogger
    let client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: poolLogger)
    self.state = Mutex(State(client: client))
    self.state.withLock { $0.runs.append(Task { await client.run() }) }
  }

  /// The pool in use.
  var client: PostgresClient { self.state.withLock { $0.client } }

  /// Says that a statement failed for want of the database: the watcher starts trying it.
  func suspectOutage() {
    let first = self.state.withLock { state in
      defer { state.suspect = true }
      return !state.suspect
    }
    if first { self.wake.continuation.yield() }
  }

  /// Watches for the database's return while an outage is suspected; runs until cancelled.
  func watch() async {
    for await _ in self.wake.stream {
      while self.state.withLock({ $0.suspect }), !Task.isCancelled {
        if await self.databaseAnswers() {
          // A connection that died alone needs no new pool; a pool still backing off does.
          if await self.poolAnswers() {
            self.state.withLock { $0.suspect = false }
          } else {
            self.replace()
          }
          break
        }
        try? await Task.sleep(for: Self.retryInterval)
      }
      if Task.isCancelled { return }
    }
  }

  /// Stops every pool.
  func shutDown() {
    self.wake.continuation.finish()
    for run in self.state.withLock({ $0.runs }) { run.cancel() }
  }

  /// Whether a connection of its own, outside the pool, opens and answers within a second.
  private func databaseAnswers() async -> Bool {
    do {
      let connection = try await PostgresConnection.connect(
        configuration: try self.configuration.connectionConfiguration(connectTimeout: .seconds(1)), id: 0, logger: self.poolLogger
      )
      let answered = (try? await connection.query("SELECT 1", logger: self.poolLogger).collect()) != nil
      try? await connection.close()
      return answered
    } catch {
      return false
    }
  }

  /// Whether the pool in use lends a connection that answers within a second.
  private func poolAnswers() async -> Bool {
    let client = self.client
    return await withTaskGroup(of: Bool.self) { group in
      group.addTask {
        (try? await client.query("SELECT 1", logger: self.poolLogger).collect()) != nil
      }
      group.addTask {
        try? await Task.sleep(for: .seconds(1))
        return false
      }
      defer { group.cancelAll() }
      return await group.next() ?? false
    }
  }

  /// Puts a fresh pool in place; the old one drains, then stops.
  private func replace() {
    let client = PostgresClient(configuration: self.configuration.clientConfiguration, backgroundLogger: self.poolLogger)
    let run = Task { await client.run() }
    let old: Task<Void, Never>? = self.state.withLock { state in
      state.client = client
      state.suspect = false
      state.runs.append(run)
      return state.runs.count > 1 ? state.runs.removeFirst() : nil
    }
    self.logger.notice("PostgreSQL answers again: connections renewed", metadata: ["url": "\(self.configuration.displayURL)"])
    // Work waiting on the old pool (a commit round waiting for a lease) fails now and is
    // retried on the new one, instead of waiting out its deadline.
    old?.cancel()
  }
}
