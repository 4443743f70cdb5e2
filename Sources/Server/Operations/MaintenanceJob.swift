public import Logging
public import ServiceLifecycle
internal import Synchronization

/// A job the server runs every so often beside serving (revocation refresh, certificate reload,
/// compaction, audit checkpoints, the database probe), as a service of the server's
/// `ServiceGroup`.
///
/// A failing round is counted (`gongjian_maintenance_failures_total`), then the job runs again at
/// its next time: one bad round never stops the server, and never goes unseen. The first failure
/// of a run of them is logged at error level and the first success after it at notice level, so
/// an outage (the database away for a minute) is said once, not every round. The job ends when
/// the group shuts down gracefully or is cancelled.
public struct MaintenanceJob: Service {
  /// The job's name, as logs and metrics show it.
  public let name: String
  /// The time between the end of one round and the start of the next.
  public let interval: Duration
  private let runsAtStart: Bool
  private let logger: Logger
  private let work: @Sendable () async throws -> Void
  private let failures = FailureStreak()

  /// Creates a job.
  ///
  /// - Parameters:
  ///   - name: Shown in logs and metrics.
  ///   - interval: The time between rounds.
  ///   - runsAtStart: Whether the first round runs at once rather than after `interval`.
  ///   - logger: Where failures are logged.
  ///   - work: One round.
  public init(
    name: String, every interval: Duration, runsAtStart: Bool = false, logger: Logger,
    work: @escaping @Sendable () async throws -> Void
  ) {
    self.name = name
    self.interval = interval
    self.runsAtStart = runsAtStart
    self.logger = logger
    self.work = work
  }

  public func run() async throws {
    await cancelWhenGracefulShutdown {
      var first = true
      while !Task.isCancelled {
        if !(first && self.runsAtStart) {
          do { try await Task.sleep(for: self.interval) } catch { return }
        }
        first = false
        await self.round()
      }
    }
  }

  /// Runs one round; a failure is logged and counted.
  ///
  /// - Returns: Whether the round succeeded.
  @discardableResult
  public func round() async -> Bool {
    do {
      try await self.work()
      let failed = self.failures.rounds.withLock { rounds in defer { rounds = 0 }; return rounds }
      if failed > 0 {
        self.logger.notice("maintenance job succeeds again", metadata: ["job": "\(self.name)", "failed_rounds": "\(failed)"])
      }
      return true
    } catch is CancellationError {
      return false
    } catch {
      ServerMetrics.maintenanceFailure(job: self.name)
      let first = self.failures.rounds.withLock { rounds in defer { rounds += 1 }; return rounds == 0 }
      if first {
        self.logger.error("maintenance job failed; said again when it succeeds", metadata: ["job": "\(self.name)", "error": "\(error)"])
      }
      return false
    }
  }
}

/// How many rounds of a job have failed in a row.
private final class FailureStreak: Sendable {
  let rounds = Mutex(0)
}
