public import Foundation
public import GongjianProtocol
internal import SwiftProtobuf

/// The fields of a kind written by hand (a document's object, a spreadsheet row) turned into the
/// kind's payload, with errors that name the field: an unknown key with the nearest valid one, a
/// bad value with its field.
public enum PayloadDocument {
  /// The kind's serialized payload message from a JSON-shaped object.
  ///
  /// - Parameters:
  ///   - object: The kind's fields (protobuf JSON names or field names).
  ///   - kind: The kind's wire name.
  ///   - place: Where the object is, for messages.
  ///   - extraKeys: Keys the caller reads itself (e.g. `id`), offered as suggestions too.
  /// - Throws: ``GongjianClientError`` (`usage`).
  public static func serialized(_ object: [String: Any], kind: String, place: String, extraKeys: [String] = []) throws -> Data {
    guard let recordKind = RecordKind.named(kind) else {
      throw GongjianClientError(.usage, "kind: one of \(RecordKind.all.map(\.name).joined(separator: ", ")) (got '\(kind)')")
    }
    guard JSONSerialization.isValidJSONObject(object) else {
      throw GongjianClientError(.usage, "\(place): the fields of \(kind) must be plain values, lists and objects")
    }
    do {
      let data = try JSONSerialization.data(withJSONObject: object)
      return try recordKind.messageType.init(jsonUTF8Data: data).serializedBytes()
    } catch let error as JSONDecodingError {
      throw GongjianClientError(.usage, "\(place): \(Self.explain(error, object: object, kind: recordKind, extraKeys: extraKeys))", cause: error)
    } catch {
      throw GongjianClientError(.usage, "\(place): not a valid \(kind): \(error)", cause: error)
    }
  }

  /// Top-level field names of a kind.
  public static func fieldNames(of kind: RecordKind) -> [String] {
    ProtoSchema.fields(ofMessage: kind.messageType.protoMessageName).map(\.name)
  }

  static func explain(_ error: JSONDecodingError, object: [String: Any], kind: RecordKind, extraKeys: [String]) -> String {
    switch error {
    case .unknownField(let name):
      let known = Self.fieldNames(of: kind) + extraKeys
      let hint = Self.nearest(name, in: known).map { "; did you mean \($0)?" } ?? ""
      return "field \(name): not a field of \(kind.name)\(hint) (fields: \(known.sorted().joined(separator: ", ")))"
    case .unrecognizedEnumValue:
      let field = Self.failingField(object, kind: kind) ?? "?"
      let value = object[field].map { "\($0)" } ?? ""
      let allowed = ProtoSchema.fields(ofMessage: kind.messageType.protoMessageName).first { $0.name == field }?.enumType
        .map(ProtoSchema.values(ofEnum:)) ?? []
      return "field \(field): '\(value)' is not an allowed value" + (allowed.isEmpty ? "" : " (allowed: \(allowed.joined(separator: ", ")))")
    case .malformedNumber, .numberRange:
      let field = Self.failingField(object, kind: kind) ?? "?"
      return "field \(field): expected a whole number in range (amounts are in their stated unit: yuan, basis points, centi-mu)"
    default:
      let field = Self.failingField(object, kind: kind)
      return "field \(field ?? "?"): not a valid value for \(kind.name) (\(error))"
    }
  }

  /// The top-level key whose value alone fails to decode.
  static func failingField(_ object: [String: Any], kind: RecordKind) -> String? {
    for key in object.keys.sorted() {
      guard let data = try? JSONSerialization.data(withJSONObject: [key: object[key]!]) else { return key }
      if (try? kind.messageType.init(jsonUTF8Data: data)) == nil { return key }
    }
    return nil
  }

  /// The closest name by edit distance, if close enough to be a slip.
  public static func nearest(_ name: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, Self.distance(name.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
    guard let (best, score) = scored, score <= max(2, name.count / 3) else { return nil }
    return best
  }

  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in stride(from: 1, through: b.count, by: 1) {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return previous[b.count]
  }
}
