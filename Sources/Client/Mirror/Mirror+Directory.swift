internal import Foundation
public import GongjianProtocol
internal import GRDB
internal import SwiftProtobuf

extension Mirror {
  /// Keeps what the server said about the office (who it is, its memberships) and the city
  /// tenant's memberships, for offline reports.
  ///
  /// - Parameters:
  ///   - identity: The office's `WhoAmI` answer.
  ///   - cityMemberships: The city tenant's memberships, when the office may read them.
  public func saveDirectory(identity: Gongjian_V1_WhoAmIResponse, cityMemberships: [Gongjian_V1_Membership]?) throws {
    let identityBytes: Data = try identity.serializedBytes()
    let memberships: Data? = try cityMemberships.map { list in
      try Gongjian_V1_ListMembershipsResponse.with { $0.memberships = list }.serializedBytes()
    }
    try self.write { db in
      try db.execute(
        sql: "INSERT INTO meta (key, value) VALUES ('identity', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        arguments: [identityBytes.base64EncodedString()]
      )
      if let memberships {
        try db.execute(
          sql: "INSERT INTO meta (key, value) VALUES ('city_memberships', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          arguments: [memberships.base64EncodedString()]
        )
      }
    }
  }

  /// The office as the server last described it, or nil before the first sync.
  public func identity() throws -> Gongjian_V1_WhoAmIResponse? {
    try self.meta("identity").map { try Gongjian_V1_WhoAmIResponse(serializedBytes: $0) }
  }

  /// The city tenant's memberships as last synced (empty when the office may not read them).
  public func cityMemberships() throws -> [Gongjian_V1_Membership] {
    try self.meta("city_memberships").map { try Gongjian_V1_ListMembershipsResponse(serializedBytes: $0).memberships } ?? []
  }

  private func meta(_ key: String) throws -> Data? {
    try self.read { db in
      try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]).flatMap { Data(base64Encoded: $0) }
    }
  }
}
