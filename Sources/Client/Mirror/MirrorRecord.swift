public import Foundation
public import GongjianProtocol
public import SwiftProtobuf

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

  /// The record in its wire form.
  public var proto: Gongjian_V1_Record {
    .with {
      $0.tenantID = self.tenantID
      $0.kind = self.kind
      $0.id = self.id
      $0.version = self.version
      $0.sequence = self.sequence
      $0.deleted = self.deleted
      if !self.deleted, let kind = RecordKind.named(self.kind) {
        $0.payload = kind.pack(serialized: self.payload)
      }
      $0.officeID = self.officeID
      $0.updatedAt = Google_Protobuf_Timestamp(date: self.updatedAt)
    }
  }

  /// The payload decoded as its kind's message, or nil for tombstones and unknown kinds.
  public func message() throws -> (any SwiftProtobuf.Message)? {
    guard !self.deleted, let kind = RecordKind.named(self.kind) else { return nil }
    return try kind.messageType.init(serializedBytes: self.payload)
  }
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
