internal import CoreMetrics
internal import Foundation

/// The server's metrics, through swift-metrics (no-ops until the executable bootstraps a
/// backend; `gongjian-server serve --metrics-listen` exports them for Prometheus).
enum ServerMetrics {
  /// A finished RPC (for a streaming response: until the stream is accepted): counted by method,
  /// status and tenant, timed by method.
  static func rpc(method: String, code: String, tenant: String?, duration: Duration) {
    Counter(label: "gongjian_rpcs_total", dimensions: [("method", method), ("code", code), ("tenant", tenant ?? "")]).increment()
    Timer(label: "gongjian_rpc_duration_seconds", dimensions: [("method", method)]).recordNanoseconds(Self.nanoseconds(duration))
  }

  /// Mutations in one push.
  static func push(mutations: Int, tenant: String) {
    Recorder(label: "gongjian_push_mutations", dimensions: [("tenant", tenant)], aggregate: true).record(mutations)
  }

  /// One group commit: its pushes and how long the transaction took.
  static func commit(pushes: Int, duration: Duration) {
    Recorder(label: "gongjian_commit_pushes", aggregate: true).record(pushes)
    Timer(label: "gongjian_commit_duration_seconds").recordNanoseconds(Self.nanoseconds(duration))
  }

  /// Live subscriptions of the change feed.
  static func subscribers(_ count: Int) {
    Gauge(label: "gongjian_subscribers").record(count)
  }

  /// Open connections and connections in their TLS handshake.
  static func connections(open: Int, handshaking: Int) {
    Gauge(label: "gongjian_connections_open").record(open)
    Gauge(label: "gongjian_connections_handshaking").record(handshaking)
  }

  /// A connection refused at admission (a cap) or in its handshake (a reason).
  static func refused(reason: String) {
    Counter(label: "gongjian_connections_refused_total", dimensions: [("reason", reason)]).increment()
  }

  /// The database's files on disk.
  static func databaseBytes(_ bytes: Int64) {
    Gauge(label: "gongjian_database_bytes").record(bytes)
  }

  /// A maintenance job's failed round.
  static func maintenanceFailure(job: String) {
    Counter(label: "gongjian_maintenance_failures_total", dimensions: [("job", job)]).increment()
  }

  static func nanoseconds(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
  }
}
