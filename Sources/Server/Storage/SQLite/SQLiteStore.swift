internal import Crypto
public import Foundation
public import GongjianProtocol
internal import GRDB
public import Logging

/// The embedded store: SQLite in WAL mode with `synchronous=FULL`, through GRDB.
///
/// One writer (GRDB serialises writes; ``SyncEngine`` groups concurrent pushes into one
/// transaction) and a pool of readers that see committed snapshots.
public final class SQLiteStore: GongjianStore {
  let pool: DatabasePool

  /// The database file.
  public let path: String

  /// Opens (creating if needed) and migrates the database, and checks durability settings.
  ///
  /// - Parameters:
  ///   - path: The SQLite file.
  ///   - logger: Where start-up facts are logged.
  /// - Throws: When the file cannot be opened, migrated, or `synchronous=FULL` cannot be set.
  public init(path: String, logger: Logger) throws {
    var configuration = Configuration()
    // Another process (the offline CLI) may hold the write lock for a moment.
    configuration.busyMode = .timeout(10)
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA foreign_keys = ON")
      // Reads through a memory map (no pread per page) and 32 MiB of page cache per connection:
      // together about a quarter less server CPU per pushed record, in paired trials of pushes of
      // 100 records on a 334 MB database.
      // Writes still go through the WAL with pwrite and fsync, so durability is unchanged.
      try db.execute(sql: "PRAGMA mmap_size = 1073741824")
      try db.execute(sql: "PRAGMA cache_size = -32768")
    }
    self.pool = try DatabasePool(path: path, configuration: configuration)
    self.path = path
    try Self.migrator.migrate(self.pool)
    // GRDB's WAL set-up leaves the writer at NORMAL, which can lose acknowledged commits on
    // power failure; the writer is one connection, so setting it once holds.
    let (journal, synchronous) = try self.pool.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA synchronous = FULL")
      return (
        try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?",
        try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
      )
    }
    guard journal.lowercased() == "wal", synchronous == 2 else {
      throw GongjianError(
        .internalError,
        "SQLite at \(path) runs journal_mode=\(journal) synchronous=\(synchronous); need wal and FULL (2)"
      )
    }
    logger.info(
      "opened SQLite store",
      metadata: ["path": "\(path)", "journal_mode": "\(journal)", "synchronous": "FULL"]
    )
  }

  // MARK: Schema

  private static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE tenant (
            id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, created_at REAL NOT NULL);
          CREATE TABLE tenant_state (
            tenant_id TEXT PRIMARY KEY NOT NULL REFERENCES tenant(id),
            head INTEGER NOT NULL DEFAULT 0, checksum INTEGER NOT NULL DEFAULT 0,
            live INTEGER NOT NULL DEFAULT 0, horizon INTEGER NOT NULL DEFAULT 0,
            audit_count INTEGER NOT NULL DEFAULT 0, audit_head BLOB NOT NULL DEFAULT x'');
          CREATE TABLE office (
            id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, side INTEGER NOT NULL,
            overseer INTEGER NOT NULL DEFAULT 0);
          CREATE TABLE membership (
            tenant_id TEXT NOT NULL REFERENCES tenant(id),
            office_id TEXT NOT NULL REFERENCES office(id),
            role INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, office_id)) WITHOUT ROWID;
          CREATE INDEX membership_by_office ON membership(office_id);
          CREATE TABLE certificate (
            serial TEXT PRIMARY KEY NOT NULL, office_id TEXT NOT NULL,
            not_before REAL NOT NULL, not_after REAL NOT NULL, revoked_at REAL);
          CREATE TABLE change (
            tenant_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
            record_id TEXT NOT NULL, version INTEGER NOT NULL, deleted INTEGER NOT NULL,
            payload BLOB NOT NULL, office_id TEXT NOT NULL, at REAL NOT NULL,
            PRIMARY KEY (tenant_id, seq)) WITHOUT ROWID;
          CREATE TABLE record (
            tenant_id TEXT NOT NULL, kind TEXT NOT NULL, record_id TEXT NOT NULL,
            version INTEGER NOT NULL, seq INTEGER NOT NULL, deleted INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, kind, record_id)) WITHOUT ROWID;
          CREATE INDEX record_tombstones ON record(tenant_id, seq) WHERE deleted = 1;
          CREATE TABLE client (
            client_id TEXT PRIMARY KEY NOT NULL, office_id TEXT NOT NULL, first_seen REAL NOT NULL);
          CREATE TABLE mutation (
            client_id TEXT NOT NULL, mutation_id TEXT NOT NULL, tenant_id TEXT NOT NULL,
            result BLOB NOT NULL, at REAL NOT NULL,
            PRIMARY KEY (client_id, mutation_id)) WITHOUT ROWID;
          CREATE TABLE audit (
            tenant_id TEXT NOT NULL, n INTEGER NOT NULL, at REAL NOT NULL,
            office_id TEXT NOT NULL, action TEXT NOT NULL, kind TEXT NOT NULL,
            record_id TEXT NOT NULL, version INTEGER NOT NULL, seq INTEGER NOT NULL,
            payload_sha256 BLOB NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL,
            PRIMARY KEY (tenant_id, n)) WITHOUT ROWID;
          """
      )
    }
    migrator.registerMigration("v2-unique-keys") { db in
      try db.execute(
        sql: """
          ALTER TABLE record ADD COLUMN unique_key TEXT;
          CREATE UNIQUE INDEX record_unique_key ON record(tenant_id, kind, unique_key)
            WHERE unique_key IS NOT NULL;
          """
      )
    }
    migrator.registerMigration("v3-attachments") { db in
      try db.execute(
        sql: """
          CREATE TABLE attachment (
            tenant_id TEXT NOT NULL, sha256 TEXT NOT NULL, content_type TEXT NOT NULL,
            size INTEGER NOT NULL, content BLOB NOT NULL,
            PRIMARY KEY (tenant_id, sha256)) WITHOUT ROWID;
          """
      )
    }
    // Client ids are scoped by the office that pushes them (`<office>/<client id>`), so that no
    // office can claim another's. Existing ids take the office they were bound to.
    migrator.registerMigration("v4-client-ids-by-office") { db in
      try db.execute(
        sql: """
          UPDATE mutation SET client_id =
            (SELECT office_id FROM client WHERE client.client_id = mutation.client_id) || '/' || client_id
            WHERE client_id IN (SELECT client_id FROM client);
          UPDATE client SET client_id = office_id || '/' || client_id;
          """
      )
    }
    // Key city departments (Art. 六) are named by the membership, not inferred from the side.
    migrator.registerMigration("v5-key-departments") { db in
      try db.execute(sql: "ALTER TABLE membership ADD COLUMN key_department INTEGER NOT NULL DEFAULT 0")
    }
    // Directory changes are audited in a chain of their own; offices can be disabled.
    migrator.registerMigration("v6-directory-audit") { db in
      try db.execute(
        sql: """
          ALTER TABLE office ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
          CREATE TABLE directory_audit (
            n INTEGER PRIMARY KEY, at REAL NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            subject TEXT NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL,
            prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
          """
      )
    }
    migrator.registerMigration("v7-audit-checkpoints") { db in
      try db.execute(
        sql: """
          CREATE TABLE audit_checkpoint (
            id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, count INTEGER NOT NULL,
            signed_at INTEGER NOT NULL, checkpoint BLOB NOT NULL);
          CREATE INDEX audit_checkpoint_by_tenant ON audit_checkpoint (tenant_id, id);
          """
      )
    }
    // Stored bytes per tenant, for its quota: the live records' payloads.
    migrator.registerMigration("v8-tenant-bytes") { db in
      try db.execute(
        sql: """
          ALTER TABLE tenant_state ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
          UPDATE tenant_state SET bytes = (
            SELECT COALESCE(SUM(length(c.payload)), 0) FROM record r
            JOIN change c ON c.tenant_id = r.tenant_id AND c.seq = r.seq
            WHERE r.tenant_id = tenant_state.tenant_id AND r.deleted = 0);
          """
      )
    }
    return migrator
  }

  // MARK: Directory

  public func createTenant(_ tenant: Gongjian_V1_Tenant, actor: String) async throws {
    try await self.pool.write { db in
      if try Bool.fetchOne(db, sql: "SELECT 1 FROM tenant WHERE id = ?", arguments: [tenant.id]) != nil {
        throw GongjianError(.alreadyExists, "tenant \(tenant.id) exists already")
      }
      try db.execute(
        sql: "INSERT INTO tenant (id, name, created_at) VALUES (?, ?, ?)",
        arguments: [tenant.id, tenant.name, Date().timeIntervalSince1970]
      )
      try db.execute(sql: "INSERT INTO tenant_state (tenant_id) VALUES (?)", arguments: [tenant.id])
      try Self.audit(db, actor: actor, action: "tenant.create", subject: tenant.id, before: "", after: Self.json(tenant))
    }
  }

  public func tenants() async throws -> [Gongjian_V1_Tenant] {
    try await self.pool.read { db in
      try Row.fetchAll(db, sql: "SELECT id, name FROM tenant ORDER BY id").map { row in
        Gongjian_V1_Tenant.with {
          $0.id = row["id"]
          $0.name = row["name"]
        }
      }
    }
  }

  public func putOffice(_ office: Gongjian_V1_Office, actor: String) async throws {
    try await self.pool.write { db in
      let before = try Row.fetchOne(db, sql: "SELECT * FROM office WHERE id = ?", arguments: [office.id]).map(Self.office(from:))
      try db.execute(
        sql: """
          INSERT INTO office (id, name, side, overseer, disabled) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET name = excluded.name, side = excluded.side,
            overseer = excluded.overseer, disabled = excluded.disabled
          """,
        arguments: [office.id, office.name, office.side.rawValue, office.overseer, office.disabled]
      )
      try Self.audit(db, actor: actor, action: "office.put", subject: office.id, before: before.map(Self.json) ?? "", after: Self.json(office))
    }
  }

  public func offices() async throws -> [Gongjian_V1_Office] {
    try await self.pool.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM office ORDER BY id").map(Self.office(from:))
    }
  }

  public func office(id: String) async throws -> Gongjian_V1_Office? {
    try await self.pool.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM office WHERE id = ?", arguments: [id]).map(Self.office(from:))
    }
  }

  private static func office(from row: Row) -> Gongjian_V1_Office {
    Gongjian_V1_Office.with {
      $0.id = row["id"]
      $0.name = row["name"]
      $0.side = Gongjian_V1_Side(rawValue: row["side"]) ?? .unspecified
      $0.overseer = row["overseer"]
      $0.disabled = row["disabled"]
    }
  }

  public func setMembership(
    tenantID: String, officeID: String, role: Gongjian_V1_Role, keyDepartment: Bool, actor: String
  ) async throws -> Gongjian_V1_Membership {
    try await self.pool.write { db in
      guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tenant WHERE id = ?", arguments: [tenantID]) != nil else {
        throw GongjianError(.notFound, "tenant \(tenantID) does not exist")
      }
      guard let office = try Row.fetchOne(db, sql: "SELECT * FROM office WHERE id = ?", arguments: [officeID]) else {
        throw GongjianError(.notFound, "office \(officeID) does not exist")
      }
      let before = try Row.fetchOne(
        db, sql: Self.membershipSelect + " WHERE m.tenant_id = ? AND m.office_id = ?", arguments: [tenantID, officeID]
      ).map(Self.membership(from:))
      try db.execute(
        sql: """
          INSERT INTO membership (tenant_id, office_id, role, key_department) VALUES (?, ?, ?, ?)
          ON CONFLICT (tenant_id, office_id) DO UPDATE SET role = excluded.role, key_department = excluded.key_department
          """,
        arguments: [tenantID, officeID, role.rawValue, keyDepartment]
      )
      let membership = Gongjian_V1_Membership.with {
        $0.tenantID = tenantID
        $0.officeID = officeID
        $0.role = role
        $0.keyDepartment = keyDepartment
        $0.side = Gongjian_V1_Side(rawValue: office["side"]) ?? .unspecified
      }
      try Self.audit(
        db, actor: actor, action: "membership.set", subject: "\(tenantID)/\(officeID)", before: before.map(Self.json) ?? "",
        after: Self.json(membership)
      )
      return membership
    }
  }

  public func removeMembership(tenantID: String, officeID: String, actor: String) async throws -> Bool {
    try await self.pool.write { db in
      guard let before = try Row.fetchOne(
        db, sql: Self.membershipSelect + " WHERE m.tenant_id = ? AND m.office_id = ?", arguments: [tenantID, officeID]
      ).map(Self.membership(from:)) else { return false }
      try db.execute(
        sql: "DELETE FROM membership WHERE tenant_id = ? AND office_id = ?",
        arguments: [tenantID, officeID]
      )
      try Self.audit(db, actor: actor, action: "membership.remove", subject: "\(tenantID)/\(officeID)", before: Self.json(before), after: "")
      return true
    }
  }

  private static let membershipSelect = """
    SELECT m.tenant_id, m.office_id, m.role, m.key_department, o.side FROM membership m
    JOIN office o ON o.id = m.office_id
    """

  public func memberships(tenantID: String) async throws -> [Gongjian_V1_Membership] {
    try await self.pool.read { db in
      try Row.fetchAll(
        db, sql: Self.membershipSelect + " WHERE m.tenant_id = ? ORDER BY m.office_id", arguments: [tenantID]
      ).map(Self.membership(from:))
    }
  }

  public func memberships(officeID: String) async throws -> [Gongjian_V1_Membership] {
    try await self.pool.read { db in
      try Row.fetchAll(
        db, sql: Self.membershipSelect + " WHERE m.office_id = ? ORDER BY m.tenant_id", arguments: [officeID]
      ).map(Self.membership(from:))
    }
  }

  private static func membership(from row: Row) -> Gongjian_V1_Membership {
    Gongjian_V1_Membership.with {
      $0.tenantID = row["tenant_id"]
      $0.officeID = row["office_id"]
      $0.role = Gongjian_V1_Role(rawValue: row["role"]) ?? .unspecified
      $0.keyDepartment = row["key_department"]
      $0.side = Gongjian_V1_Side(rawValue: row["side"]) ?? .unspecified
    }
  }

  // MARK: Certificates

  public func recordCertificate(_ certificate: CertificateRecord, actor: String) async throws {
    try await self.pool.write { db in
      try db.execute(
        sql: "INSERT INTO certificate (serial, office_id, not_before, not_after, revoked_at) VALUES (?, ?, ?, ?, ?)",
        arguments: [
          certificate.serial, certificate.officeID, certificate.notBefore.timeIntervalSince1970,
          certificate.notAfter.timeIntervalSince1970, certificate.revokedAt?.timeIntervalSince1970,
        ]
      )
      try Self.audit(db, actor: actor, action: "certificate.issue", subject: certificate.serial, before: "", after: Self.json(certificate))
    }
  }

  public func certificates(officeID: String?) async throws -> [CertificateRecord] {
    try await self.pool.read { db in
      let rows: [Row]
      if let officeID {
        rows = try Row.fetchAll(
          db, sql: "SELECT * FROM certificate WHERE office_id = ? ORDER BY not_before, serial", arguments: [officeID]
        )
      } else {
        rows = try Row.fetchAll(db, sql: "SELECT * FROM certificate ORDER BY office_id, not_before, serial")
      }
      return rows.map(Self.certificate(from:))
    }
  }

  public func revokeCertificate(serial: String, at date: Date, actor: String) async throws -> CertificateRecord? {
    try await self.pool.write { db in
      let before = try Row.fetchOne(db, sql: "SELECT * FROM certificate WHERE serial = ?", arguments: [serial]).map(Self.certificate(from:))
      try db.execute(
        sql: "UPDATE certificate SET revoked_at = ? WHERE serial = ? AND revoked_at IS NULL",
        arguments: [date.timeIntervalSince1970, serial]
      )
      guard db.changesCount > 0, let before else { return before }
      var after = before
      after.revokedAt = date
      try Self.audit(db, actor: actor, action: "certificate.revoke", subject: serial, before: Self.json(before), after: Self.json(after))
      return after
    }
  }

  public func ping() async throws {
    _ = try await self.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tenant") }
  }

  public func revokedSerials() async throws -> Set<String> {
    try await self.pool.read { db in
      Set(try String.fetchAll(db, sql: "SELECT serial FROM certificate WHERE revoked_at IS NOT NULL"))
    }
  }

  private static func certificate(from row: Row) -> CertificateRecord {
    CertificateRecord(
      serial: row["serial"],
      officeID: row["office_id"],
      notBefore: Date(timeIntervalSince1970: row["not_before"]),
      notAfter: Date(timeIntervalSince1970: row["not_after"]),
      revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:))
    )
  }

  // MARK: Sync reads

  public func changes(tenantID: String, after cursor: UInt64, limit: Int) async throws -> ChangePage {
    try await self.pool.read { db in
      let checkpoint = try Self.checkpoint(db, tenantID: tenantID)
      let rows = try Row.fetchCursor(
        db.cachedStatement(
          sql: "SELECT \(Self.changeColumns("")) FROM change WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?"
        ),
        arguments: [tenantID, Int64(clamping: cursor), limit + 1]
      )
      var records: [StoredRecord] = []
      records.reserveCapacity(limit)
      var hasMore = false
      while let row = try rows.next() {
        guard records.count < limit else {
          hasMore = true
          break
        }
        records.append(Self.storedRecord(from: row))
      }
      return ChangePage(records: records, hasMore: hasMore, checkpoint: checkpoint)
    }
  }

  public func record(tenantID: String, kind: String, id: String) async throws -> StoredRecord? {
    try await self.pool.read { db in
      try Self.currentRecord(db, tenantID: tenantID, kind: kind, id: id)
    }
  }

  public func liveRecords(tenantID: String, kind: String) async throws -> [StoredRecord] {
    try await self.pool.read { db in
      try Row.fetchAll(
        db.cachedStatement(
          sql: """
            SELECT \(Self.changeColumns("c.")) FROM record r JOIN change c ON c.tenant_id = r.tenant_id AND c.seq = r.seq
            WHERE r.tenant_id = ? AND r.kind = ? AND r.deleted = 0 ORDER BY r.record_id
            """
        ),
        arguments: [tenantID, kind]
      ).map { Self.storedRecord(from: $0) }
    }
  }

  public func checkpoint(tenantID: String) async throws -> TenantCheckpoint {
    try await self.pool.read { db in try Self.checkpoint(db, tenantID: tenantID) }
  }

  private static func checkpoint(_ db: Database, tenantID: String) throws -> TenantCheckpoint {
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(sql: "SELECT head, checksum, live, horizon FROM tenant_state WHERE tenant_id = ?"),
        arguments: [tenantID]
      )
    else {
      throw GongjianError(.notFound, "tenant \(tenantID) does not exist")
    }
    return TenantCheckpoint(
      headSequence: UInt64(row["head"] as Int64),
      checksum: UInt64(bitPattern: row["checksum"]),
      liveRecords: UInt64(row["live"] as Int64),
      compactionHorizon: UInt64(row["horizon"] as Int64)
    )
  }

  private static func currentRecord(_ db: Database, tenantID: String, kind: String, id: String) throws -> StoredRecord? {
    try Row.fetchOne(
      db.cachedStatement(
        sql: """
          SELECT \(Self.changeColumns("c.")) FROM record r JOIN change c ON c.tenant_id = r.tenant_id AND c.seq = r.seq
          WHERE r.tenant_id = ? AND r.kind = ? AND r.record_id = ?
          """
      ),
      arguments: [tenantID, kind, id]
    ).map { Self.storedRecord(from: $0) }
  }

  /// The columns ``storedRecord(from:)`` reads, in its order, with an optional table prefix.
  private static func changeColumns(_ prefix: String) -> String {
    ["tenant_id", "kind", "record_id", "version", "seq", "deleted", "payload", "office_id", "at"]
      .map { prefix + $0 }.joined(separator: ", ")
  }

  /// A change row selected with ``changeColumns(_:)``. By position, not name: reading pages is
  /// the largest part of a pull's server time, and a name is looked up per column per row.
  private static func storedRecord(from row: Row) -> StoredRecord {
    StoredRecord(
      tenantID: row[0],
      kind: row[1],
      id: row[2],
      version: UInt64(row[3] as Int64),
      sequence: UInt64(row[4] as Int64),
      deleted: row[5],
      payload: row[6],
      officeID: row[7],
      updatedAt: Date(timeIntervalSince1970: row[8])
    )
  }

  // MARK: Sync writes

  /// A tenant's counters while a transaction writes to it.
  private struct TenantState {
    var head: UInt64
    var checksum: UInt64
    var live: Int64
    var auditCount: Int64
    var auditHead: Data
    /// Bytes of the live records' payloads.
    var bytes: Int64
  }

  public func commit(_ batches: [PushBatch]) async throws -> [Result<PushOutcome, GongjianError>] {
    do {
      return try await self.apply(batches)
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

  private func apply(_ batches: [PushBatch]) async throws -> [Result<PushOutcome, GongjianError>] {
    try await self.pool.write { db in
      var states: [String: TenantState] = [:]
      var results: [Result<PushOutcome, GongjianError>] = []
      results.reserveCapacity(batches.count)
      for batch in batches {
        guard batch.atomic else {
          results.append(try Self.apply(batch, db: db, states: &states))
          continue
        }
        let before = states
        var result: Result<PushOutcome, GongjianError>!
        try db.inSavepoint {
          result = try Self.apply(batch, db: db, states: &states)
          guard case .success(let outcome) = result,
            !outcome.results.allSatisfy({ if case .applied = $0.outcome { true } else { false } })
          else { return .commit }
          // Not every mutation applied: undo the others, and store no answer for replay.
          states = before
          result = .success(PushOutcome(
            results: PushBatch.rolledBack(outcome.results),
            writeCheckpoint: before[batch.tenantID]?.head ?? outcome.writeCheckpoint - UInt64(outcome.committed.count),
            committed: []
          ))
          return .rollback
        }
        results.append(result)
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
  }

  private static func apply(
    _ batch: PushBatch, db: Database, states: inout [String: TenantState]
  ) throws -> Result<PushOutcome, GongjianError> {
    let at = batch.receivedAt.timeIntervalSince1970
    if let owner = try String.fetchOne(
      db.cachedStatement(sql: "SELECT office_id FROM client WHERE client_id = ?"), arguments: [batch.clientID]
    ) {
      guard owner == batch.officeID else {
        return .failure(
          GongjianError(
            .permissionDenied,
            "client_id \(batch.clientID) is bound to another office; each installation needs its own client_id"
          )
        )
      }
    } else {
      try db.cachedStatement(sql: "INSERT INTO client (client_id, office_id, first_seen) VALUES (?, ?, ?)")
        .execute(arguments: [batch.clientID, batch.officeID, at])
    }

    var state: TenantState
    if let known = states[batch.tenantID] {
      state = known
    } else {
      guard
        let row = try Row.fetchOne(
          db.cachedStatement(sql: "SELECT * FROM tenant_state WHERE tenant_id = ?"), arguments: [batch.tenantID]
        )
      else {
        return .failure(GongjianError(.notFound, "tenant \(batch.tenantID) does not exist"))
      }
      state = TenantState(
        head: UInt64(row["head"] as Int64), checksum: UInt64(bitPattern: row["checksum"]),
        live: row["live"], auditCount: row["audit_count"], auditHead: row["audit_head"], bytes: row["bytes"]
      )
    }

    var results: [Gongjian_V1_MutationResult] = []
    var committed: [StoredRecord] = []
    results.reserveCapacity(batch.mutations.count)
    for mutation in batch.mutations {
      if let stored = try Data.fetchOne(
        db.cachedStatement(sql: "SELECT result FROM mutation WHERE client_id = ? AND mutation_id = ?"),
        arguments: [batch.clientID, mutation.mutationID]
      ) {
        var replay = try Gongjian_V1_MutationResult(serializedBytes: stored)
        replay.replayed = true
        results.append(replay)
        continue
      }

      var result = Gongjian_V1_MutationResult()
      result.mutationID = mutation.mutationID
      // Over the stored-bytes quota: refused now, not remembered, so a retry after room is made works.
      var remembered = true
      switch mutation.change {
      case .rejected(let rejected):
        result.rejected = rejected
      case .put, .delete:
        let current = try Self.currentRecord(db, tenantID: batch.tenantID, kind: mutation.kind, id: mutation.recordID)
        if let conflict = Self.conflict(of: mutation, with: current) {
          var answer = Gongjian_V1_MutationResult.Conflict()
          answer.message = conflict
          if let current { answer.current = current.proto }
          result.conflict = answer
        } else if let violations = try Self.violations(of: mutation, over: current, tenantID: batch.tenantID, db: db) {
          result.rejected = SyncEngine.rejection(code: 9, violations)  // FAILED_PRECONDITION
        } else if let holder = try Self.uniqueKeyHolder(of: mutation, tenantID: batch.tenantID, db: db) {
          result.conflict = .with {
            $0.current = holder.proto
            $0.message = "\(mutation.kind) \(holder.id) already holds this key (\(mutation.uniqueKey ?? "")): update it with base_version \(holder.version)"
          }
        } else if let refusal = Self.overQuota(mutation, over: current, batch: batch, state: state) {
          result.rejected = refusal
          remembered = false
        } else {
          let record = try Self.write(mutation, over: current, batch: batch, state: &state, db: db)
          committed.append(record)
          result.applied = .with {
            $0.version = record.version
            $0.sequence = record.sequence
            $0.warnings = mutation.warnings.map { warning in .with { $0.field = warning.field; $0.description_p = warning.description } }
          }
        }
      }
      if remembered {
        try db.cachedStatement(
          sql: "INSERT INTO mutation (client_id, mutation_id, tenant_id, result, at) VALUES (?, ?, ?, ?, ?)"
        ).execute(arguments: [batch.clientID, mutation.mutationID, batch.tenantID, try result.serializedBytes() as Data, at])
      }
      results.append(result)
    }
    states[batch.tenantID] = state
    return .success(PushOutcome(results: results, writeCheckpoint: state.head, committed: committed))
  }

  /// Violations of references (to live records of the tenant) and of the kind's checks.
  private static func violations(
    of mutation: PushBatch.Mutation, over current: StoredRecord?, tenantID: String, db: Database
  ) throws -> [GongjianError.FieldViolation]? {
    guard case .put = mutation.change else { return nil }
    var violations: [GongjianError.FieldViolation] = []
    for reference in mutation.references {
      let tenant = reference.tenantID ?? tenantID
      let live = try Bool.fetchOne(
        db.cachedStatement(sql: "SELECT deleted = 0 FROM record WHERE tenant_id = ? AND kind = ? AND record_id = ?"),
        arguments: [tenant, reference.kind, reference.id]
      )
      if live != true {
        violations.append(.init(field: reference.field, description: "no \(reference.kind) \(reference.id) in tenant \(tenant)"))
      }
    }
    if let check = mutation.check {
      let live = current.flatMap { $0.deleted ? nil : $0.payload }
      violations += check(live) { kind, id in
        (try? Self.currentRecord(db, tenantID: tenantID, kind: kind, id: id.lowercased())).flatMap { $0.deleted ? nil : $0.payload }
      }
    }
    return violations.isEmpty ? nil : violations
  }

  /// The live record of another id that holds the mutation's unique key, if any.
  private static func uniqueKeyHolder(of mutation: PushBatch.Mutation, tenantID: String, db: Database) throws -> StoredRecord? {
    guard case .put = mutation.change, let key = mutation.uniqueKey else { return nil }
    guard let holder = try String.fetchOne(
      db.cachedStatement(
        sql: "SELECT record_id FROM record WHERE tenant_id = ? AND kind = ? AND unique_key = ? AND record_id != ?"
      ),
      arguments: [tenantID, mutation.kind, key, mutation.recordID]
    ) else { return nil }
    return try Self.currentRecord(db, tenantID: tenantID, kind: mutation.kind, id: holder)
  }

  /// Why the mutation's base version does not fit the current record, or `nil` if it does.
  private static func conflict(of mutation: PushBatch.Mutation, with current: StoredRecord?) -> String? {
    let isDelete: Bool
    if case .delete = mutation.change { isDelete = true } else { isDelete = false }
    guard let current else {
      if mutation.baseVersion != 0 {
        return "record \(mutation.kind)/\(mutation.recordID) does not exist; base_version must be 0 to create it"
      }
      return isDelete ? "record \(mutation.kind)/\(mutation.recordID) does not exist; nothing to delete" : nil
    }
    if mutation.baseVersion != current.version {
      return "base_version \(mutation.baseVersion) is stale: record \(mutation.kind)/\(mutation.recordID) is at version \(current.version)"
    }
    if isDelete && current.deleted {
      return "record \(mutation.kind)/\(mutation.recordID) is already deleted at version \(current.version)"
    }
    return nil
  }

  /// The refusal of a write that would take the tenant's live records past its stored-bytes quota.
  private static func overQuota(
    _ mutation: PushBatch.Mutation, over current: StoredRecord?, batch: PushBatch, state: TenantState
  ) -> Gongjian_V1_MutationResult.Rejected? {
    guard batch.storedBytesQuota > 0, case .put(let data) = mutation.change else { return nil }
    let growth = Int64(data.count) - Int64(current.map { $0.deleted ? 0 : $0.payload.count } ?? 0)
    guard growth > 0, state.bytes + growth > batch.storedBytesQuota else { return nil }
    return .with {
      $0.code = 8  // RESOURCE_EXHAUSTED
      $0.message = "tenant \(batch.tenantID) stores \(state.bytes) bytes of live records; this write (\(growth) more) would pass its quota of \(batch.storedBytesQuota) bytes"
      $0.violations = [.with { $0.field = "payload"; $0.description_p = "over the tenant's stored-bytes quota of \(batch.storedBytesQuota)" }]
    }
  }

  private static func write(
    _ mutation: PushBatch.Mutation, over current: StoredRecord?, batch: PushBatch,
    state: inout TenantState, db: Database
  ) throws -> StoredRecord {
    let payload: Data
    let deleted: Bool
    switch mutation.change {
    case .put(let data): (payload, deleted) = (data, false)
    case .delete: (payload, deleted) = (Data(), true)
    case .rejected: preconditionFailure("rejected mutations are never written")
    }
    state.head += 1
    let record = StoredRecord(
      tenantID: batch.tenantID, kind: mutation.kind, id: mutation.recordID,
      version: (current?.version ?? 0) + 1, sequence: state.head, deleted: deleted,
      payload: payload, officeID: batch.officeID, updatedAt: batch.receivedAt
    )
    if let current, !current.deleted {
      state.checksum &-= RecordChecksum.hash(kind: current.kind, id: current.id, version: current.version)
      state.live -= 1
      state.bytes -= Int64(current.payload.count)
    }
    if !deleted {
      state.checksum &+= RecordChecksum.hash(kind: record.kind, id: record.id, version: record.version)
      state.live += 1
      state.bytes += Int64(payload.count)
    }
    let seq = Int64(record.sequence)
    let version = Int64(record.version)
    let at = record.updatedAt.timeIntervalSince1970
    try db.cachedStatement(
      sql: """
        INSERT INTO change (tenant_id, seq, kind, record_id, version, deleted, payload, office_id, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      record.tenantID, seq, record.kind, record.id, version, deleted, payload, record.officeID, at,
    ])
    try db.cachedStatement(
      sql: """
        INSERT INTO record (tenant_id, kind, record_id, version, seq, deleted, unique_key)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (tenant_id, kind, record_id) DO UPDATE
        SET version = excluded.version, seq = excluded.seq, deleted = excluded.deleted,
          unique_key = excluded.unique_key
        """
    ).execute(arguments: [record.tenantID, record.kind, record.id, version, seq, deleted, deleted ? nil : mutation.uniqueKey])

    let entry = AuditEntry(
      tenantID: record.tenantID, number: state.auditCount + 1, at: at, officeID: record.officeID,
      action: deleted ? "delete" : (current == nil || current!.deleted ? "create" : "update"),
      kind: record.kind, recordID: record.id, version: version, sequence: seq,
      payloadSHA256: Data(SHA256.hash(data: payload)), previousHash: state.auditHead
    )
    try db.cachedStatement(
      sql: """
        INSERT INTO audit (tenant_id, n, at, office_id, action, kind, record_id, version, seq,
          payload_sha256, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      entry.tenantID, entry.number, entry.at, entry.officeID, entry.action, entry.kind, entry.recordID,
      entry.version, entry.sequence, entry.payloadSHA256, entry.previousHash, entry.hash,
    ])
    state.auditCount = entry.number
    state.auditHead = entry.hash
    return record
  }

  public func putAttachment(tenantID: String, sha256: String, contentType: String, content: Data) async throws {
    try await self.pool.write { db in
      try db.execute(
        sql: """
          INSERT INTO attachment (tenant_id, sha256, content_type, size, content) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (tenant_id, sha256) DO NOTHING
          """,
        arguments: [tenantID, sha256, contentType, content.count, content]
      )
    }
  }

  public func attachment(tenantID: String, sha256: String) async throws -> (contentType: String, content: Data)? {
    try await self.pool.read { db in
      try Row.fetchOne(
        db, sql: "SELECT content_type, content FROM attachment WHERE tenant_id = ? AND sha256 = ?", arguments: [tenantID, sha256]
      ).map { ($0["content_type"], $0["content"]) }
    }
  }

  public func verifyAuditChain(tenantID: String) async throws -> Int {
    try await self.pool.read { db in
      var previous = Data()
      var count = 0
      let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit WHERE tenant_id = ? ORDER BY n", arguments: [tenantID])
      while let row = try cursor.next() {
        let entry = AuditEntry(
          tenantID: row["tenant_id"], number: row["n"], at: row["at"], officeID: row["office_id"],
          action: row["action"], kind: row["kind"], recordID: row["record_id"], version: row["version"],
          sequence: row["seq"], payloadSHA256: row["payload_sha256"], previousHash: row["prev_hash"]
        )
        guard entry.previousHash == previous, entry.hash == row["hash"] as Data else {
          throw GongjianError(.internalError, "audit chain of tenant \(tenantID) breaks at entry \(entry.number)")
        }
        previous = entry.hash
        count += 1
      }
      return count
    }
  }

  // MARK: Compaction

  public func compact(before cutoff: Date) async throws -> CompactionReport {
    try await self.pool.write { db in
      let limit = cutoff.timeIntervalSince1970
      // A superseded version is never needed: a reader behind it gets the newer version later.
      try db.execute(
        sql: """
          DELETE FROM change WHERE at < ? AND EXISTS (
            SELECT 1 FROM record r WHERE r.tenant_id = change.tenant_id AND r.kind = change.kind
              AND r.record_id = change.record_id AND r.seq > change.seq)
          """,
        arguments: [limit]
      )
      let superseded = db.changesCount
      // Purging a tombstone forgets the record; readers behind it must start again (horizon).
      let tombstones = try Row.fetchAll(
        db,
        sql: """
          SELECT r.tenant_id, r.kind, r.record_id, r.seq FROM record r
          JOIN change c ON c.tenant_id = r.tenant_id AND c.seq = r.seq
          WHERE r.deleted = 1 AND c.at < ?
          """,
        arguments: [limit]
      )
      var horizons: [String: Int64] = [:]
      for row in tombstones {
        let tenantID: String = row["tenant_id"]
        let seq: Int64 = row["seq"]
        try db.execute(
          sql: "DELETE FROM record WHERE tenant_id = ? AND kind = ? AND record_id = ?",
          arguments: [tenantID, row["kind"] as String, row["record_id"] as String]
        )
        try db.execute(sql: "DELETE FROM change WHERE tenant_id = ? AND seq = ?", arguments: [tenantID, seq])
        horizons[tenantID] = max(horizons[tenantID] ?? 0, seq)
      }
      for (tenantID, horizon) in horizons {
        try db.execute(
          sql: "UPDATE tenant_state SET horizon = max(horizon, ?) WHERE tenant_id = ?",
          arguments: [horizon, tenantID]
        )
      }
      try db.execute(sql: "DELETE FROM mutation WHERE at < ?", arguments: [limit])
      let forgotten = db.changesCount
      return CompactionReport(
        supersededRemoved: superseded, tombstonesPurged: tombstones.count, mutationsForgotten: forgotten
      )
    }
  }
}
