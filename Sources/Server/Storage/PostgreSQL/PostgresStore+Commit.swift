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
            try await self.inTransaction(connection, tenants: tenants, bounded: true) { connection in
              try await self.commit(batches, planner: planner, locked: locked, connection: connection)
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
    _ batches: [PushBatch], planner: any CommitPlanner, locked: [String], connection: PostgresConnection
  ) async throws -> [Result<PushOutcome, GongjianError>] {
    // One snapshot for the whole group, kept current with the group's own writes, so that the
    // pushes of a round share their reads and their writes go out together: about fifteen
    // round trips per round, whatever the number of pushes in it.
    var snapshot = FeedSnapshot()
    // The tenants' counter rows, locked in one order on every node (no deadlock between
    // nodes): commits of a tenant take turns, so its sequences have no gap a reader could see.
    for try await (tenantID, head, checksum, live, auditCount, auditHead, bytes) in try await connection.query(
      """
      SELECT tenant_id, head, checksum, live, audit_count, audit_head, bytes FROM tenant_state
      WHERE tenant_id = ANY(\(locked)) ORDER BY tenant_id FOR UPDATE
      """,
      logger: self.logger
    ).decode((String, Int64, Int64, Int64, Int64, Data, Int64).self) {
      snapshot.tenantStates[tenantID] = .some(TenantState(
        head: UInt64(head), checksum: UInt64(bitPattern: checksum), live: live, auditCount: auditCount,
        auditHead: auditHead, bytes: bytes
      ))
    }
    var states: [String: TenantState] = [:]
    var results: [Result<PushOutcome, GongjianError>] = []
    var first = FeedReads()
    for batch in batches {
      if case .needs(let reads) = planner.plan(batch, snapshot: snapshot, states: [:]) { first.formUnion(reads) }
    }
    try await self.read(first, into: &snapshot, connection: connection)
    var pending = Writes()
    for batch in batches {
      var push: PlannedPush
      planning: while true {
        switch planner.plan(batch, snapshot: snapshot, states: states) {
        case .needs(let reads):
          // The database answers these, so it must hold the earlier pushes' rows first.
          try await pending.flush(connection, logger: self.logger)
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
    try await pending.flush(connection, logger: self.logger)
    if !states.isEmpty {
      let changed = states.sorted { $0.key < $1.key }
      // Saved, and announced at commit to every node listening: subscribers there read the
      // new changes from the table.
      try await connection.query(
        """
        WITH saved AS (
          UPDATE tenant_state t SET head = u.head, checksum = u.checksum, live = u.live, audit_count = u.audit_count,
            audit_head = u.audit_head, bytes = u.bytes
          FROM unnest(\(changed.map(\.key)), \(changed.map { Int64($0.value.head) }),
            \(changed.map { Int64(bitPattern: $0.value.checksum) }), \(changed.map(\.value.live)),
            \(changed.map(\.value.auditCount)), \(changed.map { ByteBuffer(bytes: $0.value.auditHead) }),
            \(changed.map(\.value.bytes))) AS u(tenant_id, head, checksum, live, audit_count, audit_head, bytes)
          WHERE t.tenant_id = u.tenant_id
          RETURNING t.tenant_id, t.head)
        SELECT pg_notify(\(Self.feedChannel), tenant_id || ':' || head) FROM saved
        """,
        logger: self.logger
      )
    }
    return results
  }

  /// The planner's reads, one query per kind of read and table key prefix, each an index lookup
  /// with `= ANY(array)` (a join with `unnest` let the planner choose a scan of the tenant's
  /// records per key). Tenant states come from the rows locked at the start; the other reads run
  /// after the locks, so they see what earlier commits of these tenants wrote.
  private func read(_ reads: FeedReads, into snapshot: inout FeedSnapshot, connection: PostgresConnection) async throws {
    for tenantID in reads.tenants where snapshot.tenantStates[tenantID] == nil {
      snapshot.tenantStates[tenantID] = .some(nil)
    }
    if !reads.clients.isEmpty {
      let clients = Array(reads.clients)
      for clientID in clients { snapshot.clientOwners[clientID] = .some(nil) }
      for try await (clientID, officeID) in try await connection.query(
        "SELECT client_id, office_id FROM client WHERE client_id = ANY(\(clients))", logger: self.logger
      ).decode((String, String).self) {
        snapshot.clientOwners[clientID] = .some(officeID)
      }
    }
    if !reads.results.isEmpty {
      // Every pushing client's ids in one lookup (each push of a round has its own client id):
      // the primary key is probed for each pair of the two arrays, and pairs nobody asked for
      // are dropped.
      for key in reads.results { snapshot.results[key] = .some(nil) }
      let clients = Array(Set(reads.results.map(\.clientID)))
      for try await (clientID, mutationID, result) in try await connection.query(
        """
        SELECT client_id, mutation_id, result FROM mutation
        WHERE client_id = ANY(\(clients)) AND mutation_id = ANY(\(reads.results.map(\.mutationID)))
        """,
        logger: self.logger
      ).decode((String, String, Data).self) {
        let key = MutationKey(clientID: clientID, mutationID: mutationID)
        if reads.results.contains(key) { snapshot.results[key] = .some(result) }
      }
    }
    for (prefix, keys) in Dictionary(grouping: reads.records, by: { [$0.tenantID, $0.kind] }) {
      for key in keys { snapshot.records[key] = .some(nil) }
      for try await row in try await connection.query(
        """
        SELECT \(unescaped: Self.changeColumns("c.")) FROM record r JOIN change c ON c.tenant_id = r.tenant_id AND c.seq = r.seq
        WHERE r.tenant_id = \(prefix[0]) AND r.kind = \(prefix[1]) AND r.record_id = ANY(\(keys.map(\.id)))
        """,
        logger: self.logger
      ) {
        let record = try Self.storedRecord(row)
        snapshot.records[RecordKey(tenantID: record.tenantID, kind: record.kind, id: record.id)] = .some(record)
      }
    }
    for (prefix, slots) in Dictionary(grouping: reads.keyHolders, by: { [$0.tenantID, $0.kind] }) {
      for slot in slots { snapshot.keyHolders[slot] = .some(nil) }
      for try await (key, holder) in try await connection.query(
        """
        SELECT unique_key, record_id FROM record
        WHERE tenant_id = \(prefix[0]) AND kind = \(prefix[1]) AND unique_key = ANY(\(slots.map(\.key)))
        """,
        logger: self.logger
      ).decode((String, String).self) {
        snapshot.keyHolders[UniqueKeySlot(tenantID: prefix[0], kind: prefix[1], key: key)] = .some(holder)
      }
    }
  }

  /// A push's rows, gathered by table and written with one statement per table (`unnest` of
  /// arrays): a push of 100 records costs a handful of round trips, not 400.
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

    mutating func flush(_ connection: PostgresConnection, logger: Logger) async throws {
      guard !self.isEmpty else { return }
      if !self.clients.isEmpty {
        try await connection.query(
          """
          INSERT INTO client (client_id, office_id, first_seen)
          SELECT * FROM unnest(\(self.clients.map(\.0)), \(self.clients.map(\.1)), \(self.clients.map(\.2)))
          """,
          logger: logger
        )
      }
      if !self.changes.isEmpty {
        let c = self.changes
        try await connection.query(
          """
          INSERT INTO change (tenant_id, seq, kind, record_id, version, deleted, payload, office_id, at)
          SELECT * FROM unnest(\(c.map(\.tenantID)), \(c.map { Int64($0.sequence) }), \(c.map(\.kind)), \(c.map(\.id)),
            \(c.map { Int64($0.version) }), \(c.map(\.deleted)), \(c.map { ByteBuffer(bytes: $0.payload) }),
            \(c.map(\.officeID)), \(c.map(\.updatedAt.timeIntervalSince1970)))
          """,
          logger: logger
        )
      }
      if !self.recordOrder.isEmpty {
        let r = self.recordOrder.compactMap { self.records[$0] }
        try await connection.query(
          """
          INSERT INTO record (tenant_id, kind, record_id, version, seq, deleted, unique_key)
          SELECT t, k, i, v, s, d, NULLIF(u, '') FROM unnest(\(r.map(\.0.tenantID)), \(r.map(\.0.kind)), \(r.map(\.0.id)),
            \(r.map { Int64($0.0.version) }), \(r.map { Int64($0.0.sequence) }), \(r.map(\.0.deleted)), \(r.map { $0.1 ?? "" }))
            AS w(t, k, i, v, s, d, u)
          ON CONFLICT (tenant_id, kind, record_id) DO UPDATE
          SET version = excluded.version, seq = excluded.seq, deleted = excluded.deleted, unique_key = excluded.unique_key
          """,
          logger: logger
        )
      }
      if !self.audits.isEmpty {
        let a = self.audits
        try await connection.query(
          """
          INSERT INTO audit (tenant_id, n, at, office_id, action, kind, record_id, version, seq, payload_sha256, prev_hash, hash)
          SELECT * FROM unnest(\(a.map(\.0.tenantID)), \(a.map(\.0.number)), \(a.map(\.0.at)), \(a.map(\.0.officeID)),
            \(a.map(\.0.action)), \(a.map(\.0.kind)), \(a.map(\.0.recordID)), \(a.map(\.0.version)), \(a.map(\.0.sequence)),
            \(a.map { ByteBuffer(bytes: $0.0.payloadSHA256) }), \(a.map { ByteBuffer(bytes: $0.0.previousHash) }),
            \(a.map { ByteBuffer(bytes: $0.1) }))
          """,
          logger: logger
        )
      }
      if !self.results.isEmpty {
        let m = self.results
        try await connection.query(
          """
          INSERT INTO mutation (client_id, mutation_id, tenant_id, result, at)
          SELECT * FROM unnest(\(m.map(\.0.clientID)), \(m.map(\.0.mutationID)), \(m.map(\.1)),
            \(m.map { ByteBuffer(bytes: $0.2) }), \(m.map(\.3)))
          """,
          logger: logger
        )
      }
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
