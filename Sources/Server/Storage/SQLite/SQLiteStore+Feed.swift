internal import Foundation
internal import GongjianProtocol
internal import GRDB

extension SQLiteStore {
  public func changes(tenantID: String, after cursor: UInt64, limit: Int) async throws -> ChangePage {
    try await self.writer.read { db in
      let checkpoint = try Self.checkpoint(db, tenantID: tenantID)
      let rows = try Row.fetchCursor(
        db.cachedStatement(sql: Self.changesAfterSQL),
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
    try await self.writer.read { db in
      try Self.currentRecord(db, tenantID: tenantID, kind: kind, id: id)
    }
  }

  public func liveRecords(tenantID: String, kind: String) async throws -> [StoredRecord] {
    try await self.writer.read { db in
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
    try await self.writer.read { db in try Self.checkpoint(db, tenantID: tenantID) }
  }

  static func checkpoint(_ db: Database, tenantID: String) throws -> TenantCheckpoint {
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

  static func currentRecord(_ db: Database, tenantID: String, kind: String, id: String) throws -> StoredRecord? {
    try Row.fetchOne(db.cachedStatement(sql: Self.currentRecordSQL), arguments: [tenantID, kind, id])
      .map { Self.storedRecord(from: $0) }
  }

  /// A page of changes after a cursor, one more than the page's size (to tell whether more
  /// follow): tenant, cursor, size + 1.
  static let changesAfterSQL = "SELECT \(SQLiteStore.changeColumns("")) FROM change WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?"

  /// Built once: the write path asks for current records several times per mutation.
  static let currentRecordSQL = """
    SELECT \(SQLiteStore.changeColumns("c.")) FROM record r JOIN change c ON c.tenant_id = r.tenant_id AND c.seq = r.seq
    WHERE r.tenant_id = ? AND r.kind = ? AND r.record_id = ?
    """

  /// The columns ``storedRecord(from:)`` reads, in its order, with an optional table prefix.
  static func changeColumns(_ prefix: String) -> String {
    ["tenant_id", "kind", "record_id", "version", "seq", "deleted", "payload", "office_id", "at"]
      .map { prefix + $0 }.joined(separator: ", ")
  }

  /// A change row selected with ``changeColumns(_:)``. By position, not name: reading pages is
  /// the largest part of a pull's server time, and a name is looked up per column per row.
  static func storedRecord(from row: Row) -> StoredRecord {
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
}
