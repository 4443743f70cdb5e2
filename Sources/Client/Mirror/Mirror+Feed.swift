internal import Foundation
public import GongjianProtocol
internal import GRDB
internal import GRDBSQLite

/// SQLite copies the bound bytes (SQLITE_TRANSIENT, a macro Swift does not import).
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

extension Mirror {
  /// How a pulled page compared with the server's checkpoint.
  public enum Verification: Sendable, Equatable {
    /// The page did not reach the checkpoint's head; nothing to compare yet.
    case notYet
    /// The mirror's checksum equals the server's.
    case matched
    /// The mirror differs from the server: refetch the tenant.
    case mismatch(mirror: UInt64, server: UInt64)
  }

  /// Applies one pulled page in one transaction: its records, the cursor and the checkpoint.
  ///
  /// - Parameters:
  ///   - page: The server's answer.
  ///   - tenantID: The tenant pulled.
  /// - Returns: The comparison with the server's checksum.
  @discardableResult
  public func apply(page: Gongjian_V1_PullResponse, tenantID: String) throws -> Verification {
    try self.apply(pages: [page], tenantID: tenantID)
  }

  /// Applies consecutive pulled pages in one transaction, with the last page's cursor and
  /// checkpoint. Fewer, larger transactions write each touched index page to the WAL once per
  /// transaction rather than once per page.
  ///
  /// When the last page reaches the checkpoint's head (`more` false), the mirror's checksum is
  /// recomputed from its live records and compared with the server's; until then the stored
  /// checksum and live count are those of the last caught-up page.
  ///
  /// - Parameters:
  ///   - pages: The server's answers, in order; only the last may be caught up.
  ///   - tenantID: The tenant pulled.
  ///   - bulk: Appends the records without the key index (see ``beginBulkLoad()``); the
  ///     caught-up page then builds the index before it verifies the checksum.
  /// - Returns: The comparison of the last page with the server's checksum.
  @discardableResult
  public func apply(pages: [Gongjian_V1_PullResponse], tenantID: String, bulk: Bool = false) throws -> Verification {
    guard let page = pages.last else { return .notYet }
    return try self.writeRefetchable { db in
      try Self.ensureTenant(db, tenantID)
      var tally = try Self.storedTally(db, tenantID)
      // Pages are stored without the per-record checksum bookkeeping (a read of the old version
      // per record took a third of a first sync); every caught-up page recomputes it from the rows.
      // A bulk load sums the checksum of the records it appends: the mirror held none before it.
      var appendedOnce = bulk
      if bulk {
        for record in pages.lazy.flatMap(\.records) {
          try Self.append(db, record)
          if !record.deleted {
            tally.checksum &+= RecordChecksum.hash(kind: record.kind, id: record.id, version: record.version)
            tally.live += 1
          }
        }
        if !page.more { appendedOnce = try !Self.finishBulkLoad(db) }
      } else {
        for record in pages.lazy.flatMap(\.records) { try Self.store(db, record) }
      }
      // A caught-up page covers everything up to the snapshot's head, even a purged tombstone's.
      let cursor = page.more ? page.nextCursor : max(page.nextCursor, page.checkpoint.headSequence)
      var verification = Verification.notYet
      if !page.more {
        // From the rows themselves, so that a mirror damaged behind its back is caught too; a
        // bulk load that appended every record once has its sum already (rescanning a million
        // rows at the end took a second during which nothing else ran).
        if !appendedOnce { tally = try Self.recomputeTally(db, tenantID) }
        verification = tally.checksum == page.checkpoint.checksum
          ? .matched : .mismatch(mirror: tally.checksum, server: page.checkpoint.checksum)
      }
      try db.execute(
        sql: """
          UPDATE tenant SET cursor = ?, head = ?, checksum = ?, server_checksum = ?, live = ?,
            verified = CASE WHEN ? THEN ? ELSE verified END,
            last_sync = CASE WHEN ? THEN ? ELSE last_sync END
          WHERE tenant_id = ?
          """,
        arguments: [
          Int64(stored: cursor), Int64(stored: page.checkpoint.headSequence), Int64(stored: tally.checksum),
          Int64(stored: page.checkpoint.checksum), tally.live,
          !page.more, verification == .matched, !page.more, Date().timeIntervalSince1970, tenantID,
        ]
      )
      return verification
    }
  }

