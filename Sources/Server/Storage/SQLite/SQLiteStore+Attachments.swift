public import Foundation
internal import GongjianProtocol
internal import GRDB

extension SQLiteStore {
  public func putAttachment(tenantID: String, sha256: String, contentType: String, content: Data) async throws {
    try await self.writer.write { db in
      try db.execute(
        sql: """
          INSERT INTO attachment (tenant_id, sha256, content_type, size, content) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (tenant_id, sha256) DO NOTHING
          """,
        arguments: [tenantID, sha256, contentType, content.count, content]
      )
    }
  }

  public func attachment(tenantID: String, sha256: String) async throws -> (contentType: String, content: Data)? {
    try await self.writer.read { db in
      try Row.fetchOne(
        db, sql: "SELECT content_type, content FROM attachment WHERE tenant_id = ? AND sha256 = ?", arguments: [tenantID, sha256]
      ).map { ($0["content_type"], $0["content"]) }
    }
  }
}
