public import GongjianProtocol
internal import GRPCCore
internal import SwiftProtobuf

/// One message of a subscription, as the engine hands it to the transport: either a message
/// built for this subscriber (heartbeat, reset, a page read from the store) or the wire bytes of
/// a `SubscribeResponse` assembled from changes the hub encoded once for all subscribers.
public typealias SubscribeFrame = WireFrame<Gongjian_V1_SubscribeResponse>

extension WireFrame where Message == Gongjian_V1_SubscribeResponse {
  /// A `SubscribeResponse` carrying `changes { records: …, cursor: … }`, from pre-encoded
  /// `records` fields. Protobuf allows a message to be written field by field, so concatenating
  /// the encoded fields is the encoding of the whole batch.
  package static func changes(_ changes: ArraySlice<ChangeHub.Change>, cursor: UInt64) -> SubscribeFrame {
    var batchLength = changes.reduce(0) { $0 + $1.recordsField.count }
    batchLength += 1 + ProtobufWire.varintLength(cursor)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(1 + ProtobufWire.varintLength(UInt64(batchLength)) + batchLength)
    bytes.append(0x0A)  // SubscribeResponse.changes = 1, length-delimited
    ProtobufWire.appendVarint(UInt64(batchLength), to: &bytes)
    for change in changes { bytes.append(contentsOf: change.recordsField) }
    bytes.append(0x10)  // ChangeBatch.cursor = 2, varint
    ProtobufWire.appendVarint(cursor, to: &bytes)
    return .encoded(bytes)
  }

  /// `ChangeBatch.records` (field 1, length-delimited) holding one encoded record.
  package static func recordsField(_ record: Gongjian_V1_Record) throws -> [UInt8] {
    let body: [UInt8] = try record.serializedBytes()
    var field: [UInt8] = [0x0A]
    field.reserveCapacity(1 + ProtobufWire.varintLength(UInt64(body.count)) + body.count)
    ProtobufWire.appendVarint(UInt64(body.count), to: &field)
    field.append(contentsOf: body)
    return field
  }
}
