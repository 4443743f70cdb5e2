internal import Foundation
internal import GRDB
internal import GRDBSQLite

extension SQLiteStore {
  /// The changes of a page written as a pull sends them, straight from SQLite's columns: no
  /// ``StoredRecord``, `String` or `Data` per row (building them, then copying their bytes again,
  /// was a third of a pull's server CPU).
  public func encodedChanges(tenantID: String, after cursor: UInt64, limit: Int) async throws -> EncodedChangePage {
    try await self.writer.read { db in
      let checkpoint = try Self.checkpoint(db, tenantID: tenantID)
      let statement = try db.cachedStatement(sql: Self.changesAfterSQL)
      try statement.setArguments([tenantID, Int64(clamping: cursor), limit + 1])
      let handle = statement.sqliteStatement
      defer { sqlite3_reset(handle) }
      var records: [UInt8] = []
      var count = 0
      var lastSequence: UInt64?
      var hasMore = false
      // Pages are mostly of one kind: its type URL is looked up when the kind changes.
      var kind: (bytes: [UInt8], typeURL: String) = ([], "")
      while true {
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { break }
        guard code == SQLITE_ROW else {
          throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
        guard count < limit else {
          hasMore = true
          break
        }
        let kindBytes = Self.text(handle, 1)
        if !kind.bytes.elementsEqual(kindBytes) {
          kind = (Array(kindBytes), RecordWire<UnsafeRawBufferPointer, UnsafeRawBufferPointer>.typeURL(kind: String(decoding: kindBytes, as: UTF8.self)))
        }
        let sequence = UInt64(sqlite3_column_int64(handle, 4))
        let wire = RecordWire(
          tenantID: Self.text(handle, 0), kind: kindBytes, id: Self.text(handle, 2), version: UInt64(sqlite3_column_int64(handle, 3)),
          sequence: sequence, deleted: sqlite3_column_int(handle, 5) != 0, typeURL: kind.typeURL, payload: Self.blob(handle, 6),
          officeID: Self.text(handle, 7), updatedAt: Date(timeIntervalSince1970: sqlite3_column_double(handle, 8))
        )
        if count == 0 { records.reserveCapacity(min(limit, 256) * wire.encodedLengthEstimate) }
        wire.append(1, to: &records)
        count += 1
        lastSequence = sequence
      }
      return EncodedChangePage(records: records, count: count, lastSequence: lastSequence, hasMore: hasMore, checkpoint: checkpoint)
    }
  }

  /// A text column's UTF-8 bytes, valid until the statement steps on.
  private static func text(_ handle: OpaquePointer, _ column: CInt) -> UnsafeRawBufferPointer {
    // The pointer first, then its length, as SQLite asks.
    guard let pointer = sqlite3_column_text(handle, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column)))
  }

  /// A blob column's bytes, valid until the statement steps on.
  private static func blob(_ handle: OpaquePointer, _ column: CInt) -> UnsafeRawBufferPointer {
    guard let pointer = sqlite3_column_blob(handle, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column)))
  }
}
