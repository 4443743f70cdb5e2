import Foundation
import GongjianProtocol
import SwiftProtobuf

/// JSON and table forms of records for the CLI.
enum RecordFormatting {
  /// Made once: creating a formatter per record dominated `pull --json`.
  nonisolated(unsafe) static let timestamps = ISO8601DateFormatter()

  /// One record as a JSON object, its payload decoded by kind.
  static func json(_ record: Gongjian_V1_Record) throws -> String {
    var object: [String: Any] = [
      "tenant": record.tenantID, "kind": record.kind, "id": record.id,
      "version": record.version, "sequence": record.sequence, "deleted": record.deleted,
      "office": record.officeID,
      "updated_at": Self.timestamps.string(from: record.updatedAt.date),
    ]
    if let payload = try Self.payloadJSON(record) {
      object["payload"] = try JSONSerialization.jsonObject(with: Data(payload.utf8))
    }
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  /// The payload as protobuf JSON, or nil for tombstones.
  static func payloadJSON(_ record: Gongjian_V1_Record) throws -> String? {
    guard record.hasPayload, let kind = RecordKind.named(record.kind) else { return nil }
    let message = try kind.messageType.init(serializedBytes: record.payload.value)
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    return try message.jsonString(options: options)
  }

  /// A short description of a record for tables.
  static func summary(_ record: Gongjian_V1_Record) -> String {
    if record.deleted { return "(deleted)" }
    if record.kind == RecordKind.park.name, let park = try? Gongjian_V1_Park(serializedBytes: record.payload.value) {
      return park.name
    }
    return "\(record.payload.value.count) bytes"
  }

  static func row(_ record: Gongjian_V1_Record) -> [String] {
    [String(record.sequence), record.kind, record.id, String(record.version), record.officeID, summary(record)]
  }

  static let header = ["SEQ", "KIND", "ID", "VERSION", "OFFICE", "SUMMARY"]
}
