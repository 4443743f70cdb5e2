internal import Crypto
internal import Foundation
public import GongjianProtocol
internal import SwiftProtobuf

/// A mutation written as a document item: kind, id (a UUID; generated when absent),
/// base_version (0 to create), and payload (the kind's fields in JSON form) or delete: true;
/// mutation_id optional.
public enum MutationDocument {
  /// The mutation an item describes.
  ///
  /// Without a mutation_id, the id is derived from the mutation's content, so that pushing the
  /// same file twice is a replay rather than a second change.
  ///
  /// - Parameters:
  ///   - item: One item of ``DocumentReader/items(_:format:source:)``.
  ///   - place: Where the item is, for messages (`file: mutation 2`).
  /// - Throws: ``GongjianClientError`` (`usage`) naming the field.
  public static func mutation(_ item: Any, at place: String) throws -> Gongjian_V1_Mutation {
    guard let object = item as? [String: Any] else {
      throw GongjianClientError(.usage, "\(place): expected an object with kind, id, base_version, payload")
    }
    guard let kindName = object["kind"] as? String, let kind = RecordKind.named(kindName) else {
      let known = RecordKind.all.map(\.name).joined(separator: ", ")
      throw GongjianClientError(.usage, "\(place): field kind: expected one of \(known) (got \(object["kind"].map { "\($0)" } ?? "nothing"))")
    }
    var mutation = Gongjian_V1_Mutation()
    mutation.kind = kind.name
    if let id = object["id"] {
      guard let id = id as? String, UUID(uuidString: id) != nil else {
        throw GongjianClientError(.usage, "\(place): field id: expected a UUID (got \(id))")
      }
      mutation.recordID = id.lowercased()
    } else {
      mutation.recordID = UUID().uuidString.lowercased()
    }
    let base = object["base_version"] ?? 0
    guard let baseVersion = Self.nonNegativeInteger(base) else {
      throw GongjianClientError(.usage, "\(place): field base_version: expected a non-negative integer (got \(base))")
    }
    mutation.baseVersion = baseVersion
    if (object["delete"] as? Bool) == true {
      mutation.delete = true
    } else if let payload = object["payload"] {
      do {
        guard JSONSerialization.isValidJSONObject(payload) else {
          throw GongjianClientError(.usage, "not an object of the kind's fields")
        }
        let json = try JSONSerialization.data(withJSONObject: payload)
        let message = try kind.messageType.init(jsonUTF8Data: json)
        mutation.payload = kind.pack(serialized: try message.serializedBytes())
      } catch {
        throw GongjianClientError(.usage, "\(place): field payload: not a valid \(kind.name): \(error)")
      }
    } else {
      throw GongjianClientError(.usage, "\(place): needs payload, or delete: true")
    }
    if let id = object["mutation_id"] as? String, !id.isEmpty {
      mutation.mutationID = id
    } else {
      let digest = SHA256.hash(data: try mutation.serializedBytes() as Data)
      mutation.mutationID = digest.map { String(format: "%02x", $0) }.joined()
    }
    return mutation
  }

  /// A non-negative integer from JSON (NSNumber) or YAML (Int).
  private static func nonNegativeInteger(_ value: Any) -> UInt64? {
    if let int = value as? Int { return int >= 0 ? UInt64(int) : nil }
    if value is Bool { return nil }
    if let number = value as? NSNumber, number.doubleValue >= 0, number.doubleValue == number.doubleValue.rounded(),
      number.doubleValue < 1.8e19
    {
      return number.uint64Value
    }
    return nil
  }
}
