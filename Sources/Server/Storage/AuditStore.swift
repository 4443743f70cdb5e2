public import Foundation
public import GongjianProtocol

/// Each tenant's hash-chained audit trail of record changes and its signed checkpoints.
public protocol AuditStore: Sendable {
  /// A tenant's audit entries after `after`, at most `limit`, in order.
  func auditEntries(tenantID: String, after: Int64, limit: Int) async throws -> [Gongjian_V1_AuditEntry]
  /// A tenant's audit chain: its length and the hash of its last entry.
  func auditHead(tenantID: String) async throws -> (count: Int64, hash: Data)
  /// Keeps a signed checkpoint.
  func saveAuditCheckpoint(_ checkpoint: Gongjian_V1_AuditCheckpoint) async throws
  /// A tenant's kept checkpoints, oldest first.
  func auditCheckpoints(tenantID: String) async throws -> [Gongjian_V1_AuditCheckpoint]
  /// Verifies a tenant's audit chain; returns the number of entries checked.
  /// - Throws: `internalError` naming the first entry whose hash does not match.
  func verifyAuditChain(tenantID: String) async throws -> Int
}
