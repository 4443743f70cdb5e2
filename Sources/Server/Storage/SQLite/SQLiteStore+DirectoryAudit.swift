internal import Foundation
internal import GongjianProtocol
internal import GRDB
internal import SwiftProtobuf

extension SQLiteStore {
  /// Appends a directory change to its audit chain, in the caller's transaction.
  static func audit(_ db: Database, actor: String, action: String, subject: String, before: String, after: String) throws {
    let last = try Row.fetchOne(db, sql: "SELECT n, hash FROM directory_audit ORDER BY n DESC LIMIT 1")
    let entry = DirectoryAuditEntry(
      number: (last?["n"] as Int64? ?? 0) + 1, at: Date().timeIntervalSince1970, actor: actor, action: action,
      subject: subject, before: before, after: after, previousHash: last?["hash"] ?? Data()
    )
    try db.execute(
      sql: """
        INSERT INTO directory_audit (n, at, actor, action, subject, before, after, prev_hash, hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [entry.number, entry.at, entry.actor, entry.action, entry.subject, entry.before, entry.after, entry.previousHash, entry.hash]
    )
  }

  private static func directoryEntry(_ row: Row) -> DirectoryAuditEntry {
    DirectoryAuditEntry(
      number: row["n"], at: row["at"], actor: row["actor"], action: row["action"], subject: row["subject"],
      before: row["before"], after: row["after"], previousHash: row["prev_hash"]
    )
  }

  public func directoryAudit() async throws -> [DirectoryAuditEntry] {
    try await self.writer.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM directory_audit ORDER BY n").map(Self.directoryEntry)
    }
  }

  public func verifyDirectoryAudit() async throws -> Int {
    try await self.writer.read { db in
      var previous = Data()
      var count = 0
      let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM directory_audit ORDER BY n")
      while let row = try cursor.next() {
        let entry = Self.directoryEntry(row)
        guard entry.previousHash == previous, entry.hash == row["hash"] as Data else {
          throw GongjianError(.internalError, "the directory's audit chain breaks at entry \(entry.number) (\(entry.action) \(entry.subject))")
        }
        previous = entry.hash
        count += 1
      }
      return count
    }
  }
}
