internal import Foundation
internal import GongjianProtocol
internal import NIOCore
internal import PostgresNIO

extension PostgresStore {
  public func commit(_ batches: [PushBatch], planner: any CommitPlanner) async throws -> [Result<PushOutcome, GongjianError>] {
    // The transaction sees the pushing tenants and the tenants their references name.
    var visible = Set(batches.map(\.tenantID))
    for batch in batches {
      for mutation in batch.mutations { visible.formUnion(mutation.references.compactMap(\.tenantID)) }
    }
    let tenants = visible.sorted()
    let locked = Set(batches.map(\.tenantID)).sorted()
    var attempt = 0
    while true {
      do {
        return try await self.client.withConnection { connection in
          try await withTaskExecutorPreference(EventLoopTaskExecutor(connection.eventLoop)) {
            try await self.inTransaction(connection, tenants: []) { connection in
              try await self.commit(batches, planner: planner, tenants: tenants, locked: locked, connection: connection)
            }
          }
        }
      } catch is ClosedConnection where attempt < 4 {
        // Nothing was sent: another connection (the pool drops the closed one) may do.
        self.pool.suspectOutage()
        attempt += 1
      } catch let error as PSQLError where Self.isRetryable(error) && attempt < 4 {
        // Another node's transaction won a race for a row this one needs; the retry plans again
        // over what that one committed, with the same mutation ids.
        attempt += 1
        self.logger.debug("commit retried", metadata: ["reason": "\(Self.describe(error))", "attempt": "\(attempt)"])
      } catch {
        throw self.failure(error, committing: true)
      }
    }
  }

  /// One round, inside the transaction.
  private func commit(
    _ batches: [PushBatch], planner: any CommitPlanner, tenants: [String], locked: [String], connection: PostgresConnection
  ) async throws -> [Result<PushOutcome, GongjianError>] {
    // One snapshot for the whole group, kept current with the group's own writes, so that the
    // pushes of a round share their reads and their writes go out together: six round trips per
    // round (begin, the opening, two key lookups, the writes, commit), whatever the number of
    // pushes in it.
    var snapshot = FeedSnapshot()
    var first = FeedReads()
    for batch in batches { first.formUnion(planner.reads(for: batch, states: [:])) }
    // The opening names the tenants and the bounds, locks the tenants' counter rows in one order
    // on every node (no deadlock between nodes: commits of a tenant take turns, so its sequences
    // have no gap a reader could see), and reads the clients' bindings and the mutations' answers.
    let open = PostgresCommitStatements.OpenRound(
      tenants: tenants, statementTimeout: String(Configuration.milliseconds(self.configuration.statementTimeout)),
      lockTimeout: String(Configuration.milliseconds(self.configuration.lockTimeout)), locked: locked,
      clients: Array(first.clients), mutations: Array(first.results)
    )
    for clientID in first.clients { snapshot.clientOwners[clientID] = .some(nil) }
    for key in first.results { snapshot.results[key] = .some(nil) }
    for row in try await connection.rows(open, logger: self.logger) {
      switch row {
      case .tenant(let tenantID, let state): snapshot.tenantStates[tenantID] = .some(state)
      case .client(let clientID, let officeID): snapshot.clientOwners[clientID] = .some(officeID)
      case .answer(let key, let result): snapshot.results[key] = .some(result)
      }
    }
    first.clients = []
    first.results = []
    try await self.read(first, into: &snapshot, connection: connection)
    var states: [String: TenantState] = [:]
    var results: [Result<PushOutcome, GongjianError>] = []
    var pending = Writes()
    for batch in batches {
      var push: PlannedPush
      planning: while true {
        switch planner.plan(batch, snapshot: snapshot, states: states) {
        case .needs(let reads):
          // The database answers these, so it must hold the earlier pushes' rows first.
          try await pending.flush(connection, states: [:], nodeID: self.nodeID, logger: self.logger)
          try await self.read(reads, into: &snapshot, connection: connection)
        case .ready(let planned):
          push = planned
          break planning
        }
      }
      snapshot.apply(push.writes)
      pending.add(push.writes)
      if let state = push.state { states[batch.tenantID] = state }
      results.append(push.outcome)
    }
    // The rows, the tenants' new states and the announcement to every node listening
    // (subscribers there read the new changes from the table), in one statement.
    try await pending.flush(connection, states: states, nodeID: self.nodeID, logger: self.logger)
    return results
  }

