public import Foundation
internal import GongjianProtocol
public import SwiftProtobuf

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
    let message = try Self.decode(object, as: recordKind.messageType, name: kind, place: place, extraKeys: extraKeys)
    return try message.serializedBytes()
  }

  /// A message of any type from a JSON-shaped object, with the same errors as
  /// ``serialized(_:kind:place:extraKeys:)``.
  ///
  /// - Parameters:
  ///   - object: The message's fields.
  ///   - type: The message type.
  ///   - name: What the message is, for messages (`proposal`).
  ///   - place: Where the object is.
  ///   - extraKeys: Keys the caller reads itself, offered as suggestions too.
  public static func decode<M: SwiftProtobuf.Message>(
    _ object: [String: Any], as type: M.Type, name: String, place: String, extraKeys: [String] = []
  ) throws -> M {
    guard JSONSerialization.isValidJSONObject(object) else {
      throw GongjianClientError(.usage, "\(place): the fields of \(name) must be plain values, lists and objects")
    }
    do {
      return try M(jsonUTF8Data: try JSONSerialization.data(withJSONObject: object))
    } catch let error as JSONDecodingError {
      throw GongjianClientError(.usage, "\(place): \(Self.explain(error, object: object, type: type, name: name, extraKeys: extraKeys))", cause: error)
    } catch {
      throw GongjianClientError(.usage, "\(place): not a valid \(name): \(error)", cause: error)
    }
  }

  static func explain<M: SwiftProtobuf.Message>(
    _ error: JSONDecodingError, object: [String: Any], type: M.Type, name: String, extraKeys: [String]
  ) -> String {
    let fields = ProtoSchema.fields(ofMessage: M.protoMessageName)
    switch error {
    case .unknownField(let key):
      let known = fields.map(\.name) + extraKeys
      let hint = Self.nearest(key, in: known).map { "; did you mean \($0)?" } ?? ""
      return "field \(key): not a field of \(name)\(hint) (fields: \(known.sorted().joined(separator: ", ")))"
    case .unrecognizedEnumValue:
      let field = Self.failingField(object, type: type) ?? "?"
      let value = object[field].map { "\($0)" } ?? ""
      let allowed = fields.first { $0.name == field }?.enumType.map(ProtoSchema.values(ofEnum:)) ?? []
      return "field \(field): '\(value)' is not an allowed value" + (allowed.isEmpty ? "" : " (allowed: \(allowed.joined(separator: ", ")))")
    case .malformedNumber, .numberRange:
      let field = Self.failingField(object, type: type) ?? "?"
      return "field \(field): expected a whole number in range (amounts are in their stated unit: yuan, basis points, centi-mu)"
    default:
      let field = Self.failingField(object, type: type)
      return "field \(field ?? "?"): not a valid value for \(name) (\(error))"
    }
  }

  /// The top-level key whose value alone fails to decode.
  static func failingField<M: SwiftProtobuf.Message>(_ object: [String: Any], type: M.Type) -> String? {
    for key in object.keys.sorted() {
      guard let data = try? JSONSerialization.data(withJSONObject: [key: object[key]!]) else { return key }
      if (try? M(jsonUTF8Data: data)) == nil { return key }
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
