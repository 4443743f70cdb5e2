internal import GongjianProtocol
public import Foundation

/// One entry of a tenant's append-only audit log; each entry's hash covers the previous one's.
public struct AuditEntry: Sendable {
  public var tenantID: String
  public var number: Int64
  public var at: Double
  public var officeID: String
  public var action: String
  public var kind: String
  public var recordID: String
  public var version: Int64
  public var sequence: Int64
  public var payloadSHA256: Data
  public var previousHash: Data

  /// SHA-256 over the previous hash and the entry's fields (``AuditChain/hash(_:)``).
  public var hash: Data {
    AuditChain.hash(
      previousHash: self.previousHash, tenantID: self.tenantID, number: self.number, at: self.at,
      officeID: self.officeID, action: self.action, kind: self.kind, recordID: self.recordID,
      version: self.version, sequence: self.sequence, payloadSHA256: self.payloadSHA256
    )
  }
}
