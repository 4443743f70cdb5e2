internal import Foundation
internal import SwiftProtobuf
internal import GongjianProtocol
public import GRDB
public import Logging

/// The embedded store: SQLite in WAL mode with `synchronous=FULL`, through GRDB.
///
/// One writer (GRDB serialises writes; ``SyncEngine`` groups concurrent pushes into one
/// transaction) and a pool of readers that see committed snapshots.
///
/// ```swift
/// let store = try SQLiteStore(path: "gongjian.sqlite", logger: logger)  // a deployment's file
/// let scratch = try SQLiteStore(writer: DatabaseQueue())                  // in memory, for tests
/// ```
public final class SQLiteStore: GongjianStore {
  let writer: any DatabaseWriter

  /// The database file ("" in memory).
  public let path: String

  /// A store on a database the caller opened (GRDB's `AppDatabase` pattern): migrated here;
  /// durability is the caller's choice.
  ///
  /// - Parameter writer: A `DatabasePool` on a file, or a `DatabaseQueue` (in memory for tests).
  /// - Throws: When the schema cannot be migrated.
  public init(writer: any DatabaseWriter) throws {
    self.writer = writer
    self.path = writer.path
    try Self.migrate(writer)
  }

  /// Migrates, refusing a database that a newer release migrated, and records this release
  /// beside each migration it applies.
  static func migrate(_ writer: any DatabaseWriter) throws {
    let migrator = Self.migrator
    let before = try writer.read { try migrator.appliedIdentifiers($0) }
    let unknown = before.subtracting(migrator.migrations)
    guard unknown.isEmpty else {
      let versions = try writer.read { db -> [String] in
        guard try db.tableExists("migration_software") else { return [] }
        return try String.fetchAll(
          db, sql: "SELECT DISTINCT version FROM migration_software WHERE identifier IN (\(unknown.map { _ in "?" }.joined(separator: ",")))",
          arguments: StatementArguments(Array(unknown))
        )
      }
      throw SchemaWriter.superseded(database: writer.path.isEmpty ? "the database" : writer.path, migrations: Array(unknown), versions: versions)
    }
    try migrator.migrate(writer)
    let applied = migrator.migrations.filter { !before.contains($0) }
    try writer.write { db in
      try db.execute(sql: "CREATE TABLE IF NOT EXISTS migration_software (identifier TEXT PRIMARY KEY NOT NULL, version TEXT NOT NULL)")
      for identifier in applied {
        try db.execute(
          sql: "INSERT OR REPLACE INTO migration_software (identifier, version) VALUES (?, ?)",
          arguments: [identifier, GongjianVersion.current]
        )
      }
    }
  }

  /// Opens (creating if needed) and migrates the database, and checks durability settings.
  ///
  /// - Parameters:
  ///   - path: The SQLite file.
  ///   - logger: Where start-up facts are logged.
  /// - Throws: When the file cannot be opened, migrated, or `synchronous=FULL` cannot be set.
  public convenience init(path: String, logger: Logger) throws {
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
    try self.init(writer: try DatabasePool(path: path, configuration: configuration))
    // GRDB's WAL set-up leaves the writer at NORMAL, which can lose acknowledged commits on
    // power failure; the writer is one connection, so setting it once holds.
    let (journal, synchronous) = try self.writer.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA synchronous = FULL")
      // Checkpoints every 16,384 WAL pages (64 MiB) instead of SQLite's 1,000: a page that
      // commits keep touching (the feed's and audit chain's ends, the B-trees' upper levels) is
      // copied back to the database once per checkpoint, so fewer checkpoints write less. Pushes
      // of 100 records in paired runs: 11,700–12,200 → 14,400–16,300 records/s, 78–82 → 65–74 µs
      // of server CPU and 14 → 10–11 KB written per record.
      try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
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
    // Parks are told apart by name: parks written before the rule get their key; of parks that
    // already share a name, the first keeps it and the others are refused until renamed.
    migrator.registerMigration("v9-park-name-keys") { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT r.tenant_id, r.record_id, c.payload FROM record r JOIN change c ON c.tenant_id = r.tenant_id AND c.seq = r.seq
          WHERE r.kind = 'park' AND r.deleted = 0 AND r.unique_key IS NULL ORDER BY r.tenant_id, r.seq
          """
      )
      for row in rows {
        guard let park = try? Gongjian_V1_Park(serializedBytes: row["payload"] as Data) else { continue }
        try db.execute(
          sql: """
            UPDATE record SET unique_key = ? WHERE tenant_id = ? AND kind = 'park' AND record_id = ?
              AND NOT EXISTS (SELECT 1 FROM record WHERE tenant_id = ? AND kind = 'park' AND unique_key = ?)
            """,
          arguments: [park.uniqueKey, row["tenant_id"] as String, row["record_id"] as String, row["tenant_id"] as String, park.uniqueKey]
        )
      }
    }
    return migrator
  }
}
