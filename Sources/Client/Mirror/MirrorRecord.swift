public import Foundation
internal import GongjianProtocol
internal import SwiftProtobuf

/// A record as the mirror shows it: the server's version, or a queued local write over it.
public struct MirrorRecord: Sendable {
  /// Where the shown contents come from.
  public enum State: String, Sendable, Codable {
    /// The server's version, as last synced.
    case synced
    /// A local write waits in the outbox.
    case pending
    /// A local write conflicted with the server's version; see `gongjian conflicts`.
    case conflict
    /// The server refused a local write; see `gongjian conflicts`.
    case rejected
  }

  public var tenantID: String
  public var kind: String
  public var id: String
  /// The server's version, or the version a queued write will make.
  public var version: UInt64
  /// The feed sequence of the server's version; 0 for a record only the outbox knows.
  public var sequence: UInt64
  public var deleted: Bool
  /// The serialized payload message of the kind (empty for tombstones).
  public var payload: Data
  /// The office that wrote this version.
  public var officeID: String
  public var updatedAt: Date
  public var state: State
}

extension MirrorRecord {
  /// A record from the server.
  init(_ record: Gongjian_V1_Record) {
    self.init(
      tenantID: record.tenantID, kind: record.kind, id: record.id, version: record.version, sequence: record.sequence,
      deleted: record.deleted, payload: record.deleted ? Data() : record.payload.value, officeID: record.officeID,
      updatedAt: record.updatedAt.date, state: .synced
    )
  }
}
