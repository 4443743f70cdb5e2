public import GongjianProtocol
internal import Foundation
public import GRPCCore
internal import Synchronization

/// `grpc.health.v1.Health`: the serving status of the server (service "") and of each of its
/// services. Everything is NOT_SERVING until the server listens and again once it drains.
public final class HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol, Sendable {
  public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

  private struct State {
    var statuses: [String: Status]
    var watchers: [UUID: (service: String, continuation: AsyncStream<Status>.Continuation)] = [:]
  }

  private let state: Mutex<State>

  /// Creates the service, NOT_SERVING.
  ///
  /// - Parameter services: The full names of the services whose status it reports.
  public init(services: [String]) {
    var statuses: [String: Status] = ["": .notServing]
    for service in services { statuses[service] = .notServing }
    self.state = Mutex(State(statuses: statuses))
  }

  /// Sets every service (and the server) serving or not, and tells the watchers.
  public func setServing(_ serving: Bool) {
    let status: Status = serving ? .serving : .notServing
    let notify = self.state.withLock { state in
      for key in state.statuses.keys { state.statuses[key] = status }
      return state.watchers.values.map(\.continuation)
    }
    for continuation in notify { continuation.yield(status) }
  }

  /// The current status of a service; nil when unknown.
  public func status(of service: String) -> Status? {
    self.state.withLock { $0.statuses[service] }
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
      return state.statuses[request.service] ?? .serviceUnknown
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
    }
    continuation.yield(current)
    var last: Status?
    for await status in stream {
      // An unknown service stays SERVICE_UNKNOWN; a known one follows the server.
      let shown = self.status(of: request.service) == nil ? .serviceUnknown : status
      if shown != last {
        try await response.write(.with { $0.status = shown })
        last = shown
      }
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