  /// The planner's reads, one query per kind of read and table key prefix, each an index lookup
  /// with `= ANY(array)` (a join with `unnest` let the planner choose a scan of the tenant's
  /// records per key; so does a table without statistics, see ``PlannerStatistics``). Tenant
  /// states come from the rows locked at the start; the other reads run after the locks, so they
  /// see what earlier commits of these tenants wrote.
  private func read(_ reads: FeedReads, into snapshot: inout FeedSnapshot, connection: PostgresConnection) async throws {
    for tenantID in reads.tenants where snapshot.tenantStates[tenantID] == nil {
      snapshot.tenantStates[tenantID] = .some(nil)
    }
    if !reads.clients.isEmpty {
      let clients = Array(reads.clients)
      for clientID in clients { snapshot.clientOwners[clientID] = .some(nil) }
      for (clientID, officeID) in try await connection.rows(PostgresCommitStatements.ClientOwners(clients: clients), logger: self.logger) {
        snapshot.clientOwners[clientID] = .some(officeID)
      }
    }
    if !reads.results.isEmpty {
      for key in reads.results { snapshot.results[key] = .some(nil) }
      let keys = Array(reads.results)
      let lookup = PostgresCommitStatements.MutationResults(clients: keys.map(\.clientID), mutations: keys.map(\.mutationID))
      for (clientID, mutationID, result) in try await connection.rows(lookup, logger: self.logger) {
        snapshot.results[MutationKey(clientID: clientID, mutationID: mutationID)] = .some(result)
      }
    }
    for (prefix, keys) in Dictionary(grouping: reads.records, by: { [$0.tenantID, $0.kind] }) {
      for key in keys { snapshot.records[key] = .some(nil) }
      let lookup = PostgresCommitStatements.Records(tenantID: prefix[0], kind: prefix[1], ids: keys.map(\.id))
      for record in try await connection.rows(lookup, logger: self.logger) {
        snapshot.records[RecordKey(tenantID: record.tenantID, kind: record.kind, id: record.id)] = .some(record)
      }
    }
    for (prefix, slots) in Dictionary(grouping: reads.keyHolders, by: { [$0.tenantID, $0.kind] }) {
      for slot in slots { snapshot.keyHolders[slot] = .some(nil) }
      let lookup = PostgresCommitStatements.KeyHolders(tenantID: prefix[0], kind: prefix[1], keys: slots.map(\.key))
      for (key, holder) in try await connection.rows(lookup, logger: self.logger) {
        snapshot.keyHolders[UniqueKeySlot(tenantID: prefix[0], kind: prefix[1], key: key)] = .some(holder)
      }
    }
  }

  /// A round's rows, gathered by table and written in one statement (``PostgresCommitStatements/Write``):
  /// a round of any size costs one round trip to write.
  private struct Writes {
    var clients: [(String, String, Double)] = []
    var changes: [StoredRecord] = []
    var records: [String: (StoredRecord, String?)] = [:]
    var recordOrder: [String] = []
    var audits: [(AuditEntry, Data)] = []
    var results: [(MutationKey, String, Data, Double)] = []

    mutating func add(_ writes: [FeedWrite]) {
      for write in writes {
        switch write {
        case .bindClient(let clientID, let officeID, let at): self.clients.append((clientID, officeID, at.timeIntervalSince1970))
        case .change(let record): self.changes.append(record)
        case .record(let record, let uniqueKey):
          // A record written twice in a push keeps its last version; one row per key per statement.
          let key = "\(record.tenantID)\u{1F}\(record.kind)\u{1F}\(record.id)"
          if self.records.updateValue((record, uniqueKey), forKey: key) == nil { self.recordOrder.append(key) }
        case .audit(let entry, let hash): self.audits.append((entry, hash))
        case .result(let key, let tenantID, let result, let at): self.results.append((key, tenantID, result, at.timeIntervalSince1970))
        }
      }
    }

    var isEmpty: Bool {
      self.clients.isEmpty && self.changes.isEmpty && self.recordOrder.isEmpty && self.audits.isEmpty && self.results.isEmpty
    }

    /// Writes the rows gathered so far and saves `states`, announcing each on ``feedChannel``.
    mutating func flush(
      _ connection: PostgresConnection, states: [String: TenantState], nodeID: String, logger: Logger
    ) async throws {
      guard !self.isEmpty || !states.isEmpty else { return }
      let write = PostgresCommitStatements.Write(
        clients: self.clients, changes: self.changes, records: self.recordOrder.compactMap { self.records[$0] },
        audits: self.audits, results: self.results, states: states.sorted { $0.key < $1.key }, nodeID: nodeID
      )
      _ = try await connection.rows(write, logger: logger)
      self = Writes()
    }
  }
}

extension FeedReads {
  mutating func formUnion(_ other: FeedReads) {
    self.clients.formUnion(other.clients)
    self.tenants.formUnion(other.tenants)
    self.results.formUnion(other.results)
    self.records.formUnion(other.records)
    self.keyHolders.formUnion(other.keyHolders)
  }
}

extension FeedSnapshot {
  /// Applies a planned push's writes, as the database would show them to a later read.
  mutating func apply(_ writes: [FeedWrite]) {
    for write in writes {
      switch write {
      case .bindClient(let clientID, let officeID, _):
        self.clientOwners[clientID] = .some(officeID)
      case .record(let record, let uniqueKey):
        self.records[RecordKey(tenantID: record.tenantID, kind: record.kind, id: record.id)] = .some(record)
        // The key this record held before is free now, unless it keeps it.
        for (slot, holder) in self.keyHolders
        where holder == record.id && slot.tenantID == record.tenantID && slot.kind == record.kind && slot.key != uniqueKey {
          self.keyHolders[slot] = .some(nil)
        }
        if let uniqueKey {
          self.keyHolders[UniqueKeySlot(tenantID: record.tenantID, kind: record.kind, key: uniqueKey)] = .some(record.id)
        }
      case .result(let key, _, let result, _):
        self.results[key] = .some(result)
      case .change, .audit:
        break
      }
    }
  }
}

extension PostgresConnection {
  /// Runs a prepared statement (preparing it on this connection's first use) and reads its rows.
  func rows<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws -> [Statement.Row] {
    var rows: [Statement.Row] = []
    for try await row in try await self.execute(statement, logger: logger) { rows.append(row) }
    return rows
  }
}
