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
                  // `TENANT:HEAD:NODE` (tenant ids have no colon); this node's own commits reach
                  // its subscribers when the commit returns.
                  let fields = notification.payload.split(separator: ":", omittingEmptySubsequences: false)
                  guard fields.count == 3, let head = UInt64(fields[1]) else { continue }
                  if fields[2] == self.nodeID { continue }
                  events(.commit(tenantID: String(fields[0]), head: head))
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
}
