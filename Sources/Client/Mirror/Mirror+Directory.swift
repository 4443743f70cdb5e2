internal import Foundation
public import GongjianProtocol
internal import GRDB
internal import SwiftProtobuf

extension Mirror {
  /// Keeps what the server said about the office (who it is, its memberships and partners), for
  /// council moves and the names offline reports print.
  ///
  /// - Parameter identity: The office's `WhoAmI` answer.
  public func saveDirectory(identity: Gongjian_V1_WhoAmIResponse) throws {
    let identityBytes: Data = try identity.serializedBytes()
    try self.write { db in
      try db.execute(
        sql: "INSERT INTO meta (key, value) VALUES ('identity', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        arguments: [identityBytes.base64EncodedString()]
      )
    }
  }

  /// The office as the server last described it, or nil before the first sync.
  public func identity() throws -> Gongjian_V1_WhoAmIResponse? {
    try self.meta("identity").map { try Gongjian_V1_WhoAmIResponse(serializedBytes: $0) }
  }

  private func meta(_ key: String) throws -> Data? {
    try self.read { db in
      try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]).flatMap { Data(base64Encoded: $0) }
    }
  }
}
