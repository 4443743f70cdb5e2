public import Foundation

/// Record ids as the client library makes them: version-7 UUIDs (RFC 9562), whose first 48 bits
/// are the creation time in milliseconds and whose other 74 bits are random.
///
/// Ids made close in time sort close together, so the records of a push, and their rows in the
/// server's indexes, land side by side on a few pages; version-4 ids scatter them, one index page
/// written per record (docs/DESIGN.md, "The write path's cost": the server's CPU and bytes
/// written per record with either).
///
/// ```swift
/// let id = RecordID.make()           // "0193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b"
/// RecordID.timePrefix(of: id)        // "0193a5b2-c3d4"
/// ```
public enum RecordID {
  /// A new id, in lowercase as the server stores ids.
  ///
  /// - Parameter date: Its creation time (now by default).
  public static func make(at date: Date = Date()) -> String {
    var generator = SystemRandomNumberGenerator()
    let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
    let random = (generator.next() as UInt64, generator.next() as UInt64)
    var bytes = [UInt8](repeating: 0, count: 16)
    for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * UInt64(5 - index))) }
    for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: random.0 >> (8 * UInt64(index))) }
    for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: random.1 >> (8 * UInt64(index - 8))) }
    bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
    bytes[8] = 0x80 | (bytes[8] & 0x3F)  // RFC 9562's variant
    let uuid = (
      bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
      bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
    )
    return UUID(uuid: uuid).uuidString.lowercased()
  }

  /// Whether `text` is a UUID's text, as record ids must be: 8-4-4-4-12 hexadecimal digits, in
  /// either case. Checked byte by byte: Foundation's parser scans with `sscanf` (2% of the
  /// server's CPU under pushes) and lets a sign or a space through inside a digit pair.
  public static func isUUID(_ text: String) -> Bool {
    // Every pushed mutation's id is checked: native strings are read in place.
    text.utf8.withContiguousStorageIfAvailable(Self.isUUID(bytes:)) ?? Array(text.utf8).withUnsafeBufferPointer(Self.isUUID(bytes:))
  }

  private static func isUUID(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard bytes.count == 36 else { return false }
    for index in 0..<36 {
      let byte = bytes[index]
      switch index {
      case 8, 13, 18, 23:
        guard byte == UInt8(ascii: "-") else { return false }
      default:
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): continue
        default: return false
        }
      }
    }
    return true
  }

  /// The creation-time part of a version-7 id (its first 13 characters, lowercased), or nil for
  /// an id of another version or not a UUID.
  public static func timePrefix(of id: String) -> String? {
    guard Self.isUUID(id) else { return nil }
    let utf8 = Array(id.utf8)
    guard utf8[14] == UInt8(ascii: "7") else { return nil }
    switch utf8[19] {
    case UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "A"), UInt8(ascii: "B"):
      return String(decoding: utf8[0..<13], as: UTF8.self).lowercased()
    default:
      return nil
    }
  }
}
