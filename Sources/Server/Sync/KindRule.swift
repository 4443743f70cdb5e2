public import Foundation
public import GongjianProtocol
public import SwiftProtobuf

/// The server's knowledge of one record kind: its payload message and how to validate it.
public struct KindRule: Sendable {
  /// The kind.
  public let kind: RecordKind
  private let check: @Sendable (Data) throws -> [GongjianError.FieldViolation]

  /// Creates a rule for a kind whose payload is `Payload`.
  ///
  /// - Parameters:
  ///   - kind: The registered kind.
  ///   - payload: The payload message type.
  ///   - validate: Returns the payload's violations, with paths relative to the payload.
  public init<Payload: SwiftProtobuf.Message & Sendable>(
    _ kind: RecordKind, payload: Payload.Type,
    validate: @escaping @Sendable (Payload) -> [GongjianError.FieldViolation]
  ) {
    self.kind = kind
    self.check = { data in validate(try Payload(serializedBytes: data)) }
  }

  /// Decodes and validates a serialized payload.
  ///
  /// - Parameters:
  ///   - data: The serialized payload.
  ///   - path: The payload's field path, prefixed to each violation.
  /// - Returns: Violations; empty when the payload is valid.
  public func violations(of data: Data, at path: String) -> [GongjianError.FieldViolation] {
    do {
      return try self.check(data).map {
        GongjianError.FieldViolation(field: "\(path).\($0.field)", description: $0.description)
      }
    } catch {
      return [GongjianError.FieldViolation(field: path, description: "not a valid \(self.kind.messageType.protoMessageName): \(error)")]
    }
  }
}

/// The registered kinds and their rules.
public struct KindRegistry: Sendable {
  private let rules: [String: KindRule]

  /// Creates a registry.
  ///
  /// - Parameter rules: One rule per kind.
  public init(_ rules: [KindRule]) {
    self.rules = Dictionary(uniqueKeysWithValues: rules.map { ($0.kind.name, $0) })
  }

  /// The rule of a kind.
  public subscript(kind: String) -> KindRule? { self.rules[kind] }

  /// Names of the registered kinds, sorted.
  public var kindNames: [String] { self.rules.keys.sorted() }

  /// Every kind this server knows.
  public static let standard = KindRegistry([ParkRules.rule])
}