  /// Applies records from the live feed (`Subscribe`) and moves the cursor.
  ///
  /// - Parameters:
  ///   - records: The batch, in sequence order.
  ///   - cursor: The batch's cursor.
  ///   - tenantID: The tenant.
  public func apply(records: [Gongjian_V1_Record], cursor: UInt64, tenantID: String) throws {
    try self.write { db in
      try Self.ensureTenant(db, tenantID)
      var tally = try Self.storedTally(db, tenantID)
      for record in records {
        try Self.upsert(db, MirrorRecord(record), tally: &tally)
      }
      try db.execute(
        sql: "UPDATE tenant SET cursor = max(cursor, ?), head = max(head, ?), last_sync = ? WHERE tenant_id = ?",
        arguments: [Int64(stored: cursor), Int64(stored: cursor), Date().timeIntervalSince1970, tenantID]
      )
      try Self.storeTally(db, tenantID, tally)
    }
  }

  /// Drops a tenant's records and cursor so that the next pull refetches it; the outbox stays.
  ///
  /// - Parameters:
  ///   - tenantID: The tenant.
  ///   - note: Why, shown by `gongjian status`.
  public func reset(tenantID: String, note: String) throws {
    try self.write { db in
      try Self.ensureTenant(db, tenantID)
      try db.execute(sql: "DELETE FROM record WHERE tenant_id = ?", arguments: [tenantID])
      try db.execute(
        sql: "UPDATE tenant SET cursor = 0, checksum = 0, live = 0, verified = NULL, note = ? WHERE tenant_id = ?",
        arguments: [note, tenantID]
      )
    }
  }

  /// Records a sync problem (or clears it with an empty note).
  public func setNote(_ note: String, tenantID: String) throws {
    try self.write { db in
      try Self.ensureTenant(db, tenantID)
      try db.execute(sql: "UPDATE tenant SET note = ? WHERE tenant_id = ?", arguments: [note, tenantID])
    }
  }

  /// The last sequence applied for a tenant (0 when never synced).
  public func cursor(tenantID: String) throws -> UInt64 {
    try self.read { db in
      try Int64.fetchOne(db, sql: "SELECT cursor FROM tenant WHERE tenant_id = ?", arguments: [tenantID]).map(UInt64.init(stored:)) ?? 0
    }
  }

