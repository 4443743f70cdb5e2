public import GongjianProtocol
internal import Foundation
public import GRPCCore
internal import Synchronization

/// `grpc.health.v1.Health`: the serving status of the server (service "") and of each of its
/// services. Everything is NOT_SERVING until the server listens and again once it drains; in
/// between, a service whose dependency fails (the database, for every `gongjian.v1` service) is
/// NOT_SERVING on its own, and the server ("") with it.
public final class HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol, Sendable {
  public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

  private struct State {
    /// The services it reports on (the server itself is "").
    var services: Set<String>
    /// Whether the server listens and is not draining.
    var serving = false
    /// Services that cannot serve now because something they need is down (the database).
    var unavailable: Set<String> = []
    var watchers: [UUID: (service: String, continuation: AsyncStream<Status>.Continuation)] = [:]

    func status(of service: String) -> Status? {
      guard service.isEmpty || self.services.contains(service) else { return nil }
      // The server as a whole serves only when every one of its services does.
      let available = service.isEmpty ? self.unavailable.isEmpty : !self.unavailable.contains(service)
      return self.serving && available ? .serving : .notServing
    }

    /// Each watcher's status now.
    var notifications: [(AsyncStream<Status>.Continuation, Status)] {
      self.watchers.values.map { ($0.continuation, self.status(of: $0.service) ?? .serviceUnknown) }
    }
  }

  private let state: Mutex<State>

  /// Creates the service, NOT_SERVING.
  ///
  /// - Parameter services: The full names of the services whose status it reports.
  public init(services: [String]) {
    self.state = Mutex(State(services: Set(services)))
  }

  /// Sets the server serving (it listens) or not (starting, draining), and tells the watchers.
  public func setServing(_ serving: Bool) {
    self.update { $0.serving = serving }
  }

  /// Marks services unable to serve (or able again) while the server runs: a service that
  /// needs the database is NOT_SERVING while the database fails, while health and reflection
  /// still serve.
  ///
  /// - Parameters:
  ///   - available: Whether they can serve.
  ///   - services: Their full names.
  public func setAvailable(_ available: Bool, services: some Sequence<String>) {
    self.update { state in
      if available { state.unavailable.subtract(services) } else { state.unavailable.formUnion(services) }
    }
  }

  private func update(_ change: (inout State) -> Void) {
    let notify = self.state.withLock { state in
      change(&state)
      return state.notifications
    }
    for (continuation, status) in notify { continuation.yield(status) }
  }

  /// The current status of a service; nil when unknown.
  public func status(of service: String) -> Status? {
    self.state.withLock { $0.status(of: service) }
  }

  public func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
    guard let status = self.status(of: request.service) else {
      throw RPCError(code: .notFound, message: "service: no service '\(request.service)' on this server")
    }
    return .with { $0.status = status }
  }

  public func watch(
    request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>, context: ServerContext
  ) async throws {
    let (stream, continuation) = AsyncStream.makeStream(of: Status.self, bufferingPolicy: .bufferingNewest(1))
    let id = UUID()
    let current = self.state.withLock { state in
      state.watchers[id] = (request.service, continuation)
      return state.status(of: request.service) ?? .serviceUnknown
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
    }
    continuation.yield(current)
    var last: Status?
    for await status in stream where status != last {
      try await response.write(.with { $0.status = status })
      last = status
    }
  }

  /// Ends every Watch (at shutdown), after telling it NOT_SERVING.
  public func finishWatches() {
    let watchers = self.state.withLock { state in
      defer { state.watchers.removeAll() }
      return state.watchers.values.map(\.continuation)
    }
    for continuation in watchers { continuation.finish() }
  }
}
