public import Foundation
public import GongjianProtocol
public import SwiftProtobuf

/// The server's knowledge of one record kind: its payload message, how to validate and
/// normalise it, which records it refers to, what must be unique, which changes of state are
/// allowed, who may write it and whether it may be deleted.
///
/// Everything here is pure; checks that need the database (references, uniqueness, the
/// previous version) are carried into the store's transaction as data and closures.
public struct KindRule: Sendable {
  /// A payload after preparation.
  public struct Prepared: Sendable {
    /// The payload to store (normalised, e.g. with derived fields set).
    public var payload: Data
    /// Violations; when non-empty nothing else matters.
    public var violations: [GongjianError.FieldViolation]
    /// At most one live record of the kind per tenant has this key.
    public var uniqueKey: String?
    /// Records that must exist, live, in the same tenant.
    public var references: [PushBatch.Reference]
    /// Checks the change from the current payload; returns violations.
    public var transition: (@Sendable (_ current: Data) -> [GongjianError.FieldViolation])?
  }

  /// A reference from a payload field to another record.
  public struct FieldReference: Sendable {
    public var field: String
    public var kind: RecordKind
    public var id: String

    public init(field: String, kind: RecordKind, id: String) {
      self.field = field
      self.kind = kind
      self.id = id
    }
  }

  /// The kind.
  public let kind: RecordKind
  /// The least role that writes this kind.
  public let writeRole: Gongjian_V1_Role
  /// Whether records of this kind may be deleted.
  public let deletable: Bool
  private let prepareBody: @Sendable (Data, String) -> Prepared

  /// Creates a rule for a kind whose payload is `Payload`.
  ///
  /// - Parameters:
  ///   - kind: The registered kind.
  ///   - payload: The payload message type.
  ///   - writeRole: The least role that writes it.
  ///   - deletable: Whether records may be deleted.
  ///   - validate: The payload's violations, with paths relative to the payload.
  ///   - normalize: Sets derived fields.
  ///   - uniqueKey: A key at most one live record per tenant may have.
  ///   - references: Records the payload refers to.
  ///   - transition: Violations of the change from the current payload to the new one.
  public init<Payload: SwiftProtobuf.Message & Sendable>(
    _ kind: RecordKind, payload: Payload.Type,
    writeRole: Gongjian_V1_Role = .contributor,
    deletable: Bool = true,
    validate: @escaping @Sendable (Payload) -> [GongjianError.FieldViolation],
    normalize: (@Sendable (inout Payload) -> Void)? = nil,
    uniqueKey: (@Sendable (Payload) -> String)? = nil,
    references: @escaping @Sendable (Payload) -> [FieldReference] = { _ in [] },
    transition: (@Sendable (_ current: Payload, _ new: Payload) -> [GongjianError.FieldViolation])? = nil
  ) {
    self.kind = kind
    self.writeRole = writeRole
    self.deletable = deletable
    self.prepareBody = { (data: Data, path: String) -> Prepared in
      Self.prepare(
        Payload.self, data: data, path: path, validate: validate, normalize: normalize,
        uniqueKey: uniqueKey, references: references, transition: transition
      )
    }
  }

  private static func prepare<Payload: SwiftProtobuf.Message & Sendable>(
    _ type: Payload.Type, data: Data, path: String,
    validate: @Sendable (Payload) -> [GongjianError.FieldViolation],
    normalize: (@Sendable (inout Payload) -> Void)?,
    uniqueKey: (@Sendable (Payload) -> String)?,
    references: @Sendable (Payload) -> [FieldReference],
    transition: (@Sendable (Payload, Payload) -> [GongjianError.FieldViolation])?
  ) -> Prepared {
    @Sendable func prefixed(_ violations: [GongjianError.FieldViolation]) -> [GongjianError.FieldViolation] {
      violations.map { GongjianError.FieldViolation(field: "\(path).\($0.field)", description: $0.description) }
    }
    var message: Payload
    do {
      message = try Payload(serializedBytes: data)
    } catch {
      let violation = GongjianError.FieldViolation(field: path, description: "not a valid \(Payload.protoMessageName): \(error)")
      return Prepared(payload: data, violations: [violation], uniqueKey: nil, references: [], transition: nil)
    }
    let violations = prefixed(validate(message))
    guard violations.isEmpty else {
      return Prepared(payload: data, violations: violations, uniqueKey: nil, references: [], transition: nil)
    }
    normalize?(&message)
    let normalized: Data = (try? message.serializedBytes()) ?? data
    let new = message
    var check: (@Sendable (Data) -> [GongjianError.FieldViolation])?
    if let transition {
      check = { (current: Data) -> [GongjianError.FieldViolation] in
        guard let old = try? Payload(serializedBytes: current) else { return [] }
        return prefixed(transition(old, new))
      }
    }
    let refs: [PushBatch.Reference] = references(message).filter { !$0.id.isEmpty }.map {
      PushBatch.Reference(kind: $0.kind.name, id: $0.id.lowercased(), field: "\(path).\($0.field)")
    }
    return Prepared(payload: normalized, violations: [], uniqueKey: uniqueKey?(message), references: refs, transition: check)
  }

  /// Decodes, validates and normalises a serialized payload.
  ///
  /// - Parameters:
  ///   - data: The serialized payload.
  ///   - path: The payload's field path, prefixed to each violation.
  public func prepare(_ data: Data, at path: String) -> Prepared {
    self.prepareBody(data, path)
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
  public static let standard = KindRegistry([
    ParkRules.rule, IndicatorReportRules.rule, TransferredProjectRules.rule, ExchangeActivityRules.rule,
    AssistancePlanRules.rule, RevenueSharingAgreementRules.rule, TargetRules.rule,
  ])
}
