public import Foundation
internal import GongjianProtocol
internal import PostgresNIO

extension PostgresStore {
  public func changes(tenantID: String, after cursor: UInt64, limit: Int) async throws -> ChangePage {
    try await self.transaction(tenants: [tenantID], readOnly: true) { connection in
      let checkpoint = try await self.checkpoint(connection, tenantID: tenantID)
      var records: [StoredRecord] = []
      records.reserveCapacity(limit)
      var hasMore = false
      let rows = try await connection.query(
        """
        SELECT \(unescaped: Self.changeColumns("")) FROM change WHERE tenant_id = \(tenantID) AND seq > \(Int64(clamping: cursor))
        ORDER BY seq LIMIT \(limit + 1)
        """,
        logger: self.logger
      )
      for try await row in rows {
        guard records.count < limit else {
          hasMore = true
          continue
        }
        records.append(try Self.storedRecord(row))
      }
      return ChangePage(records: records, hasMore: hasMore, checkpoint: checkpoint)
    }
  }

  public func record(tenantID: String, kind: String, id: String) async throws -> StoredRecord? {
    try await self.transaction(tenants: [tenantID], readOnly: true) { connection in
      try await connection.query(
        """
        SELECT \(unescaped: Self.changeColumns("c.")) FROM record r JOIN change c ON c.tenant_id = r.tenant_id AND c.seq = r.seq
        WHERE r.tenant_id = \(tenantID) AND r.kind = \(kind) AND r.record_id = \(id)
        """,
        logger: self.logger
      ).collect().first.map(Self.storedRecord)
    }
  }

  public func liveRecords(tenantID: String, kind: String) async throws -> [StoredRecord] {
    try await self.transaction(tenants: [tenantID], readOnly: true) { connection in
      try await connection.query(
        """
        SELECT \(unescaped: Self.changeColumns("c.")) FROM record r JOIN change c ON c.tenant_id = r.tenant_id AND c.seq = r.seq
        WHERE r.tenant_id = \(tenantID) AND r.kind = \(kind) AND NOT r.deleted ORDER BY r.record_id
        """,
        logger: self.logger
      ).collect().map(Self.storedRecord)
    }
  }

  public func checkpoint(tenantID: String) async throws -> TenantCheckpoint {
    try await self.transaction(tenants: [tenantID], readOnly: true) { connection in
      try await self.checkpoint(connection, tenantID: tenantID)
    }
  }

  func checkpoint(_ connection: PostgresConnection, tenantID: String) async throws -> TenantCheckpoint {
    guard
      let row = try await connection.query(
        "SELECT head, checksum, live, horizon FROM tenant_state WHERE tenant_id = \(tenantID)", logger: self.logger
      ).collect().first
    else {
      throw GongjianError(.notFound, "tenant \(tenantID) does not exist")
    }
    let (head, checksum, live, horizon) = try row.decode((Int64, Int64, Int64, Int64).self)
    return TenantCheckpoint(
      headSequence: UInt64(head), checksum: UInt64(bitPattern: checksum), liveRecords: UInt64(live),
      compactionHorizon: UInt64(horizon)
    )
  }

  /// The columns ``storedRecord(_:)`` reads, in its order, with an optional table prefix.
  static func changeColumns(_ prefix: String) -> String {
    ["tenant_id", "kind", "record_id", "version", "seq", "deleted", "payload", "office_id", "at"]
      .map { prefix + $0 }.joined(separator: ", ")
  }

  static func storedRecord(_ row: PostgresRow) throws -> StoredRecord {
    let (tenantID, kind, id, version, sequence, deleted, payload, officeID, at) =
      try row.decode((String, String, String, Int64, Int64, Bool, Data, String, Double).self)
    return StoredRecord(
      tenantID: tenantID, kind: kind, id: id, version: UInt64(version), sequence: UInt64(sequence), deleted: deleted,
      payload: payload, officeID: officeID, updatedAt: Date(timeIntervalSince1970: at)
    )
  }

