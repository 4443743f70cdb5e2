public import Foundation
public import GongjianProtocol
internal import PostgresNIO
internal import SwiftProtobuf

extension PostgresStore {
  private static let auditColumns = "tenant_id, n, at, office_id, action, kind, record_id, version, seq, payload_sha256, prev_hash, hash"

  private static func auditEntry(_ row: PostgresRow) throws -> (entry: AuditEntry, hash: Data) {
    let (tenantID, n, at, officeID, action, kind, recordID, version, seq, payloadSHA256, previous, hash) =
      try row.decode((String, Int64, Double, String, String, String, String, Int64, Int64, Data, Data, Data).self)
    return (
      AuditEntry(
        tenantID: tenantID, number: n, at: at, officeID: officeID, action: action, kind: kind, recordID: recordID,
        version: version, sequence: seq, payloadSHA256: payloadSHA256, previousHash: previous
      ),
      hash
    )
  }

  public func auditEntries(tenantID: String, after: Int64, limit: Int) async throws -> [Gongjian_V1_AuditEntry] {
    try await self.transaction(tenants: [tenantID], readOnly: true) { connection in
      try await connection.query(
        "SELECT \(unescaped: Self.auditColumns) FROM audit WHERE tenant_id = \(tenantID) AND n > \(after) ORDER BY n LIMIT \(limit)",
        logger: self.logger
      ).collect().map { row in
        let (entry, hash) = try Self.auditEntry(row)
        return .with {
          $0.tenantID = entry.tenantID
          $0.number = entry.number
          $0.at = entry.at
          $0.officeID = entry.officeID
          $0.action = entry.action
          $0.kind = entry.kind
          $0.recordID = entry.recordID
          $0.version = entry.version
          $0.sequence = entry.sequence
          $0.payloadSha256 = entry.payloadSHA256
          $0.previousHash = entry.previousHash
          $0.hash = hash
        }
      }
    }
  }

  public func auditHead(tenantID: String) async throws -> (count: Int64, hash: Data) {
    let head: (Int64, Data) = try await self.transaction(tenants: [tenantID], readOnly: true) { connection in
      guard
        let row = try await connection.query(
          "SELECT audit_count, audit_head FROM tenant_state WHERE tenant_id = \(tenantID)", logger: self.logger
        ).collect().first
      else {
        throw GongjianError(.notFound, "tenant \(tenantID) does not exist")
      }
      return try row.decode((Int64, Data).self)
    }
    return (count: head.0, hash: head.1)
  }

  public func saveAuditCheckpoint(_ checkpoint: Gongjian_V1_AuditCheckpoint) async throws {
    let bytes: Data = try checkpoint.serializedBytes()
    try await self.transaction(tenants: [checkpoint.tenantID]) { connection in
      try await connection.query(
        """
        INSERT INTO audit_checkpoint (tenant_id, count, signed_at, checkpoint)
        VALUES (\(checkpoint.tenantID), \(checkpoint.count), \(checkpoint.signedAt.seconds), \(bytes))
        """,
        logger: self.logger
      )
    }
  }

  public func auditCheckpoints(tenantID: String) async throws -> [Gongjian_V1_AuditCheckpoint] {
    let stored: [Data] = try await self.transaction(tenants: [tenantID], readOnly: true) { connection in
      try await connection.query(
        "SELECT checkpoint FROM audit_checkpoint WHERE tenant_id = \(tenantID) ORDER BY id", logger: self.logger
      ).collect().map { try $0.decode(Data.self) }
    }
    return try stored.map { try Gongjian_V1_AuditCheckpoint(serializedBytes: $0) }
  }

  public func verifyAuditChain(tenantID: String) async throws -> Int {
    try await self.transaction(tenants: [tenantID], readOnly: true) { connection in
      var previous = Data()
      var count = 0
      for try await row in try await connection.query(
        "SELECT \(unescaped: Self.auditColumns) FROM audit WHERE tenant_id = \(tenantID) ORDER BY n", logger: self.logger
      ) {
        let (entry, hash) = try Self.auditEntry(row)
        guard entry.previousHash == previous, entry.hash == hash else {
          throw GongjianError(.internalError, "audit chain of tenant \(tenantID) breaks at entry \(entry.number)")
        }
        previous = entry.hash
        count += 1
      }
      return count
    }
  }
}
