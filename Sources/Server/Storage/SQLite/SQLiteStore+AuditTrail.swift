public import Foundation
public import GongjianProtocol
internal import GRDB
internal import SwiftProtobuf

extension SQLiteStore {
  public func auditEntries(tenantID: String, after: Int64, limit: Int) async throws -> [Gongjian_V1_AuditEntry] {
    try await self.writer.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM audit WHERE tenant_id = ? AND n > ? ORDER BY n LIMIT ?", arguments: [tenantID, after, limit]
      ).map { row in
        .with {
          $0.tenantID = row["tenant_id"]
          $0.number = row["n"]
          $0.at = row["at"]
          $0.officeID = row["office_id"]
          $0.action = row["action"]
          $0.kind = row["kind"]
          $0.recordID = row["record_id"]
          $0.version = row["version"]
          $0.sequence = row["seq"]
          $0.payloadSha256 = row["payload_sha256"]
          $0.previousHash = row["prev_hash"]
          $0.hash = row["hash"]
        }
      }
    }
  }

  public func auditHead(tenantID: String) async throws -> (count: Int64, hash: Data) {
    try await self.writer.read { db in
      guard let row = try Row.fetchOne(db, sql: "SELECT audit_count, audit_head FROM tenant_state WHERE tenant_id = ?", arguments: [tenantID]) else {
        throw GongjianError(.notFound, "tenant \(tenantID) does not exist")
      }
      return (row["audit_count"], row["audit_head"])
    }
  }

  public func saveAuditCheckpoint(_ checkpoint: Gongjian_V1_AuditCheckpoint) async throws {
    try await self.writer.write { db in
      try db.execute(
        sql: "INSERT INTO audit_checkpoint (tenant_id, count, signed_at, checkpoint) VALUES (?, ?, ?, ?)",
        arguments: [checkpoint.tenantID, checkpoint.count, checkpoint.signedAt.seconds, try checkpoint.serializedBytes() as Data]
      )
    }
  }

  public func auditCheckpoints(tenantID: String) async throws -> [Gongjian_V1_AuditCheckpoint] {
    try await self.writer.read { db in
      try Data.fetchAll(db, sql: "SELECT checkpoint FROM audit_checkpoint WHERE tenant_id = ? ORDER BY id", arguments: [tenantID])
        .map { try Gongjian_V1_AuditCheckpoint(serializedBytes: $0) }
    }
  }

  public func verifyAuditChain(tenantID: String) async throws -> Int {
    try await self.writer.read { db in
      var previous = Data()
      var count = 0
      let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit WHERE tenant_id = ? ORDER BY n", arguments: [tenantID])
      while let row = try cursor.next() {
        let entry = AuditEntry(
          tenantID: row["tenant_id"], number: row["n"], at: row["at"], officeID: row["office_id"],
          action: row["action"], kind: row["kind"], recordID: row["record_id"], version: row["version"],
          sequence: row["seq"], payloadSHA256: row["payload_sha256"], previousHash: row["prev_hash"]
        )
        guard entry.previousHash == previous, entry.hash == row["hash"] as Data else {
          throw GongjianError(.internalError, "audit chain of tenant \(tenantID) breaks at entry \(entry.number)")
        }
        previous = entry.hash
        count += 1
      }
      return count
    }
  }
}
