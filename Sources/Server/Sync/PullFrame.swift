public import GongjianProtocol

/// A pulled page as the engine hands it to the transport: a reset message, or the wire bytes of
/// a `PullResponse` written straight from the store's rows.
public typealias PullFrame = WireFrame<Gongjian_V1_PullResponse>

extension WireFrame where Message == Gongjian_V1_PullResponse {
  /// The `PullResponse` of a page: its records, cursor, `more` and checkpoint, written without
  /// building the messages (a third of the server's time in a pull went to building and encoding
  /// them).
  static func page(_ records: [StoredRecord], nextCursor: UInt64, more: Bool, checkpoint: TenantCheckpoint) -> PullFrame {
    Self.page(records: StoredRecord.pullFields(records), nextCursor: nextCursor, more: more, checkpoint: checkpoint)
  }

  /// The `PullResponse` of a page whose records are written already (`records` fields).
  static func page(records: [UInt8], nextCursor: UInt64, more: Bool, checkpoint: TenantCheckpoint) -> PullFrame {
    var bytes = records
    ProtobufWire.appendVarintField(2, nextCursor, to: &bytes)
    ProtobufWire.appendVarintField(3, more ? 1 : 0, to: &bytes)
    // Checkpoint (4): head_sequence (1), checksum (2, fixed64), live_records (3).
    let checksumLength = checkpoint.checksum == 0 ? 0 : 9
    let checkpointLength = ProtobufWire.varintFieldLength(checkpoint.headSequence) + checksumLength
      + ProtobufWire.varintFieldLength(checkpoint.liveRecords)
    bytes.append(ProtobufWire.tag(4, .lengthDelimited))
    ProtobufWire.appendVarint(UInt64(checkpointLength), to: &bytes)
    ProtobufWire.appendVarintField(1, checkpoint.headSequence, to: &bytes)
    if checksumLength > 0 {
      bytes.append(ProtobufWire.tag(2, .fixed64))
      withUnsafeBytes(of: checkpoint.checksum.littleEndian) { bytes.append(contentsOf: $0) }
    }
    ProtobufWire.appendVarintField(3, checkpoint.liveRecords, to: &bytes)
    return .encoded(bytes)
  }
}
