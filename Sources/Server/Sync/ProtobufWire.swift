/// The few pieces of the protobuf wire format that pre-encoded frames are written with.
enum ProtobufWire {
  /// Wire types, the low three bits of a field's tag.
  enum WireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
  }

  static func tag(_ field: UInt8, _ type: WireType) -> UInt8 {
    // Every field written this way has a number below 16: its tag is one byte.
    field << 3 | type.rawValue
  }

  static func varintLength(_ value: UInt64) -> Int {
    var value = value
    var length = 1
    while value >= 0x80 {
      value >>= 7
      length += 1
    }
    return length
  }

  static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  /// The length of a length-delimited field (tag, length, body) with a body of `count` bytes.
  static func fieldLength(body count: Int) -> Int {
    1 + Self.varintLength(UInt64(count)) + count
  }

  /// The length of a varint field; proto3 leaves out a zero.
  static func varintFieldLength(_ value: UInt64) -> Int {
    value == 0 ? 0 : 1 + Self.varintLength(value)
  }

  /// The length of a string field; proto3 leaves out an empty one.
  static func stringFieldLength(_ value: String) -> Int {
    value.isEmpty ? 0 : Self.fieldLength(body: value.utf8.count)
  }

  static func appendVarintField(_ field: UInt8, _ value: UInt64, to bytes: inout [UInt8]) {
    guard value != 0 else { return }
    bytes.append(Self.tag(field, .varint))
    Self.appendVarint(value, to: &bytes)
  }

  static func appendStringField(_ field: UInt8, _ value: String, to bytes: inout [UInt8]) {
    guard !value.isEmpty else { return }
    bytes.append(Self.tag(field, .lengthDelimited))
    Self.appendVarint(UInt64(value.utf8.count), to: &bytes)
    bytes.append(contentsOf: value.utf8)
  }
}
