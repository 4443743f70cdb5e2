public import GongjianProtocol
internal import GRPCCore
internal import SwiftProtobuf

/// One message of a subscription, as the engine hands it to the transport: either a message
/// built for this subscriber (heartbeat, reset, a page read from the store) or the wire bytes of
/// a `SubscribeResponse` assembled from changes the hub encoded once for all subscribers.
public enum SubscribeFrame: Sendable {
  case message(Gongjian_V1_SubscribeResponse)
  case encoded([UInt8])

  /// A `SubscribeResponse` carrying `changes { records: …, cursor: … }`, from pre-encoded
  /// `records` fields. Protobuf allows a message to be written field by field, so concatenating
  /// the encoded fields is the encoding of the whole batch.
  package static func changes(_ changes: ArraySlice<ChangeHub.Change>, cursor: UInt64) -> SubscribeFrame {
    var batchLength = changes.reduce(0) { $0 + $1.recordsField.count }
    batchLength += 1 + Self.varintLength(cursor)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(1 + Self.varintLength(UInt64(batchLength)) + batchLength)
    bytes.append(0x0A)  // SubscribeResponse.changes = 1, length-delimited
    Self.appendVarint(UInt64(batchLength), to: &bytes)
    for change in changes { bytes.append(contentsOf: change.recordsField) }
    bytes.append(0x10)  // ChangeBatch.cursor = 2, varint
    Self.appendVarint(cursor, to: &bytes)
    return .encoded(bytes)
  }

  /// `ChangeBatch.records` (field 1, length-delimited) holding one encoded record.
  package static func recordsField(_ record: Gongjian_V1_Record) throws -> [UInt8] {
    let body: [UInt8] = try record.serializedBytes()
    var field: [UInt8] = [0x0A]
    field.reserveCapacity(1 + Self.varintLength(UInt64(body.count)) + body.count)
    Self.appendVarint(UInt64(body.count), to: &field)
    field.append(contentsOf: body)
    return field
  }

  private static func varintLength(_ value: UInt64) -> Int {
    var value = value
    var length = 1
    while value >= 0x80 {
      value >>= 7
      length += 1
    }
    return length
  }

  private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }
}

/// Serializes ``SubscribeFrame``s: pre-encoded frames are copied, messages encoded.
struct SubscribeFrameSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ frame: SubscribeFrame) throws -> Bytes {
    switch frame {
    case .encoded(let bytes):
      return Bytes(bytes)
    case .message(let message):
      do {
        return Bytes(try message.serializedBytes() as [UInt8])
      } catch {
        throw RPCError(code: .internalError, message: "cannot encode a subscription message: \(error)")
      }
    }
  }
}
