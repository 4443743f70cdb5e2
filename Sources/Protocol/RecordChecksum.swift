internal import Crypto
internal import Foundation

/// The additive checksum of a tenant's live records (``Gongjian_V1_Checkpoint/checksum``).
///
/// The sum modulo 2^64 of ``hash(kind:id:version:)`` over every live record. Because it is a sum,
/// the server adjusts it on each write without rescanning, and a client recomputes it from its
/// mirror in any order.
public enum RecordChecksum {
  /// The contribution of one live record version: the first 8 bytes, big-endian, of
  /// SHA-256 of `"<kind>\n<id>\n<version>"`.
  ///
  /// - Parameters:
  ///   - kind: The record's kind.
  ///   - id: The record's id.
  ///   - version: The record's version.
  public static func hash(kind: String, id: String, version: UInt64) -> UInt64 {
    let digest = SHA256.hash(data: Data("\(kind)\n\(id)\n\(version)".utf8))
    return digest.withUnsafeBytes { bytes in
      bytes.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
    }
  }

  /// The checksum of a set of live records.
  ///
  /// - Parameter records: `(kind, id, version)` of each live record.
  public static func checksum(of records: some Sequence<(kind: String, id: String, version: UInt64)>) -> UInt64 {
    records.reduce(UInt64(0)) { $0 &+ Self.hash(kind: $1.kind, id: $1.id, version: $1.version) }
  }
}
