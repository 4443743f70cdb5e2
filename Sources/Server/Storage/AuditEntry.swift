internal import Crypto
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

  /// SHA-256 over the previous hash and the entry's fields, in a fixed text form.
  var hash: Data {
    var hasher = SHA256()
    hasher.update(data: self.previousHash)
    let fields = [
      self.tenantID, String(self.number), String(self.at), self.officeID, self.action, self.kind,
      self.recordID, String(self.version), String(self.sequence),
    ].joined(separator: "\u{1F}")
    hasher.update(data: Data(fields.utf8))
    hasher.update(data: self.payloadSHA256)
    return Data(hasher.finalize())
  }
}
