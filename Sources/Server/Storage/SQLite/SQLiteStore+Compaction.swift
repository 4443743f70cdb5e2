public import Foundation
internal import GongjianProtocol
internal import GRDB

extension SQLiteStore {
  public func compact(before cutoff: Date) async throws -> CompactionReport {
    try await self.writer.write { db in
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
