/// A store that several server nodes share elects one of them for the housekeeping jobs
/// (compaction, audit checkpoints), so that they run on one node at a time, not on every node.
/// SQLite serves one node and needs none.
public protocol HousekeepingLease: Sendable {
  /// Whether this node holds the housekeeping lease, taking it when it is free. A node keeps it
  /// until it stops or loses the database; then the next node to ask takes it.
  func holdsHousekeepingLease() async -> Bool
}