  /// Per tenant: cursor, head, last sync, outbox counts and checksum state.
  ///
  /// - Parameter tenantID: One tenant, or nil for every tenant the mirror knows.
  public func status(tenantID: String? = nil) throws -> [TenantStatus] {
    try self.read { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT t.tenant_id, t.cursor, t.head, t.live, t.checksum, t.server_checksum, t.verified, t.last_sync, t.note,
            (SELECT count(*) FROM outbox o WHERE o.tenant_id = t.tenant_id AND o.state = 'pending') AS pending,
            (SELECT count(*) FROM outbox o WHERE o.tenant_id = t.tenant_id AND o.state = 'conflict') AS conflicts,
            (SELECT count(*) FROM outbox o WHERE o.tenant_id = t.tenant_id AND o.state = 'rejected') AS rejected
          FROM (SELECT * FROM tenant UNION ALL
                SELECT DISTINCT o.tenant_id, 0, 0, 0, 0, 0, NULL, NULL, '' FROM outbox o
                WHERE o.tenant_id NOT IN (SELECT tenant_id FROM tenant)) t
          WHERE ? IS NULL OR t.tenant_id = ?
          ORDER BY t.tenant_id
          """,
        arguments: [tenantID, tenantID]
      )
      return rows.map { row in
        TenantStatus(
          tenantID: row["tenant_id"], cursor: UInt64(stored: row["cursor"]), head: UInt64(stored: row["head"]),
          liveRecords: UInt64(stored: row["live"]), checksum: UInt64(stored: row["checksum"]),
          serverChecksum: UInt64(stored: row["server_checksum"]), verified: row["verified"],
          lastSync: (row["last_sync"] as Double?).map(Date.init(timeIntervalSince1970:)),
          pending: row["pending"], conflicts: row["conflicts"], rejected: row["rejected"], note: row["note"]
        )
      }
    }
  }

  // MARK: Internals

  static func ensureTenant(_ db: Database, _ tenantID: String) throws {
    try db.execute(sql: "INSERT INTO tenant (tenant_id) VALUES (?) ON CONFLICT DO NOTHING", arguments: [tenantID])
  }

  /// The checksum and live count of a tenant's records, kept as rows change.
  struct Tally {
    var checksum: UInt64
    var live: Int64
  }

  static func storedTally(_ db: Database, _ tenantID: String) throws -> Tally {
    let row = try Row.fetchOne(db, sql: "SELECT checksum, live FROM tenant WHERE tenant_id = ?", arguments: [tenantID])
    return Tally(checksum: UInt64(stored: row?["checksum"] ?? 0), live: row?["live"] ?? 0)
  }

  static func storeTally(_ db: Database, _ tenantID: String, _ tally: Tally) throws {
    try db.execute(
      sql: "UPDATE tenant SET checksum = ?, live = ? WHERE tenant_id = ?", arguments: [Int64(stored: tally.checksum), tally.live, tenantID]
    )
  }

  /// The checksum and count of the tenant's live records, from the rows themselves.
  static func recomputeTally(_ db: Database, _ tenantID: String) throws -> Tally {
    var tally = Tally(checksum: 0, live: 0)
    let rows = try Row.fetchCursor(db, sql: "SELECT kind, id, version FROM record WHERE tenant_id = ? AND deleted = 0", arguments: [tenantID])
    while let row = try rows.next() {
      tally.checksum &+= RecordChecksum.hash(kind: row[0], id: row[1], version: UInt64(stored: row[2]))
      tally.live += 1
    }
    return tally
  }

  /// Starts a bulk load when the mirror holds no record at all (a first sync): the key index is
  /// dropped, pulled records are appended, and the caught-up page builds the index once, from
  /// sorted keys, instead of inserting every key at a random place of it (a third less time per
  /// record in a trial of a million rows with Python's sqlite3). A load cut short is finished by
  /// ``finishBulkLoad()``, or when the mirror is next opened.
  ///
  /// - Returns: Whether a bulk load started.
  public func beginBulkLoad() throws -> Bool {
    try self.write { db in
      guard try Self.hasKeyIndex(db), try Bool.fetchOne(db, sql: "SELECT 1 FROM record LIMIT 1") == nil else { return false }
      try db.execute(sql: "DROP INDEX record_key")
      // No record, so every tally is zero; the load adds to it.
      try db.execute(sql: "UPDATE tenant SET checksum = 0, live = 0")
      return true
    }
  }

  /// Ends a bulk load: keeps the latest version of a record pulled twice and builds the key
  /// index. Does nothing when the index is there.
  public func finishBulkLoad() throws {
    try self.write { db in _ = try Self.finishBulkLoad(db) }
  }

  static func hasKeyIndex(_ db: Database) throws -> Bool {
    try Bool.fetchOne(db, sql: "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'record_key'") ?? false
  }

  /// - Returns: Whether records pulled twice were removed (their tally must be recomputed).
  @discardableResult
  static func finishBulkLoad(_ db: Database) throws -> Bool {
    guard try !Self.hasKeyIndex(db) else { return false }
    // SQLite sorts the keys in runs of the cache's size: small runs, sorted beside the writer by a
    // helper thread and merged, beat one large in-memory sort (a million keys: 1.5–2.3 s against
    // 2.9–4.0 s in trials with Python's sqlite3).
    try db.execute(sql: "PRAGMA threads = 2; PRAGMA cache_size = -4096")
    defer { try? db.execute(sql: "PRAGMA threads = 0; PRAGMA cache_size = \(Self.cacheSize)") }
    // A feed from scratch rarely holds two versions of one record (compaction keeps the latest),
    // so the index is tried first and the duplicates removed only if it fails.
    do {
      try db.inSavepoint {
        try db.execute(sql: "CREATE UNIQUE INDEX record_key ON record (tenant_id, kind, id)")
        return .commit
      }
      return false
    } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
      try db.execute(
        sql: """
          DELETE FROM record WHERE rowid IN (
            SELECT rowid FROM (
              SELECT rowid, row_number() OVER (PARTITION BY tenant_id, kind, id ORDER BY sequence DESC, rowid DESC) AS n FROM record)
            WHERE n > 1)
          """
      )
      try db.execute(sql: "CREATE UNIQUE INDEX record_key ON record (tenant_id, kind, id)")
      return true
    }
  }

  /// Appends a pulled version during a bulk load (no key index, so no upsert).
  static func append(_ db: Database, _ record: Gongjian_V1_Record) throws {
    try Self.execute(
      db.cachedStatement(
        sql: """
          INSERT INTO record (tenant_id, kind, id, version, sequence, deleted, payload, office_id, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """
      ),
      record, db: db
    )
  }

  /// Binds a pulled record's nine columns straight from its fields and runs the statement.
  /// GRDB's arguments box every value (an existential and a copy per column); at a million
  /// records per first sync that was a tenth of the client's time.
  private static func execute(_ statement: Statement, _ record: Gongjian_V1_Record, db: Database) throws {
    let handle = statement.sqliteStatement
    sqlite3_reset(handle)
    Self.bind(handle, 1, record.tenantID)
    Self.bind(handle, 2, record.kind)
    Self.bind(handle, 3, record.id)
    sqlite3_bind_int64(handle, 4, Int64(stored: record.version))
    sqlite3_bind_int64(handle, 5, Int64(stored: record.sequence))
    sqlite3_bind_int(handle, 6, record.deleted ? 1 : 0)
    let payload = record.deleted ? Data() : record.payload.value
    _ = payload.withUnsafeBytes { bytes in
      if let base = bytes.baseAddress, bytes.count > 0 {
        sqlite3_bind_blob(handle, 7, base, CInt(bytes.count), transient)
      } else {
        sqlite3_bind_zeroblob(handle, 7, 0)
      }
    }
    Self.bind(handle, 8, record.officeID)
    sqlite3_bind_double(handle, 9, Double(record.updatedAt.seconds) + Double(record.updatedAt.nanos) / 1e9)
    let code = sqlite3_step(handle)
    sqlite3_reset(handle)
    guard code == SQLITE_DONE else {
      throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }
  }

  private static func bind(_ handle: OpaquePointer, _ index: CInt, _ text: String) {
    // Through a C string: NUL-terminated and never a null pointer, also when empty.
    _ = text.withCString { chars in
      sqlite3_bind_text(handle, index, chars, CInt(text.utf8.count), transient)
    }
  }

  /// Stores a server version unless the mirror has a later one, without the tally.
  static func store(_ db: Database, _ record: Gongjian_V1_Record) throws {
    let statement = try db.cachedStatement(
      sql: """
        INSERT INTO record (tenant_id, kind, id, version, sequence, deleted, payload, office_id, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (tenant_id, kind, id) DO UPDATE SET version = excluded.version, sequence = excluded.sequence,
          deleted = excluded.deleted, payload = excluded.payload, office_id = excluded.office_id,
          updated_at = excluded.updated_at
        WHERE excluded.sequence >= record.sequence
        """
    )
    try Self.execute(statement, record, db: db)
  }

  /// Stores a server version unless the mirror has a later one, adjusting the tally.
  static func upsert(_ db: Database, _ record: MirrorRecord, tally: inout Tally) throws {
    let existing = try Row.fetchOne(
      try db.cachedStatement(sql: "SELECT rowid, version, sequence, deleted FROM record WHERE tenant_id = ? AND kind = ? AND id = ?"),
      arguments: [record.tenantID, record.kind, record.id]
    )
    let values: StatementArguments = [
      Int64(stored: record.version), Int64(stored: record.sequence), record.deleted, record.payload, record.officeID,
      record.updatedAt.timeIntervalSince1970,
    ]
    if let existing {
      if UInt64(stored: existing["sequence"]) > record.sequence { return }
      if !(existing["deleted"] as Bool) {
        tally.checksum &-= RecordChecksum.hash(kind: record.kind, id: record.id, version: UInt64(stored: existing["version"]))
        tally.live -= 1
      }
      try db.cachedStatement(
        sql: "UPDATE record SET version = ?, sequence = ?, deleted = ?, payload = ?, office_id = ?, updated_at = ? WHERE rowid = ?"
      ).execute(arguments: values + [existing["rowid"] as Int64])
    } else {
      try db.cachedStatement(
        sql: """
          INSERT INTO record (version, sequence, deleted, payload, office_id, updated_at, tenant_id, kind, id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """
      ).execute(arguments: values + [record.tenantID, record.kind, record.id])
    }
    if !record.deleted {
      tally.checksum &+= RecordChecksum.hash(kind: record.kind, id: record.id, version: record.version)
      tally.live += 1
    }
  }
}
