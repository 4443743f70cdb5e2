public import Foundation
internal import SwiftProtobuf

extension Gongjian_V1_RecordPayload {
  /// A payload decoded from a record's kind and serialized message.
  ///
  /// - Parameters:
  ///   - kind: The kind's wire name.
  ///   - data: The kind's serialized payload message.
  /// - Throws: ``RecordKind/UnknownKind`` for an unregistered kind; a decoding error for bad bytes.
  public init(kind: String, data: Data) throws {
    guard let recordKind = RecordKind.named(kind) else { throw RecordKind.UnknownKind(name: kind) }
    self.init()
    try recordKind.embed(data, in: &self)
  }
}

extension RecordKind {
  /// A kind name that no registered kind has.
  public struct UnknownKind: Error, CustomStringConvertible {
    public var name: String
    public var description: String { "no record kind \(self.name)" }
  }
}
