internal import PostgresNIO

extension PostgresStore: ClusterEvents {
  /// Listens on ``feedChannel`` and ``directoryChannel`` on a connection of the pool, which it
  /// holds while listening.
  public func listen(_ events: @escaping @Sendable (ClusterEvent) -> Void) async throws {
    try await self.mapErrors {
      try await self.client.withConnection { connection in
        try await connection.listen(on: Self.feedChannel) { feed in
          try await connection.listen(on: Self.directoryChannel) { directory in
            events(.listening)
            try await withThrowingTaskGroup(of: Void.self) { group in
              group.addTask {
                for try await notification in feed {
                  // This node's own commits reach its subscribers when the commit returns.
                  guard let commit = Self.announcement(notification.payload), commit.node != self.nodeID else { continue }
                  events(.commit(tenantID: commit.tenantID, head: commit.head))
                }
              }
              group.addTask {
                for try await _ in directory { events(.directoryChanged) }
              }
              try await group.next()
              group.cancelAll()
            }
            try Task.checkCancellation()
            throw GongjianError(.unavailable, "the PostgreSQL connection that listens for other nodes' commits closed")
          }
        }
      }
    }
  }

  /// A commit's announcement on ``feedChannel``: `TENANT:HEAD:NODE` (tenant ids have no colon),
  /// or `TENANT:HEAD` from a node of 0.9.0 during a rolling upgrade (no node).
  static func announcement(_ payload: String) -> (tenantID: String, head: UInt64, node: String?)? {
    let fields = payload.split(separator: ":", omittingEmptySubsequences: false)
    guard fields.count == 2 || fields.count == 3, !fields[0].isEmpty, let head = UInt64(fields[1]) else { return nil }
    return (String(fields[0]), head, fields.count == 3 ? String(fields[2]) : nil)
  }
}
