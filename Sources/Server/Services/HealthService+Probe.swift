public import Logging

extension HealthService {
  /// A maintenance job that checks a dependency every `interval` and keeps the services that
  /// need it NOT_SERVING while the check fails (and the server as a whole with them), SERVING
  /// again once it passes. Like every job's, an outage is logged when it starts and when it
  /// ends, not every round.
  ///
  /// - Parameters:
  ///   - name: The job's name in logs and metrics.
  ///   - interval: The time between checks.
  ///   - services: The full names of the services that need the dependency.
  ///   - logger: Where outages are logged.
  ///   - check: Throws while the dependency fails.
  public func probe(
    _ name: String, every interval: Duration, services: [String], logger: Logger,
    check: @escaping @Sendable () async throws -> Void
  ) -> MaintenanceJob {
    MaintenanceJob(name: name, every: interval, logger: logger) {
      do {
        try await check()
        self.setAvailable(true, services: services)
      } catch {
        self.setAvailable(false, services: services)
        throw error
      }
    }
  }
}
