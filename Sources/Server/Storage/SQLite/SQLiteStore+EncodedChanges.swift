internal import Foundation
internal import GRDB

extension SQLiteStore {
  /// The changes of a page written as a pull sends them, straight from SQLite's columns: no
  /// ``StoredRecord``, `String` or `Data` per row (building them, then copying their bytes again,
  /// was a third of a pull's server CPU).
  public func encodedChanges(tenantID: String, after cursor: UInt64, limit: Int) async throws -> EncodedChangePage {
    try await self.writer.read { db in
      let checkpoint = try Self.checkpoint(db, tenantID: tenantID)
      let query = try DirectStatement(db, sql: Self.changesAfterSQL)
      query.bind(1, tenantID)
      query.bind(2, Int64(clamping: cursor))
      query.bind(3, Int64(limit + 1))
      var records: [UInt8] = []
      var count = 0
      var lastSequence: UInt64?
      var hasMore = false
      // Pages are mostly of one kind: its type URL is looked up when the kind changes.
      var kind: (bytes: [UInt8], typeURL: String) = ([], "")
      // Run to its end: the one row past the page only says that more follow.
      while try query.step() {
        guard count < limit else {
          hasMore = true
          continue
        }
        let kindBytes = query.text(1)
        if !kind.bytes.elementsEqual(kindBytes) {
          kind = (Array(kindBytes), RecordWire<UnsafeRawBufferPointer, UnsafeRawBufferPointer>.typeURL(kind: String(decoding: kindBytes, as: UTF8.self)))
        }
        let sequence = UInt64(query.int64(4))
        let wire = RecordWire(
          tenantID: query.text(0), kind: kindBytes, id: query.text(2), version: UInt64(query.int64(3)),
          sequence: sequence, deleted: query.int64(5) != 0, typeURL: kind.typeURL, payload: query.blob(6),
          officeID: query.text(7), updatedAt: Date(timeIntervalSince1970: query.double(8))
        )
        if count == 0 { records.reserveCapacity(min(limit, 256) * wire.encodedLengthEstimate) }
        wire.append(1, to: &records)
        count += 1
        lastSequence = sequence
      }
      return EncodedChangePage(records: records, count: count, lastSequence: lastSequence, hasMore: hasMore, checkpoint: checkpoint)
    }
  }
}
