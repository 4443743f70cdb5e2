internal import Foundation
internal import SwiftProtobuf

extension DirectoryAuditEntry {
  /// A directory message as the audit keeps it: proto JSON, fields in a fixed order.
  static func json(_ message: some SwiftProtobuf.Message) -> String {
    (try? message.jsonString()) ?? ""
  }

  static func json(_ certificate: CertificateRecord) -> String {
    let revoked = certificate.revokedAt.map { ",\"revoked_at\":\($0.timeIntervalSince1970)" } ?? ""
    return "{\"serial\":\"\(certificate.serial)\",\"office_id\":\"\(certificate.officeID)\",\"not_before\":\(certificate.notBefore.timeIntervalSince1970),\"not_after\":\(certificate.notAfter.timeIntervalSince1970)\(revoked)}"
  }
}
