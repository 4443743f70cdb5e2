internal import Foundation
internal import GongjianProtocol
internal import GRDB

extension SQLiteStore {
  /// One tenant's state in a database file: what a restore must reproduce.
  public struct TenantSummary: Sendable, Equatable, CustomStringConvertible {
    public var tenantID: String
    public var head: UInt64
    public var live: Int64
    public var checksum: UInt64

    public var description: String {
      "\(self.tenantID): head \(self.head), \(self.live) live records, checksum \(String(self.checksum, radix: 16))"
    }
  }

  /// Copies the whole database as of one moment into a new file, with SQLite's online backup:
  /// the server keeps serving (and committing) meanwhile.
  ///
  /// - Throws: `alreadyExists` when the file exists.
  public func backup(to path: String) throws {
    guard !FileManager.default.fileExists(atPath: path) else {
      throw GongjianError(.alreadyExists, "\(path) exists already; back up into a new file")
    }
    // A copy of every record: owner-only, as the database itself.
    try PrivateFiles.database(path)
    let destination = try DatabaseQueue(path: path)
    // One step inside one read transaction: a consistent snapshot, writers not blocked (WAL).
    try self.writer.backup(to: destination)
    try destination.close()
  }

  /// The tenants of a database file, read without changing it.
  public static func summaries(ofFile path: String) throws -> [TenantSummary] {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    defer { try? queue.close() }
    return try queue.read { db in
      guard try String.fetchOne(db, sql: "PRAGMA quick_check") == "ok" else {
        throw GongjianError(.failedPrecondition, "\(path) fails SQLite's integrity check")
      }
      return try Row.fetchAll(db, sql: "SELECT tenant_id, head, live, checksum FROM tenant_state ORDER BY tenant_id").map {
        TenantSummary(
          tenantID: $0["tenant_id"], head: UInt64($0["head"] as Int64), live: $0["live"],
          checksum: UInt64(bitPattern: $0["checksum"])
        )
      }
    }
  }
}
