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
        throw GongjianError(.unavailable, "the store could not commit (\(error.resultCode)): nothing was committed; retry later")
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
    for batch in batches {
      var snapshot = FeedSnapshot()
      var push: PlannedPush
      planning: while true {
        switch planner.plan(batch, snapshot: snapshot, states: states) {
        case .needs(let reads):
          try Self.read(reads, into: &snapshot, db: db)
        case .ready(let planned):
          push = planned
          break planning
        }
      }
      try Self.perform(push.writes, db: db)
      if let state = push.state { states[batch.tenantID] = state }
      results.append(push.outcome)
    }
    for (tenantID, state) in states {
      try db.cachedStatement(
        sql: """
          UPDATE tenant_state SET head = ?, checksum = ?, live = ?, audit_count = ?, audit_head = ?, bytes = ?
          WHERE tenant_id = ?
          """
      ).execute(arguments: [
        Int64(state.head), Int64(bitPattern: state.checksum), state.live, state.auditCount,
        state.auditHead, state.bytes, tenantID,
      ])
    }
    return results
  }

  /// The planner's reads. The writer's transaction is exclusive, so no lock beyond it is needed.
  private static func read(_ reads: FeedReads, into snapshot: inout FeedSnapshot, db: Database) throws {
    for clientID in reads.clients {
      snapshot.clientOwners[clientID] = .some(try String.fetchOne(
        db.cachedStatement(sql: "SELECT office_id FROM client WHERE client_id = ?"), arguments: [clientID]
      ))
    }
    for tenantID in reads.tenants {
      let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tenant_state WHERE tenant_id = ?"), arguments: [tenantID])
      snapshot.tenantStates[tenantID] = .some(row.map {
        TenantState(
          head: UInt64($0["head"] as Int64), checksum: UInt64(bitPattern: $0["checksum"]),
          live: $0["live"], auditCount: $0["audit_count"], auditHead: $0["audit_head"], bytes: $0["bytes"]
        )
      })
    }
    for key in reads.results {
      snapshot.results[key] = .some(try Data.fetchOne(
        db.cachedStatement(sql: "SELECT result FROM mutation WHERE client_id = ? AND mutation_id = ?"),
        arguments: [key.clientID, key.mutationID]
      ))
    }
    for key in reads.records {
      snapshot.records[key] = .some(try Self.currentRecord(db, tenantID: key.tenantID, kind: key.kind, id: key.id))
    }
    for slot in reads.keyHolders {
      snapshot.keyHolders[slot] = .some(try String.fetchOne(
        db.cachedStatement(sql: "SELECT record_id FROM record WHERE tenant_id = ? AND kind = ? AND unique_key = ?"),
        arguments: [slot.tenantID, slot.kind, slot.key]
      ))
    }
  }

  /// The planner's writes, in order.
  private static func perform(_ writes: [FeedWrite], db: Database) throws {
    for write in writes {
      switch write {
      case .bindClient(let clientID, let officeID, let at):
        try db.cachedStatement(sql: "INSERT INTO client (client_id, office_id, first_seen) VALUES (?, ?, ?)")
          .execute(arguments: [clientID, officeID, at.timeIntervalSince1970])
      case .change(let record):
        try db.cachedStatement(
          sql: """
            INSERT INTO change (tenant_id, seq, kind, record_id, version, deleted, payload, office_id, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).execute(arguments: [
          record.tenantID, Int64(record.sequence), record.kind, record.id, Int64(record.version), record.deleted,
          record.payload, record.officeID, record.updatedAt.timeIntervalSince1970,
        ])
      case .record(let record, let uniqueKey):
        try db.cachedStatement(
          sql: """
            INSERT INTO record (tenant_id, kind, record_id, version, seq, deleted, unique_key)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, kind, record_id) DO UPDATE
            SET version = excluded.version, seq = excluded.seq, deleted = excluded.deleted,
              unique_key = excluded.unique_key
            """
        ).execute(arguments: [
          record.tenantID, record.kind, record.id, Int64(record.version), Int64(record.sequence), record.deleted, uniqueKey,
        ])
      case .audit(let entry, let hash):
        try db.cachedStatement(
          sql: """
            INSERT INTO audit (tenant_id, n, at, office_id, action, kind, record_id, version, seq,
              payload_sha256, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).execute(arguments: [
          entry.tenantID, entry.number, entry.at, entry.officeID, entry.action, entry.kind, entry.recordID,
          entry.version, entry.sequence, entry.payloadSHA256, entry.previousHash, hash,
        ])
      case .result(let key, let tenantID, let result, let at):
        try db.cachedStatement(
          sql: "INSERT INTO mutation (client_id, mutation_id, tenant_id, result, at) VALUES (?, ?, ?, ?, ?)"
        ).execute(arguments: [key.clientID, key.mutationID, tenantID, result, at.timeIntervalSince1970])
      }
    }
  }
}
