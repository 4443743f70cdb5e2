internal import GongjianProtocol
internal import Foundation

/// One entry of a tenant's append-only audit log; each entry's hash covers the previous one's.
struct AuditEntry {
  var tenantID: String
  var number: Int64
  var at: Double
  var officeID: String
  var action: String
  var kind: String
  var recordID: String
  var version: Int64
  var sequence: Int64
  var payloadSHA256: Data
  var previousHash: Data

  /// SHA-256 over the previous hash and the entry's fields (``AuditChain/hash(_:)``).
  var hash: Data {
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
