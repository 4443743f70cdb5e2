internal import Foundation
internal import GRDB

extension Mirror {
  /// The live records of a kind as the office sees them offline: the server's versions with the
  /// outbox laid over them (a queued write shows as `pending`, an unresolved one marks the
  /// server's version `conflict` or `rejected`), by kind and id as the server lists them.
  ///
  /// - Parameters:
  ///   - tenantID: The tenant.
  ///   - kind: The kind's wire name, or nil for every kind.
  public func records(tenantID: String, kind: String? = nil) throws -> [MirrorRecord] {
    try self.read { db in
      var records: [String: MirrorRecord] = [:]
      var order: [String] = []
      let rows = try Row.fetchCursor(
        db, sql: "SELECT * FROM record WHERE tenant_id = ? AND (? IS NULL OR kind = ?) ORDER BY kind, id",
        arguments: [tenantID, kind, kind]
      )
      while let row = try rows.next() {
        let record = Self.record(from: row)
        let key = record.kind + "/" + record.id
        records[key] = record
        order.append(key)
      }
      let entries = try Row.fetchAll(
        db, sql: "SELECT * FROM outbox WHERE tenant_id = ? AND (? IS NULL OR kind = ?) ORDER BY number",
        arguments: [tenantID, kind, kind]
      ).map(Self.entry(from:))
      for entry in entries {
        let key = entry.kind + "/" + entry.recordID
        if records[key] == nil {
          guard entry.state == .pending else { continue }
          order.append(key)
        }
        var record = records[key] ?? MirrorRecord(
          tenantID: tenantID, kind: entry.kind, id: entry.recordID, version: 0, sequence: 0, deleted: false,
          payload: Data(), officeID: "", updatedAt: entry.createdAt, state: .pending
        )
        switch entry.state {
        case .pending:
          record.version = entry.baseVersion + 1
          record.deleted = entry.delete
          record.payload = entry.payload
          record.updatedAt = entry.createdAt
          record.state = .pending
        case .conflict:
          record.state = .conflict
        case .rejected:
          record.state = .rejected
        }
        records[key] = record
      }
      return order.compactMap { records[$0] }.filter { !$0.deleted }.sorted { ($0.kind, $0.id) < ($1.kind, $1.id) }
    }
  }

  /// One record as the office sees it offline (see ``records(tenantID:kind:)``), or nil.
  public func record(tenantID: String, kind: String, id: String) throws -> MirrorRecord? {
    try self.records(tenantID: tenantID, kind: kind).first { $0.id == id.lowercased() }
  }

  static func record(from row: Row) -> MirrorRecord {
    MirrorRecord(
      tenantID: row["tenant_id"], kind: row["kind"], id: row["id"], version: UInt64(stored: row["version"]),
      sequence: UInt64(stored: row["sequence"]), deleted: row["deleted"], payload: row["payload"],
      officeID: row["office_id"], updatedAt: Date(timeIntervalSince1970: row["updated_at"]), state: .synced
    )
  }
}
