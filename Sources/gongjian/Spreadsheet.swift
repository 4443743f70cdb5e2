import CSV
import Foundation
import GongjianClient
import GongjianProtocol

/// The columns of a kind in a spreadsheet: `id`, `version`, then the kind's fields in schema
/// order, headed `中文名（单位） (field_name)`. Amounts keep the unit in the field name too
/// (`planned_investment_yuan`, `…_bp` for basis points, `…_centimu`); lists and nested objects
/// are JSON text in their cell.
struct Spreadsheet {
  let kind: RecordKind
  let fields: [ProtoSchema.Field]

  init(kind: RecordKind) {
    self.kind = kind
    self.fields = ProtoSchema.fields(ofMessage: kind.messageType.protoMessageName)
  }

  var header: [String] { (["id", "version"] + self.fields.map(\.name)).map(FieldLabels(kind: self.kind).header) }

  /// One record's row.
  func row(_ record: MirrorRecord) throws -> [String] {
    let object = (try RecordText.object(kind: record.kind, payload: record.payload) as? [String: Any]) ?? [:]
    return [record.id, String(record.version)] + self.fields.map { field in Self.cell(object[field.name], boolean: field.boolean) }
  }

  /// A JSON value as a cell. Whether a number is a bool comes from the schema: Foundation on
  /// Linux reads both JSON `1` and `true` as an NSNumber that `is Bool` (an int32 of 1 was
  /// exported as "true" and refused on import).
  static func cell(_ value: Any?, boolean: Bool = false) -> String {
    switch value {
    case nil: return ""
    case let string as String: return string
    case let list as [Any]: return Self.json(list)
    case let object as [String: Any]: return Self.json(object)
    case let number as NSNumber:
      if boolean { return number.boolValue ? "true" : "false" }
      return number.stringValue
    default: return "\(value!)"
    }
  }

  static func json(_ value: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "" }
    return String(decoding: data, as: UTF8.self)
  }

  /// A bad cell: 1-based row (the header is row 1) and the column's letter and name.
  struct CellError {
    var row: Int
    var column: Int
    var name: String
    var message: String

    var text: String { "row \(self.row), column \(Spreadsheet.letter(self.column)) (\(self.name)): \(self.message)" }
  }

  static func letter(_ index: Int) -> String {
    var index = index
    var out = ""
    repeat {
      out = String(UnicodeScalar(UInt8(65 + index % 26))) + out
      index = index / 26 - 1
    } while index >= 0
    return out
  }

  /// Maps headers to field names: the field name itself, its Chinese label (`计划投资（元）`), or
  /// any label with the field name in parentheses (`计划投资（元） (planned_investment_yuan)`).
  func columns(_ header: [String]) -> (names: [String?], errors: [CellError]) {
    let known = ["id", "version", "base_version"] + self.fields.map(\.name)
    var errors: [CellError] = []
    var seen: Set<String> = []
    let labels = FieldLabels(kind: self.kind)
    let names: [String?] = header.enumerated().map { index, raw in
      let text = raw.trimmingCharacters(in: .whitespaces)
      // A field name, a Chinese label, or a label with the field name in parentheses.
      var name = labels.field(label: text) ?? text
      if !known.contains(name), let open = text.lastIndex(where: { $0 == "(" || $0 == "（" }), text.hasSuffix(")") || text.hasSuffix("）") {
        name = String(text[text.index(after: open)..<text.index(before: text.endIndex)]).trimmingCharacters(in: .whitespaces)
      }
      if name == "base_version" { name = "version" }
      guard known.contains(name) else {
        let hint = PayloadDocument.nearest(name, in: known).map { "; did you mean \($0)?" } ?? ""
        errors.append(CellError(row: 1, column: index, name: text, message: "not a field of \(self.kind.name)\(hint)"))
        return nil
      }
      if !seen.insert(name).inserted {
        errors.append(CellError(row: 1, column: index, name: text, message: "\(name) appears twice"))
      }
      return name
    }
    return (names, errors)
  }

  /// A cell's value in the JSON form the payload takes, or an error message.
  func value(_ cell: String, field: ProtoSchema.Field) -> Result<Any, CellFailure> {
    if field.repeated || field.messageType != nil {
      guard let data = cell.data(using: .utf8), let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
        return .failure(CellFailure(message: "expected JSON (\(field.repeated ? "a list" : "an object")), as export writes it"))
      }
      return .success(value)
    }
    if let enumType = field.enumType {
      let allowed = ProtoSchema.values(ofEnum: enumType)
      guard allowed.contains(cell) else {
        return .failure(CellFailure(message: "'\(cell)' is not an allowed value (allowed: \(allowed.joined(separator: ", ")))"))
      }
    }
    return .success(cell)
  }

  struct CellFailure: Error { var message: String }
}

/// Reads and writes CSV (UTF-8 with a byte-order mark, so that spreadsheet programs show Chinese).
enum CSVFile {
  static func write(_ rows: [[String]], to path: String) throws {
    let stream = OutputStream(toMemory: ())
    stream.open()
    let writer = try CSVWriter(stream: stream, newline: .crlf)
    for row in rows { try writer.write(row: row) }
    writer.stream.close()
    guard let data = writer.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
      throw GongjianClientError(.local, "\(path): could not write CSV")
    }
    do {
      try (Data([0xEF, 0xBB, 0xBF]) + data).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw GongjianClientError(.local, "\(path): cannot write (\(error.localizedDescription))")
    }
  }

  static func read(_ path: String) throws -> [[String]] {
    guard var data = FileManager.default.contents(atPath: path) else {
      throw GongjianClientError(.usage, "\(path): cannot read the file")
    }
    if data.starts(with: [0xEF, 0xBB, 0xBF]) { data = data.dropFirst(3) }
    guard let text = String(data: data, encoding: .utf8) else {
      throw GongjianClientError(.usage, "\(path): not UTF-8 text (save the spreadsheet as CSV UTF-8)")
    }
    do {
      let reader = try CSVReader(string: text, hasHeaderRow: false)
      var rows: [[String]] = []
      while let row = reader.next() { rows.append(row) }
      if let error = reader.error { throw error }
      return rows
    } catch let error as GongjianClientError {
      throw error
    } catch {
      throw GongjianClientError(.usage, "\(path): not valid CSV (\(error))")
    }
  }
}
