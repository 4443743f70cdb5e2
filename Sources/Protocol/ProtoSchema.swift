public import Foundation
internal import SwiftProtobuf

/// The schema's field names and enum values at run time (from the descriptors that
/// `dev/generate.sh` embeds), so that errors about hand-written documents can name the fields a
/// message has and the values an enum field allows.
public enum ProtoSchema {
  /// A field of a message.
  public struct Field: Sendable, Equatable {
    /// The field's name in the schema (also accepted in JSON documents).
    public var name: String
    /// The full name of the field's enum type, if it has one.
    public var enumType: String?
    /// The full name of the field's message type, if it has one.
    public var messageType: String?
    /// A list.
    public var repeated: Bool
    /// A `bool` field.
    public var boolean: Bool = false
  }

  private struct Index: Sendable {
    var messages: [String: [Field]] = [:]
    var enums: [String: [String]] = [:]
  }

  private static let index: Index = {
    var index = Index()
    guard let data = Data(base64Encoded: schemaDescriptorSetBase64),
      let set = try? Google_Protobuf_FileDescriptorSet(serializedBytes: data)
    else { return index }
    func add(_ message: Google_Protobuf_DescriptorProto, prefix: String) {
      let name = prefix + "." + message.name
      index.messages[name] = message.field.map { field in
        Field(
          name: field.name,
          enumType: field.type == .enum ? String(field.typeName.drop { $0 == "." }) : nil,
          messageType: field.type == .message ? String(field.typeName.drop { $0 == "." }) : nil,
          repeated: field.label == .repeated,
          boolean: field.type == .bool
        )
      }
      for nested in message.nestedType { add(nested, prefix: name) }
      for nested in message.enumType { index.enums[name + "." + nested.name] = nested.value.map(\.name) }
    }
    for file in set.file {
      for message in file.messageType { add(message, prefix: file.package) }
      for enumeration in file.enumType { index.enums[file.package + "." + enumeration.name] = enumeration.value.map(\.name) }
    }
    return index
  }()

  /// The schema as a serialized `google.protobuf.FileDescriptorSet`: every file of `proto/` and
  /// the files they import, for server reflection.
  public static var fileDescriptorSet: Data {
    Data(base64Encoded: schemaDescriptorSetBase64) ?? Data()
  }

  /// The fields of a message, by its full name (e.g. `gongjian.v1.Park`); empty when unknown.
  public static func fields(ofMessage fullName: String) -> [Field] {
    Self.index.messages[fullName] ?? []
  }

  /// The value names of an enum, by its full name, without the `…_UNSPECIFIED` zero value.
  public static func values(ofEnum fullName: String) -> [String] {
    (Self.index.enums[fullName] ?? []).filter { !$0.hasSuffix("_UNSPECIFIED") }
  }
}
