public import Foundation

/// One version of a record as the store holds it: a row of the change feed.
public struct StoredRecord: Sendable, Hashable {
  /// The tenant the record belongs to.
  public var tenantID: String
  /// The record's kind.
  public var kind: String
  /// The record's id.
  public var id: String
  /// The record's version.
  public var version: UInt64
  /// The change-feed sequence of this version.
  public var sequence: UInt64
  /// Whether this version is a tombstone.
  public var deleted: Bool
  /// The serialized payload message; empty for tombstones.
  public var payload: Data
  /// The office that made this change.
  public var officeID: String
  /// When the change was committed.
  public var updatedAt: Date

  /// Creates a stored record.
  public init(
    tenantID: String, kind: String, id: String, version: UInt64, sequence: UInt64,
    deleted: Bool, payload: Data, officeID: String, updatedAt: Date
  ) {
    self.tenantID = tenantID
    self.kind = kind
    self.id = id
    self.version = version
    self.sequence = sequence
    self.deleted = deleted
    self.payload = payload
    self.officeID = officeID
    self.updatedAt = updatedAt
  }
}

/// A tenant's state at one snapshot.
public struct TenantCheckpoint: Sendable, Hashable {
  /// The highest committed sequence.
  public var headSequence: UInt64
  /// ``GongjianProtocol/RecordChecksum`` of the live records.
  public var checksum: UInt64
  /// Number of live (non-deleted) records.
  public var liveRecords: UInt64
  /// Changes at or below this sequence may have been compacted away (tombstones purged):
  /// a reader whose cursor is below it must start again from 0.
  public var compactionHorizon: UInt64

  /// Creates a checkpoint.
  public init(headSequence: UInt64, checksum: UInt64, liveRecords: UInt64, compactionHorizon: UInt64) {
    self.headSequence = headSequence
    self.checksum = checksum
    self.liveRecords = liveRecords
    self.compactionHorizon = compactionHorizon
  }
}

/// A page of the change feed with the snapshot's checkpoint.
public struct ChangePage: Sendable {
  /// Changes after the requested cursor, in sequence order.
  public var records: [StoredRecord]
  /// Whether more changes follow this page in the same snapshot.
  public var hasMore: Bool
  /// The tenant's state at the snapshot the page was read from.
  public var checkpoint: TenantCheckpoint
}

/// A page of changes as a pull sends it (``FeedStore/encodedChanges(tenantID:after:limit:)``).
public struct EncodedChangePage: Sendable {
  /// The changes, in sequence order, each a `PullResponse.records` field (1) holding a `Record`.
  public var records: [UInt8]
  /// How many changes `records` holds.
  public var count: Int
  /// The sequence of the last change, if any.
  public var lastSequence: UInt64?
  /// Whether more changes follow this page in the same snapshot.
  public var hasMore: Bool
  /// The tenant's state at the snapshot the page was read from.
  public var checkpoint: TenantCheckpoint
}

/// What compaction removed.
public struct CompactionReport: Sendable, Hashable {
  /// Superseded versions removed from the change feed.
  public var supersededRemoved: Int
  /// Tombstones purged (their records forgotten).
  public var tombstonesPurged: Int
  /// Idempotency entries past retention removed.
  public var mutationsForgotten: Int
}
