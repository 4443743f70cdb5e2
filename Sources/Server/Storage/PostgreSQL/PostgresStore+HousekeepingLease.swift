internal import Foundation
internal import Logging
internal import PostgresNIO

extension PostgresStore: HousekeepingLease {
  /// The session advisory lock that is the lease: any constant shared by all nodes ("jghkeep").
  static let housekeepingLock: Int64 = 0x006A_6768_6B65_6570

  public func holdsHousekeepingLease() async -> Bool {
    await self.lease.holds(lock: Self.housekeepingLock)
  }
}

/// The housekeeping lease of one node: a PostgreSQL session advisory lock held on a connection of
/// its own. PostgreSQL releases it when that session ends (the node stopped, died, or lost the
/// database), and the next node to ask takes it.
actor PostgresLease {
  private let configuration: PostgresStore.Configuration
  private let logger: Logger
  private var connection: PostgresConnection?
  private var held = false
  /// The attempt in progress: jobs that ask meanwhile wait for it (the actor is reentrant
  /// across the connection's set-up).
  private var attempt: Task<Bool, Never>?

  init(configuration: PostgresStore.Configuration, logger: Logger) {
    self.configuration = configuration
    self.logger = logger
  }

  /// Whether this node holds the lock, trying to take it when it does not.
  func holds(lock: Int64) async -> Bool {
    if self.held, let connection = self.connection, !connection.isClosed { return true }
    if self.held {
      self.held = false
      self.logger.notice("lost the housekeeping lease with its database session; another node may take it")
    }
    if let attempt = self.attempt { return await attempt.value }
    let attempt = Task { await self.take(lock: lock) }
    self.attempt = attempt
    let held = await attempt.value
    self.attempt = nil
    return held
  }

  private func take(lock: Int64) async -> Bool {
    do {
      let connection = try await self.openConnection()
      let rows = try await connection.query("SELECT pg_try_advisory_lock(\(lock))", logger: self.logger).collect()
      self.held = try rows.first?.decode(Bool.self) ?? false
      if self.held {
        self.logger.notice("took the housekeeping lease: compaction, audit checkpoints and planner statistics run on this node")
      }
    } catch {
      await self.closeConnection()
      self.held = false
    }
    return self.held
  }

  /// Gives the lock up (the node stops).
  func release() async {
    await self.closeConnection()
    self.held = false
  }

  private func closeConnection() async {
    let connection = self.connection
    self.connection = nil
    try? await connection?.close()
  }

  private func openConnection() async throws -> PostgresConnection {
    if let connection = self.connection, !connection.isClosed { return connection }
    await self.closeConnection()
    let connection = try await PostgresConnection.connect(
      configuration: try self.configuration.connectionConfiguration(connectTimeout: .seconds(2)), id: 1, logger: self.logger
    )
    self.connection = connection
    return connection
  }
}
