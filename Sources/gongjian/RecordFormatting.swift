import Foundation
import GongjianProtocol
import SwiftProtobuf

/// JSON and table forms of records for the CLI.
enum RecordFormatting {
  /// Made once: creating a formatter per record dominated `pull --json`.
  nonisolated(unsafe) static let timestamps = ISO8601DateFormatter()

  /// One record as a JSON object (keys sorted), its payload decoded by kind.
  ///
  /// Written directly rather than through `JSONSerialization`, which took 82% of `pull --json`.
  static func json(_ record: Gongjian_V1_Record) throws -> String {
    var out = "{\"deleted\":"
    out += record.deleted ? "true" : "false"
    out += ",\"id\":"
    Self.appendJSONString(record.id, to: &out)
    out += ",\"kind\":"
    Self.appendJSONString(record.kind, to: &out)
    out += ",\"office\":"
    Self.appendJSONString(record.officeID, to: &out)
    if let payload = try Self.payloadJSON(record) {
      // Protobuf JSON is a complete JSON object, embedded as it is.
      out += ",\"payload\":"
      out += payload
    }
    out += ",\"sequence\":\(record.sequence),\"tenant\":"
    Self.appendJSONString(record.tenantID, to: &out)
    out += ",\"updated_at\":"
    Self.appendJSONString(Self.timestamps.string(from: record.updatedAt.date), to: &out)
    out += ",\"version\":\(record.version)}"
    return out
  }

  /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as is.
  static func appendJSONString(_ value: String, to out: inout String) {
    out += "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
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
    guard let payload = try? Gongjian_V1_RecordPayload(kind: record.kind, data: record.payload.value) else {
      return "\(record.payload.value.count) bytes"
    }
    return TypedRecordFormatting.summary(payload).filter { !$0.isEmpty }.joined(separator: " · ")
  }

  /// Column widths of `watch`, which prints rows as they come and cannot measure them first.
  static let widths = [8, 20, 36, 7, 18]

  /// A row padded to ``widths`` by display width (CJK characters take two columns).
  static func alignedRow(_ cells: [String]) -> String {
    cells.enumerated().map { index, cell in
      guard index < Self.widths.count else { return cell }
      return cell + String(repeating: " ", count: max(1, Self.widths[index] - displayWidth(cell) + 2))
    }.joined()
  }

  static func row(_ record: Gongjian_V1_Record) -> [String] {
    [String(record.sequence), record.kind, record.id, String(record.version), record.officeID, summary(record)]
  }

  static let header = ["SEQ", "KIND", "ID", "VERSION", "OFFICE", "SUMMARY"]
}

/// A payload (the kind's serialized message) as protobuf JSON with field names.
enum RecordText {
  static func json(kind: String, payload: Data) throws -> String {
    guard let recordKind = RecordKind.named(kind) else { return "{}" }
    return try recordKind.messageType.init(serializedBytes: payload).jsonString(options: TypedRecordFormatting.options)
  }

  static func object(kind: String, payload: Data) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(try Self.json(kind: kind, payload: payload).utf8))
  }
}
