internal import Foundation
internal import GongjianProtocol
internal import GRDB

extension SQLiteStore {
  public func commit(_ batches: [PushBatch], planner: any CommitPlanner) async throws -> [Result<PushOutcome, GongjianError>] {
    do {
      return try await self.writer.write { db in try Self.commit(batches, planner: planner, db: db) }
    } catch let error as DatabaseError {
      // The transaction rolled back: nothing of these pushes is stored, and a retry with the
      // same mutation ids is safe. Commits work again once the cause is gone, without a restart.
      switch error.resultCode {
      case .SQLITE_FULL:
        throw GongjianError(.resourceExhausted, "the server's disk is full: nothing was committed; retry later")
      case .SQLITE_READONLY:
        throw GongjianError(.unavailable, "the server's database is read-only: nothing was committed; retry later")
      default:
        throw GongjianError(.unavailable, "the store could not commit (\(error.resultCode)): nothing was committed; retry later", cause: error)
      }
    }
  }

  /// Drives the planner through each push, in one transaction (the writer's).
  private static func commit(
    _ batches: [PushBatch], planner: any CommitPlanner, db: Database
  ) throws -> [Result<PushOutcome, GongjianError>] {
    var states: [String: TenantState] = [:]
    var results: [Result<PushOutcome, GongjianError>] = []
    results.reserveCapacity(batches.count)
    let statements = try CommitStatements(db)
    for batch in batches {
      var snapshot = FeedSnapshot()
      try statements.read(planner.reads(for: batch, states: states), into: &snapshot)
      var push: PlannedPush
      planning: while true {
        switch planner.plan(batch, snapshot: snapshot, states: states) {
        case .needs(let reads):
          try statements.read(reads, into: &snapshot)
        case .ready(let planned):
          push = planned
          break planning
        }
      }
      try statements.perform(push.writes)
      if let state = push.state { states[batch.tenantID] = state }
      results.append(push.outcome)
    }
    for (tenantID, state) in states {
      try statements.save(state, tenantID: tenantID)
    }
    return results
  }
}

/// The statements of a commit, taken from the connection's cache once per transaction.
private struct CommitStatements {
  let clientOwner: DirectStatement
  let tenantState: DirectStatement
  let storedResult: DirectStatement
  let currentRecord: DirectStatement
  let keyHolder: DirectStatement
  let bindClient: DirectStatement
  let appendChange: DirectStatement
  let putRecord: DirectStatement
  let appendAudit: DirectStatement
  let keepResult: DirectStatement
  let saveState: DirectStatement

