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
    AuditChain.hash(.with {
      $0.tenantID = self.tenantID
      $0.number = self.number
      $0.at = self.at
      $0.officeID = self.officeID
      $0.action = self.action
      $0.kind = self.kind
      $0.recordID = self.recordID
      $0.version = self.version
      $0.sequence = self.sequence
      $0.payloadSha256 = self.payloadSHA256
      $0.previousHash = self.previousHash
    })
  }
}
