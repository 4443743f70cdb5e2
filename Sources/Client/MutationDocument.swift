internal import Crypto
public import Foundation
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
    let allowed = ["kind", "id", "base_version", "payload", "delete", "mutation_id"]
    for key in object.keys.sorted() where !allowed.contains(key) {
      let hint = PayloadDocument.nearest(key, in: allowed).map { "; did you mean \($0)?" } ?? ""
      throw GongjianClientError(.usage, "\(place): key \(key): not a mutation key\(hint) (keys: \(allowed.joined(separator: ", ")))")
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
      mutation.recordID = RecordID.make()
    }
    let base = object["base_version"] ?? 0
    guard let baseVersion = Self.nonNegativeInteger(base) else {
      throw GongjianClientError(.usage, "\(place): field base_version: expected a non-negative integer (got \(base))")
    }
    mutation.baseVersion = baseVersion
    if (object["delete"] as? Bool) == true {
      mutation.delete = true
    } else if let payload = object["payload"] {
      guard let fields = payload as? [String: Any] else {
        throw GongjianClientError(.usage, "\(place): field payload: expected an object with the fields of \(kind.name)")
      }
      mutation.payload = kind.pack(serialized: try PayloadDocument.serialized(fields, kind: kind.name, place: "\(place): payload"))
    } else {
      throw GongjianClientError(.usage, "\(place): needs payload, or delete: true")
    }
    if let id = object["mutation_id"] as? String, !id.isEmpty {
      mutation.mutationID = id
    } else {
      mutation.mutationID = Self.contentID(mutation)
    }
    return mutation
  }

  /// A mutation of a kind's record, its id derived from its content: queuing or pushing the
  /// same write twice is a replay, not a second change.
  ///
  /// - Parameters:
  ///   - kind: The kind's wire name.
  ///   - id: The record id.
  ///   - baseVersion: The version it updates (0 creates).
  ///   - payload: The kind's serialized payload message.
  public static func mutation(kind: String, id: String, baseVersion: UInt64, payload: Data) -> Gongjian_V1_Mutation {
    var mutation = Gongjian_V1_Mutation()
    mutation.kind = kind
    mutation.recordID = id.lowercased()
    mutation.baseVersion = baseVersion
    if let recordKind = RecordKind.named(kind) { mutation.payload = recordKind.pack(serialized: payload) }
    mutation.mutationID = Self.contentID(mutation)
    return mutation
  }

  /// The SHA-256 of the mutation, led by its record's creation time when the record id is a
  /// version-7 UUID (``RecordID``): still the same id for the same write, and the answers the
  /// server keeps for a push's new records sort side by side, as their records do.
  static func contentID(_ mutation: Gongjian_V1_Mutation) -> String {
    let bytes: Data = (try? mutation.serializedBytes()) ?? Data()
    let hash = SHA256.hash(data: bytes).hexadecimal
    return RecordID.timePrefix(of: mutation.recordID).map { "\($0)-\(hash)" } ?? hash
  }

  /// A non-negative integer from JSON (NSNumber) or YAML (Int).
  public static func nonNegativeInteger(_ value: Any) -> UInt64? {
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