  init(_ db: Database) throws {
    self.clientOwner = try DirectStatement(db, sql: "SELECT office_id FROM client WHERE client_id = ?")
    self.tenantState = try DirectStatement(
      db, sql: "SELECT head, checksum, live, audit_count, audit_head, bytes FROM tenant_state WHERE tenant_id = ?"
    )
    self.storedResult = try DirectStatement(db, sql: "SELECT result FROM mutation WHERE client_id = ? AND mutation_id = ?")
    self.currentRecord = try DirectStatement(db, sql: SQLiteStore.currentRecordSQL)
    self.keyHolder = try DirectStatement(db, sql: "SELECT record_id FROM record WHERE tenant_id = ? AND kind = ? AND unique_key = ?")
    self.bindClient = try DirectStatement(db, sql: "INSERT INTO client (client_id, office_id, first_seen) VALUES (?, ?, ?)")
    self.appendChange = try DirectStatement(
      db,
      sql: """
        INSERT INTO change (tenant_id, seq, kind, record_id, version, deleted, payload, office_id, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    )
    self.putRecord = try DirectStatement(
      db,
      sql: """
        INSERT INTO record (tenant_id, kind, record_id, version, seq, deleted, unique_key)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (tenant_id, kind, record_id) DO UPDATE
        SET version = excluded.version, seq = excluded.seq, deleted = excluded.deleted,
          unique_key = excluded.unique_key
        """
    )
    self.appendAudit = try DirectStatement(
      db,
      sql: """
        INSERT INTO audit (tenant_id, n, at, office_id, action, kind, record_id, version, seq,
          payload_sha256, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    )
    self.keepResult = try DirectStatement(
      db, sql: "INSERT INTO mutation (client_id, mutation_id, tenant_id, result, at) VALUES (?, ?, ?, ?, ?)"
    )
    self.saveState = try DirectStatement(
      db, sql: "UPDATE tenant_state SET head = ?, checksum = ?, live = ?, audit_count = ?, audit_head = ?, bytes = ? WHERE tenant_id = ?"
    )
  }

  /// The planner's reads. The writer's transaction is exclusive, so no lock beyond it is needed.
  func read(_ reads: FeedReads, into snapshot: inout FeedSnapshot) throws {
    for clientID in reads.clients {
      self.clientOwner.bind(1, clientID)
      snapshot.clientOwners[clientID] = .some(try self.clientOwner.first { $0.string(0) })
    }
    for tenantID in reads.tenants {
      self.tenantState.bind(1, tenantID)
      snapshot.tenantStates[tenantID] = .some(try self.tenantState.first { row in
        TenantState(
          head: UInt64(row.int64(0)), checksum: UInt64(bitPattern: row.int64(1)), live: row.int64(2),
          auditCount: row.int64(3), auditHead: row.data(4), bytes: row.int64(5)
        )
      })
    }
    snapshot.results.reserveCapacity(snapshot.results.count + reads.results.count)
    snapshot.records.reserveCapacity(snapshot.records.count + reads.records.count)
    for key in reads.results {
      self.storedResult.bind(1, key.clientID)
      self.storedResult.bind(2, key.mutationID)
      snapshot.results[key] = .some(try self.storedResult.first { $0.data(0) })
    }
    for key in reads.records {
      self.currentRecord.bind(1, key.tenantID)
      self.currentRecord.bind(2, key.kind)
      self.currentRecord.bind(3, key.id)
      snapshot.records[key] = .some(try self.currentRecord.first { row in
        StoredRecord(
          tenantID: row.string(0), kind: row.string(1), id: row.string(2), version: UInt64(row.int64(3)),
          sequence: UInt64(row.int64(4)), deleted: row.int64(5) != 0, payload: row.data(6),
          officeID: row.string(7), updatedAt: Date(timeIntervalSince1970: row.double(8))
        )
      })
    }
    for slot in reads.keyHolders {
      self.keyHolder.bind(1, slot.tenantID)
      self.keyHolder.bind(2, slot.kind)
      self.keyHolder.bind(3, slot.key)
      snapshot.keyHolders[slot] = .some(try self.keyHolder.first { $0.string(0) })
    }
  }

  /// A tenant's state after the transaction's pushes.
  func save(_ state: TenantState, tenantID: String) throws {
    let update = self.saveState
    update.bind(1, Int64(state.head))
    update.bind(2, Int64(bitPattern: state.checksum))
    update.bind(3, state.live)
    update.bind(4, state.auditCount)
    update.bind(5, state.auditHead)
    update.bind(6, state.bytes)
    update.bind(7, tenantID)
    try update.execute()
  }

  /// The planner's writes, in order.
  func perform(_ writes: [FeedWrite]) throws {
    for write in writes {
      switch write {
      case .bindClient(let clientID, let officeID, let at):
        let insert = self.bindClient
        insert.bind(1, clientID)
        insert.bind(2, officeID)
        insert.bind(3, at.timeIntervalSince1970)
        try insert.execute()
      case .change(let record):
        let insert = self.appendChange
        insert.bind(1, record.tenantID)
        insert.bind(2, Int64(record.sequence))
        insert.bind(3, record.kind)
        insert.bind(4, record.id)
        insert.bind(5, Int64(record.version))
        insert.bind(6, record.deleted)
        insert.bind(7, record.payload)
        insert.bind(8, record.officeID)
        insert.bind(9, record.updatedAt.timeIntervalSince1970)
        try insert.execute()
      case .record(let record, let uniqueKey):
        let upsert = self.putRecord
        upsert.bind(1, record.tenantID)
        upsert.bind(2, record.kind)
        upsert.bind(3, record.id)
        upsert.bind(4, Int64(record.version))
        upsert.bind(5, Int64(record.sequence))
        upsert.bind(6, record.deleted)
        upsert.bind(7, uniqueKey)
        try upsert.execute()
      case .audit(let entry, let hash):
        let insert = self.appendAudit
        insert.bind(1, entry.tenantID)
        insert.bind(2, entry.number)
        insert.bind(3, entry.at)
        insert.bind(4, entry.officeID)
        insert.bind(5, entry.action)
        insert.bind(6, entry.kind)
        insert.bind(7, entry.recordID)
        insert.bind(8, entry.version)
        insert.bind(9, entry.sequence)
        insert.bind(10, entry.payloadSHA256)
        insert.bind(11, entry.previousHash)
        insert.bind(12, hash)
        try insert.execute()
      case .result(let key, let tenantID, let result, let at):
        let insert = self.keepResult
        insert.bind(1, key.clientID)
        insert.bind(2, key.mutationID)
        insert.bind(3, tenantID)
        insert.bind(4, result)
        insert.bind(5, at.timeIntervalSince1970)
        try insert.execute()
      }
    }
  }
}
