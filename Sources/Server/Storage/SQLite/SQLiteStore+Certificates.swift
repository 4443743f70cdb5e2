public import Foundation
internal import GongjianProtocol
internal import GRDB

extension SQLiteStore {
  public func recordCertificate(_ certificate: CertificateRecord, actor: String) async throws {
    try await self.writer.write { db in
      try db.execute(
        sql: "INSERT INTO certificate (serial, office_id, not_before, not_after, revoked_at) VALUES (?, ?, ?, ?, ?)",
        arguments: [
          certificate.serial, certificate.officeID, certificate.notBefore.timeIntervalSince1970,
          certificate.notAfter.timeIntervalSince1970, certificate.revokedAt?.timeIntervalSince1970,
        ]
      )
      try Self.audit(db, actor: actor, action: "certificate.issue", subject: certificate.serial, before: "", after: DirectoryAuditEntry.json(certificate))
    }
  }

  public func certificates(officeID: String?) async throws -> [CertificateRecord] {
    try await self.writer.read { db in
      let rows: [Row]
      if let officeID {
        rows = try Row.fetchAll(
          db, sql: "SELECT * FROM certificate WHERE office_id = ? ORDER BY not_before, serial", arguments: [officeID]
        )
      } else {
        rows = try Row.fetchAll(db, sql: "SELECT * FROM certificate ORDER BY office_id, not_before, serial")
      }
      return rows.map(Self.certificate(from:))
    }
  }

  public func revokeCertificate(serial: String, at date: Date, actor: String) async throws -> CertificateRecord? {
    try await self.writer.write { db in
      let before = try Row.fetchOne(db, sql: "SELECT * FROM certificate WHERE serial = ?", arguments: [serial]).map(Self.certificate(from:))
      try db.execute(
        sql: "UPDATE certificate SET revoked_at = ? WHERE serial = ? AND revoked_at IS NULL",
        arguments: [date.timeIntervalSince1970, serial]
      )
      guard db.changesCount > 0, let before else { return before }
      var after = before
      after.revokedAt = date
      try Self.audit(db, actor: actor, action: "certificate.revoke", subject: serial, before: DirectoryAuditEntry.json(before), after: DirectoryAuditEntry.json(after))
      return after
    }
  }

  public func ping() async throws {
    _ = try await self.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tenant") }
  }

  public func revokedSerials() async throws -> Set<String> {
    try await self.writer.read { db in
      Set(try String.fetchAll(db, sql: "SELECT serial FROM certificate WHERE revoked_at IS NOT NULL"))
    }
  }

  static func certificate(from row: Row) -> CertificateRecord {
    CertificateRecord(
      serial: row["serial"],
      officeID: row["office_id"],
      notBefore: Date(timeIntervalSince1970: row["not_before"]),
      notAfter: Date(timeIntervalSince1970: row["not_after"]),
      revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:))
    )
  }
}
