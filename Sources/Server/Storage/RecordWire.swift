internal import Foundation
internal import GongjianProtocol
internal import SwiftProtobuf

/// One change's fields, wherever they live (a ``StoredRecord``'s strings, or a SQLite row's
/// columns), written as a length-delimited field holding a `gongjian.v1.Record`: the same bytes
/// SwiftProtobuf writes for ``StoredRecord/proto`` (fields in number order, defaults left out),
/// without building the message, its `Any` and `Timestamp`.
struct RecordWire<Text: Collection<UInt8>, Payload: Collection<UInt8>> {
  var tenantID: Text
  var kind: Text
  var id: Text
  var version: UInt64
  var sequence: UInt64
  var deleted: Bool
  /// The payload's `type_url` (the kind's message type).
  var typeURL: String
  var payload: Payload
  var officeID: Text
  var updatedAt: Date

  /// Appends the record as field `field`.
  func append(_ field: UInt8, to bytes: inout [UInt8]) {
    let timestamp = Google_Protobuf_Timestamp(date: self.updatedAt)
    let timestampLength = ProtobufWire.varintFieldLength(UInt64(bitPattern: timestamp.seconds))
      + ProtobufWire.varintFieldLength(UInt64(bitPattern: Int64(timestamp.nanos)))
    let anyLength = self.deleted ? 0 : ProtobufWire.stringFieldLength(self.typeURL) + (self.payload.isEmpty ? 0 : ProtobufWire.fieldLength(body: self.payload.count))
    var length = Self.bytesFieldLength(self.tenantID) + Self.bytesFieldLength(self.kind) + Self.bytesFieldLength(self.id)
    length += ProtobufWire.varintFieldLength(self.version) + ProtobufWire.varintFieldLength(self.sequence) + (self.deleted ? 2 : 0)
    length += self.deleted ? 0 : ProtobufWire.fieldLength(body: anyLength)
    length += Self.bytesFieldLength(self.officeID) + ProtobufWire.fieldLength(body: timestampLength)

    bytes.append(ProtobufWire.tag(field, .lengthDelimited))
    ProtobufWire.appendVarint(UInt64(length), to: &bytes)
    Self.appendBytesField(1, self.tenantID, to: &bytes)
    Self.appendBytesField(2, self.kind, to: &bytes)
    Self.appendBytesField(3, self.id, to: &bytes)
    ProtobufWire.appendVarintField(4, self.version, to: &bytes)
    ProtobufWire.appendVarintField(5, self.sequence, to: &bytes)
    if self.deleted {
      bytes.append(ProtobufWire.tag(6, .varint))
      bytes.append(1)
    } else {
      bytes.append(ProtobufWire.tag(7, .lengthDelimited))
      ProtobufWire.appendVarint(UInt64(anyLength), to: &bytes)
      ProtobufWire.appendStringField(1, self.typeURL, to: &bytes)
      Self.appendBytesField(2, self.payload, to: &bytes)
    }
    Self.appendBytesField(8, self.officeID, to: &bytes)
    bytes.append(ProtobufWire.tag(9, .lengthDelimited))
    ProtobufWire.appendVarint(UInt64(timestampLength), to: &bytes)
    // int64 and int32 are varints of their two's complement (a negative takes ten bytes).
    ProtobufWire.appendVarintField(1, UInt64(bitPattern: timestamp.seconds), to: &bytes)
    ProtobufWire.appendVarintField(2, UInt64(bitPattern: Int64(timestamp.nanos)), to: &bytes)
  }

  /// An upper bound of the bytes ``append(_:to:)`` writes, to reserve a page's buffer once.
  var encodedLengthEstimate: Int {
    self.tenantID.count + self.kind.count + self.id.count + self.officeID.count + self.typeURL.utf8.count
      + self.payload.count + 120
  }

  /// The length of a string or bytes field; proto3 leaves out an empty one.
  private static func bytesFieldLength(_ value: some Collection<UInt8>) -> Int {
    value.isEmpty ? 0 : ProtobufWire.fieldLength(body: value.count)
  }

  private static func appendBytesField(_ field: UInt8, _ value: some Collection<UInt8>, to bytes: inout [UInt8]) {
    guard !value.isEmpty else { return }
    bytes.append(ProtobufWire.tag(field, .lengthDelimited))
    ProtobufWire.appendVarint(UInt64(value.count), to: &bytes)
    bytes.append(contentsOf: value)
  }

  /// The `type_url` of a kind's payload.
  static func typeURL(kind: String) -> String {
    RecordKind.named(kind)?.typeURL ?? "type.googleapis.com/gongjian.v1.\(kind)"
  }
}
