internal import Foundation
internal import GongjianProtocol
internal import SwiftProtobuf

extension StoredRecord {
  /// The `type_url` of the payload's `Any`.
  var typeURL: String {
    RecordKind.named(self.kind)?.typeURL ?? "type.googleapis.com/gongjian.v1.\(self.kind)"
  }

  /// Appends the record as a length-delimited field `field` holding a `gongjian.v1.Record`,
  /// written straight from the row: the same bytes SwiftProtobuf writes for ``proto`` (fields in
  /// number order, defaults left out), without building the message, its `Any` and `Timestamp`.
  func appendField(_ field: UInt8, to bytes: inout [UInt8]) {
    let typeURL = self.typeURL
    let timestamp = Google_Protobuf_Timestamp(date: self.updatedAt)
    let timestampLength = Self.timestampBodyLength(timestamp)
    let anyLength = self.deleted ? 0 : ProtobufWire.stringFieldLength(typeURL) + (self.payload.isEmpty ? 0 : ProtobufWire.fieldLength(body: self.payload.count))
    var length = ProtobufWire.stringFieldLength(self.tenantID) + ProtobufWire.stringFieldLength(self.kind) + ProtobufWire.stringFieldLength(self.id)
    length += ProtobufWire.varintFieldLength(self.version) + ProtobufWire.varintFieldLength(self.sequence) + (self.deleted ? 2 : 0)
    length += self.deleted ? 0 : ProtobufWire.fieldLength(body: anyLength)
    length += ProtobufWire.stringFieldLength(self.officeID) + ProtobufWire.fieldLength(body: timestampLength)

    bytes.append(ProtobufWire.tag(field, .lengthDelimited))
    ProtobufWire.appendVarint(UInt64(length), to: &bytes)
    ProtobufWire.appendStringField(1, self.tenantID, to: &bytes)
    ProtobufWire.appendStringField(2, self.kind, to: &bytes)
    ProtobufWire.appendStringField(3, self.id, to: &bytes)
    ProtobufWire.appendVarintField(4, self.version, to: &bytes)
    ProtobufWire.appendVarintField(5, self.sequence, to: &bytes)
    if self.deleted {
      bytes.append(ProtobufWire.tag(6, .varint))
      bytes.append(1)
    } else {
      bytes.append(ProtobufWire.tag(7, .lengthDelimited))
      ProtobufWire.appendVarint(UInt64(anyLength), to: &bytes)
      ProtobufWire.appendStringField(1, typeURL, to: &bytes)
      if !self.payload.isEmpty {
        bytes.append(ProtobufWire.tag(2, .lengthDelimited))
        ProtobufWire.appendVarint(UInt64(self.payload.count), to: &bytes)
        bytes.append(contentsOf: self.payload)
      }
    }
    ProtobufWire.appendStringField(8, self.officeID, to: &bytes)
    bytes.append(ProtobufWire.tag(9, .lengthDelimited))
    ProtobufWire.appendVarint(UInt64(timestampLength), to: &bytes)
    // int64 and int32 are varints of their two's complement (a negative takes ten bytes).
    ProtobufWire.appendVarintField(1, UInt64(bitPattern: timestamp.seconds), to: &bytes)
    ProtobufWire.appendVarintField(2, UInt64(bitPattern: Int64(timestamp.nanos)), to: &bytes)
  }

  /// An upper bound of the bytes ``appendField(_:to:)`` writes, to reserve a page's buffer once.
  var encodedLengthEstimate: Int {
    self.tenantID.utf8.count + self.kind.utf8.count * 2 + self.id.utf8.count + self.officeID.utf8.count
      + self.payload.count + 120
  }

  private static func timestampBodyLength(_ timestamp: Google_Protobuf_Timestamp) -> Int {
    ProtobufWire.varintFieldLength(UInt64(bitPattern: timestamp.seconds)) + ProtobufWire.varintFieldLength(UInt64(bitPattern: Int64(timestamp.nanos)))
  }
}
