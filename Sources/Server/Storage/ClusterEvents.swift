/// What one node of a deployment hears of the others through a store they share.
public enum ClusterEvent: Sendable, Equatable {
  /// Listening (again): anything may have been missed before, so every subscriber catches up.
  case listening
  /// A commit of a tenant, on any node, up to `head`.
  case commit(tenantID: String, head: UInt64)
  /// The directory or the certificates changed, on any node.
  case directoryChanged
}

/// A store that several server nodes share, and that tells each node of the others' commits
/// and directory changes (PostgreSQL's `LISTEN`/`NOTIFY`). SQLite serves one node and needs none.
public protocol ClusterEvents: Sendable {
  /// Delivers events until cancelled.
  ///
  /// - Throws: When the listening connection fails or closes; call again to listen again.
  func listen(_ events: @escaping @Sendable (ClusterEvent) -> Void) async throws
}
