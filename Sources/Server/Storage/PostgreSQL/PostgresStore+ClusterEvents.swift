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
                  // `TENANT:HEAD`; the tenant id has no colon, the head is the last field.
                  guard let colon = notification.payload.lastIndex(of: ":"),
                    let head = UInt64(notification.payload[notification.payload.index(after: colon)...])
                  else { continue }
                  events(.commit(tenantID: String(notification.payload[..<colon]), head: head))
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
