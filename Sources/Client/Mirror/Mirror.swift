internal import Foundation
internal import GongjianProtocol
internal import GRDB

/// The office's local copy: every record it can read (with version and sequence), a cursor and
/// checksum per tenant, and the outbox of local writes. One SQLite file per profile.
///
/// Every change is one transaction, so a client killed at any point leaves either the state
/// before or after it: a pulled page with its cursor, or a queued write with its mutation id.
public final class Mirror: Sendable {
  private let pool: DatabasePool

  /// The database file.
  public let path: String
  /// The mirror's folder and files that were open to other users and were made owner-only on
  /// opening (an earlier version's), for the caller to say once.
  public let tightened: [String]

  /// Opens (creating if needed) the mirror at `path`.
  ///
  /// - Parameter path: The SQLite file; its folder is created.
  /// - Throws: ``GongjianClientError`` (`local`) when the file cannot be opened or migrated.
  public init(path: String) throws {
    do {
      // Every record the office may read: its folder and files are the owner's only.
      self.tightened = try PrivateFiles.folder(URL(fileURLWithPath: path).deletingLastPathComponent().path) + PrivateFiles.database(path)
      var configuration = Configuration()
      // `sync --watch` may hold the write lock while `submit` queues a write.
      configuration.busyMode = .timeout(30)
      configuration.prepareDatabase { db in
        // Only takes effect on a new file. Larger pages cut a first sync's B-tree work (1,000,000
        // records into the record table and its key: 17.6 µs a record against 22.3 with 4 KiB pages).
        try db.execute(sql: "PRAGMA page_size = 16384")
        // A queued write is acknowledged to the office; it must survive power loss too.
        try db.execute(sql: "PRAGMA synchronous = FULL")
        // A first sync writes hundreds of megabytes: with SQLite's default 2 MB cache most of the
        // time went to re-reading B-tree pages through pread (measured with perf).
        try db.execute(sql: "PRAGMA cache_size = \(Self.cacheSize)")
        try db.execute(sql: "PRAGMA mmap_size = 268435456")
        // Fewer, larger checkpoints: each one waits for the disk.
        try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
      }
      self.pool = try DatabasePool(path: path, configuration: configuration)
      self.path = path
      try Self.migrator.migrate(self.pool)
      // A first sync cut short leaves its bulk load unfinished: the key index is built now.
      try self.pool.write { db in _ = try Self.finishBulkLoad(db) }
    } catch let error as GongjianClientError {
      throw error
    } catch {
      throw GongjianClientError(.local, "mirror \(path): \(error)", cause: error)
    }
  }

  /// The page cache, in SQLite's form (negative: KiB): 256 MiB.
  static let cacheSize = -262_144

  private static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
          CREATE TABLE tenant (
            tenant_id TEXT PRIMARY KEY NOT NULL,
            cursor INTEGER NOT NULL DEFAULT 0, head INTEGER NOT NULL DEFAULT 0,
            live INTEGER NOT NULL DEFAULT 0, checksum INTEGER NOT NULL DEFAULT 0,
            server_checksum INTEGER NOT NULL DEFAULT 0, verified INTEGER,
            last_sync REAL, note TEXT NOT NULL DEFAULT '');
          -- A rowid table with the key in an index: new records append to the table instead of
          -- splitting pages of payloads at random UUID positions.
          CREATE TABLE record (
            tenant_id TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
            version INTEGER NOT NULL, sequence INTEGER NOT NULL, deleted INTEGER NOT NULL,
            payload BLOB NOT NULL, office_id TEXT NOT NULL, updated_at REAL NOT NULL);
          CREATE UNIQUE INDEX record_key ON record (tenant_id, kind, id);
          CREATE TABLE outbox (
            number INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant_id TEXT NOT NULL, mutation_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL, record_id TEXT NOT NULL, base_version INTEGER NOT NULL,
            is_delete INTEGER NOT NULL, payload BLOB NOT NULL, created_at REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'pending',
            message TEXT NOT NULL DEFAULT '', violations TEXT NOT NULL DEFAULT '',
            their_version INTEGER, their_sequence INTEGER, their_deleted INTEGER,
            their_payload BLOB, their_office TEXT, their_updated_at REAL);
          CREATE INDEX outbox_by_tenant ON outbox (tenant_id, state, number);
          """
      )
    }
    // Writes of one multi-step move share a group and are pushed together, all or nothing.
    migrator.registerMigration("v2-outbox-groups") { db in
      try db.execute(sql: "ALTER TABLE outbox ADD COLUMN move_group TEXT")
    }
    // The server's figures for offline reports (Targets/Summary): one row, replaced by each sync.
    migrator.registerMigration("v3-offline-summary") { db in
      try db.execute(sql: "CREATE TABLE summary (id INTEGER PRIMARY KEY CHECK (id = 1), payload BLOB NOT NULL, stored_at REAL NOT NULL)")
    }
    // A rejection's gRPC status code: a refusal for permission exits 77 wherever it is read.
    migrator.registerMigration("v4-outbox-rejection-code") { db in
      try db.execute(sql: "ALTER TABLE outbox ADD COLUMN code INTEGER NOT NULL DEFAULT 0")
    }
    return migrator
  }

  /// Runs `body` in a write transaction, mapping database failures to ``GongjianClientError``.
  func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
    do {
      return try self.pool.write(body)
    } catch let error as GongjianClientError {
      throw error
    } catch {
      throw GongjianClientError(.local, "mirror \(self.path): \(error)", cause: error)
    }
  }

  /// Runs `body` in a write transaction that commits without waiting for the disk: for pulled
  /// pages only. A power cut may roll back the last pages together with their cursor, which the
  /// next sync fetches again; the outbox is never written this way. The next durable commit
  /// (`synchronous=FULL`) makes these durable too.
  func writeRefetchable<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
    do {
      return try self.pool.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
        var result: T?
        try db.inTransaction {
          result = try body(db)
          return .commit
        }
        return result!
      }
    } catch let error as GongjianClientError {
      throw error
    } catch {
      throw GongjianClientError(.local, "mirror \(self.path): \(error)", cause: error)
    }
  }

  /// Runs `body` on a read snapshot.
  func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
    do {
      return try self.pool.read(body)
    } catch let error as GongjianClientError {
      throw error
    } catch {
      throw GongjianClientError(.local, "mirror \(self.path): \(error)", cause: error)
    }
  }

  /// This mirror's client id, made once: the server deduplicates pushes by it and the mutation id.
  public func clientID() throws -> String {
    try self.write { db in
      if let id = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'client_id'") { return id }
      let id = UUID().uuidString.lowercased()
      try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('client_id', ?)", arguments: [id])
      return id
    }
  }

  /// Tenants with writes in the outbox (queued, conflicted or rejected).
  public func tenantsWithWrites() throws -> [String] {
    try self.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT tenant_id FROM outbox ORDER BY 1") }
  }

  /// Tenants the mirror knows (synced, or with writes queued).
  public func tenants() throws -> [String] {
    try self.read { db in
      try String.fetchAll(
        db, sql: "SELECT tenant_id FROM tenant UNION SELECT DISTINCT tenant_id FROM outbox ORDER BY 1"
      )
    }
  }
}

extension Int64 {
  /// SQLite integers are signed; sequences, versions and checksums are stored by bit pattern.
  init(stored value: UInt64) { self.init(bitPattern: value) }
}

extension UInt64 {
  init(stored value: Int64) { self.init(bitPattern: value) }
}
