public import Foundation
internal import Crypto

/// One change of the directory (a tenant, an office, a membership, a certificate), in a hash
/// chain of its own: who, when, what, and the subject before and after (JSON; empty when it did
/// not exist).
public struct DirectoryAuditEntry: Sendable, Equatable {
  public var number: Int64
  public var at: Double
  /// The office that made the change through the Admin service, or `operator:<command>` for
  /// the offline commands on the data directory.
  public var actor: String
  /// `tenant.create`, `office.put`, `membership.set`, `membership.remove`, `certificate.issue`,
  /// `certificate.revoke`.
  public var action: String
  /// What changed: a tenant or office id, `tenant/office` for a membership, a certificate serial.
  public var subject: String
  public var before: String
  public var after: String
  public var previousHash: Data

  /// SHA-256 over the previous hash and the entry's fields, in a fixed text form.
  public var hash: Data {
    var hasher = SHA256()
    hasher.update(data: self.previousHash)
    let fields = [String(self.number), String(self.at), self.actor, self.action, self.subject, self.before, self.after]
      .joined(separator: "\u{1F}")
    hasher.update(data: Data(fields.utf8))
    return Data(hasher.finalize())
  }
}