  public func compact(before cutoff: Date) async throws -> CompactionReport {
    let limit = cutoff.timeIntervalSince1970
    var report = CompactionReport(supersededRemoved: 0, tombstonesPurged: 0, mutationsForgotten: 0)
    // One tenant per transaction: each names its tenant, and holds that tenant's lock only.
    for tenantID in try await self.tenants().map(\.id) {
      let (superseded, purged, forgotten) = try await self.transaction(tenants: [tenantID]) { connection in
        // Commits of the tenant wait meanwhile, so the horizon moves with nothing in flight.
        try await connection.query("SELECT 1 FROM tenant_state WHERE tenant_id = \(tenantID) FOR UPDATE", logger: self.logger)
        // A superseded version is never needed: a reader behind it gets the newer version later.
        let superseded = try await connection.query(
          """
          WITH gone AS (
            DELETE FROM change c USING record r
            WHERE c.tenant_id = \(tenantID) AND c.at < \(limit) AND r.tenant_id = c.tenant_id AND r.kind = c.kind
              AND r.record_id = c.record_id AND r.seq > c.seq
            RETURNING 1)
          SELECT count(*) FROM gone
          """,
          logger: self.logger
        ).collect().first?.decode(Int64.self) ?? 0
        // Purging a tombstone forgets the record; readers behind it must start again (horizon).
        let purgedRow = try await connection.query(
          """
          WITH tombstones AS (
            DELETE FROM record r USING change c
            WHERE r.tenant_id = \(tenantID) AND r.deleted AND c.tenant_id = r.tenant_id AND c.seq = r.seq AND c.at < \(limit)
            RETURNING r.seq),
          changes AS (
            DELETE FROM change c USING tombstones t WHERE c.tenant_id = \(tenantID) AND c.seq = t.seq RETURNING c.seq)
          SELECT count(*), COALESCE(max(seq), 0) FROM changes
          """,
          logger: self.logger
        ).collect().first
        let purged: (Int64, Int64) = try purgedRow.map { try $0.decode((Int64, Int64).self) } ?? (0, 0)
        if purged.0 > 0 {
          try await connection.query(
            "UPDATE tenant_state SET horizon = greatest(horizon, \(purged.1)) WHERE tenant_id = \(tenantID)", logger: self.logger
          )
        }
        let forgotten = try await connection.query(
          """
          WITH gone AS (DELETE FROM mutation WHERE tenant_id = \(tenantID) AND at < \(limit) RETURNING 1)
          SELECT count(*) FROM gone
          """,
          logger: self.logger
        ).collect().first?.decode(Int64.self) ?? 0
        return (Int(superseded), Int(purged.0), Int(forgotten))
      }
      report.supersededRemoved += superseded
      report.tombstonesPurged += purged
      report.mutationsForgotten += forgotten
    }
    return report
  }

  // MARK: Attachments

  public func putAttachment(tenantID: String, sha256: String, contentType: String, content: Data) async throws {
    try await self.transaction(tenants: [tenantID]) { connection in
      try await connection.query(
        """
        INSERT INTO attachment (tenant_id, sha256, content_type, size, content)
        VALUES (\(tenantID), \(sha256), \(contentType), \(content.count), \(content))
        ON CONFLICT (tenant_id, sha256) DO NOTHING
        """,
        logger: self.logger
      )
    }
  }

  public func attachment(tenantID: String, sha256: String) async throws -> (contentType: String, content: Data)? {
    let found: (String, Data)? = try await self.transaction(tenants: [tenantID], readOnly: true) { connection in
      try await connection.query(
        "SELECT content_type, content FROM attachment WHERE tenant_id = \(tenantID) AND sha256 = \(sha256)", logger: self.logger
      ).collect().first?.decode((String, Data).self)
    }
    return found.map { (contentType: $0.0, content: $0.1) }
  }
}
