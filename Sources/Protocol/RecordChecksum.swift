internal import Crypto

/// The additive checksum of a tenant's live records (``Gongjian_V1_Checkpoint/checksum``).
///
/// The sum modulo 2^64 of ``hash(kind:id:version:)`` over every live record. Because it is a sum,
/// the server adjusts it on each write without rescanning, and a client recomputes it from its
/// mirror in any order.
public enum RecordChecksum {
  /// The contribution of one live record version: the first 8 bytes, big-endian, of
  /// SHA-256 of `"<kind>\n<id>\n<version>"` (UTF-8, the version in decimal).
  ///
  /// - Parameters:
  ///   - kind: The record's kind.
  ///   - id: The record's id.
  ///   - version: The record's version.
  public static func hash(kind: String, id: String, version: UInt64) -> UInt64 {
    var kind = kind
    var id = id
    // The message is assembled on the stack: a first sync hashes a million records, and building
    // a String and a Data for each took most of the hash's time.
    return kind.withUTF8 { kind in
      id.withUTF8 { id in
        withUnsafeTemporaryAllocation(byteCount: kind.count + id.count + 22, alignment: 1) { buffer in
          var end = 0
          func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            UnsafeMutableRawBufferPointer(rebasing: buffer[end..<end + bytes.count]).copyMemory(from: UnsafeRawBufferPointer(bytes))
            end += bytes.count
          }
          append(kind)
          buffer[end] = UInt8(ascii: "\n")
          end += 1
          append(id)
          buffer[end] = UInt8(ascii: "\n")
          end += 1
          // The decimal digits of the version, at most 20, written backwards then in place.
          var digits = 0
          var rest = version
          repeat {
            buffer[end + 19 - digits] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            digits += 1
          } while rest > 0
          UnsafeMutableRawBufferPointer(rebasing: buffer[end..<end + digits])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[end + 20 - digits..<end + 20]))
          end += digits
          var hasher = SHA256()
          hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<end]))
          return hasher.finalize().withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).bigEndian }
        }
      }
    }
  }

  /// The checksum of a set of live records.
  ///
  /// - Parameter records: `(kind, id, version)` of each live record.
  public static func checksum(of records: some Sequence<(kind: String, id: String, version: UInt64)>) -> UInt64 {
    records.reduce(UInt64(0)) { $0 &+ Self.hash(kind: $1.kind, id: $1.id, version: $1.version) }
  }
}
