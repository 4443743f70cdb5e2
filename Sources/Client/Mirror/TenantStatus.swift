public import Foundation

/// What the mirror holds of one tenant, for `gongjian status`.
public struct TenantStatus: Sendable, Codable {
  public var tenantID: String
  /// The last feed sequence applied to the mirror.
  public var cursor: UInt64
  /// The tenant's head sequence at the last sync.
  public var head: UInt64
  /// Live records in the mirror.
  public var liveRecords: UInt64
  /// The mirror's checksum (``RecordChecksum``) of its live records.
  public var checksum: UInt64
  /// The server's checksum at the last caught-up pull.
  public var serverChecksum: UInt64
  /// True when the mirror matched the server's checksum at the last caught-up pull; nil before.
  public var verified: Bool?
  /// When the mirror last caught up with the server.
  public var lastSync: Date?
  /// Writes waiting in the outbox.
  public var pending: Int
  /// Writes that conflicted and wait for a resolution.
  public var conflicts: Int
  /// Writes the server refused, kept for editing or discarding.
  public var rejected: Int
  /// The last sync problem, e.g. a checksum mismatch that forced a refetch.
  public var note: String

  enum CodingKeys: String, CodingKey {
    case tenantID = "tenant_id"
    case cursor, head
    case liveRecords = "live_records"
    case checksum
    case serverChecksum = "server_checksum"
    case verified
    case lastSync = "last_sync"
    case pending, conflicts, rejected, note
  }
}
