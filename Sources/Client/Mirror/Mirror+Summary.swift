internal import Foundation
public import GongjianProtocol
internal import GRDB
internal import SwiftProtobuf

extension Mirror {
  /// Keeps the server's summary for offline reports, replacing the previous one.
  public func saveSummary(_ summary: Gongjian_V1_OfflineSummary) throws {
    let bytes: Data = try summary.serializedBytes()
    try self.write { db in
      try db.execute(
        sql: """
          INSERT INTO summary (id, payload, stored_at) VALUES (1, ?, ?)
          ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, stored_at = excluded.stored_at
          """,
        arguments: [bytes, Date().timeIntervalSince1970]
      )
    }
  }

  /// The server's summary as last synced, or nil before the first sync that brought one.
  public func summary() throws -> Gongjian_V1_OfflineSummary? {
    try self.read { db in try Data.fetchOne(db, sql: "SELECT payload FROM summary WHERE id = 1") }
      .map { try Gongjian_V1_OfflineSummary(serializedBytes: $0) }
  }

  /// What the mirror holds that a summary does not count: the records pulled past each of its
  /// sequences and the writes still queued, per tenant.
  public func asOf(_ summary: Gongjian_V1_OfflineSummary) throws -> Gongjian_V1_FiguresAsOf {
    let sequences = summary.sequences.map { ($0.tenantID, Int64(clamping: $0.sequence)) }
    let uncounted: [(String, Int)] = try self.read { db in
      try sequences.compactMap { tenantID, sequence in
        let pulled = try Int.fetchOne(db, sql: "SELECT count(*) FROM record WHERE tenant_id = ? AND sequence > ?", arguments: [tenantID, sequence]) ?? 0
        let queued = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE tenant_id = ? AND state = 'pending'", arguments: [tenantID]) ?? 0
        return pulled + queued > 0 ? (tenantID, pulled + queued) : nil
      }
    }
    return .with {
      $0.computedAt = summary.computedAt
      $0.sequences = summary.sequences
      $0.newerTenants = uncounted.map(\.0)
      $0.uncountedChanges = UInt64(uncounted.reduce(0) { $0 + $1.1 })
    }
  }
}
