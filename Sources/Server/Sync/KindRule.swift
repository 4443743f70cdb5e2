public import Foundation
public import GongjianProtocol
public import SwiftProtobuf

/// The server's knowledge of one record kind: its payload message, how to validate and
/// normalise it, which records it refers to, what must be unique, which changes are allowed
/// (state machines, workflow), who may write it and whether it may be deleted.
///
/// Validation and normalisation are pure; checks that need the database (references,
/// uniqueness, the current version, other records) travel into the store's transaction as data
/// and closures, so that the write path stays one.
public struct KindRule: Sendable {
  /// Who is writing, and the server's record checks that depend on more than the payload.
  public struct WriteContext: Sendable {
    public var officeID: String
    public var side: Gongjian_V1_Side
    public var role: Gongjian_V1_Role
    /// Whether the write goes to the two-city tenant (`city`), which keeps what belongs to no
    /// one partnership: the council, the targets, projects outside every co-built park.
    public var cityTenant = false
    /// The latest date an event (a signing, an activity held, a decision) may carry, `YYYY-MM-DD`.
    public var latestEventDate: String = "9999-12-31"
    /// How far ahead `latestEventDate` is, for the message.
    public var futureHorizonDays: Int = 0
    /// The offices of the directory, where a payload names offices; nil skips the check.
    public var knownOffices: Set<String>?
    /// Where values are plausible; values outside are applied with a warning.
    public var ranges: PlausibleRanges?

    public init(officeID: String, side: Gongjian_V1_Side, role: Gongjian_V1_Role) {
      self.officeID = officeID
      self.side = side
      self.role = role
    }
  }

  /// What a check sees: the current and the new payload, the writer, and the tenant's records.
  public struct WriteCheck<Payload: SwiftProtobuf.Message> {
    /// The live current payload, or nil when the record is created (or re-created).
    public var current: Payload?
    public var new: Payload
    public var context: WriteContext
    let lookup: (_ kind: String, _ id: String) -> Data?

    /// Another live record of the same tenant, decoded.
    public func record<Other: SwiftProtobuf.Message>(_ kind: RecordKind, _ id: String, as type: Other.Type) -> Other? {
      guard !id.isEmpty, let data = self.lookup(kind.name, id) else { return nil }
      return try? Other(serializedBytes: data)
    }
  }

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
    /// Runs in the store's transaction with the current payload and the tenant's records.
    public var check: (@Sendable (_ current: Data?, _ lookup: (_ kind: String, _ id: String) -> Data?) -> [GongjianError.FieldViolation])?
    /// Values outside their plausible range: the write is applied, with these warnings.
    public var warnings: [GongjianError.FieldViolation] = []
  }

  /// A reference from a payload field to another record.
  public struct FieldReference: Sendable {
    public var field: String
    public var kind: RecordKind
    public var id: String
    /// The tenant of the record, when the payload names one (an agenda item's link into another
    /// partnership); empty for the writer's tenant. The engine requires the writer to be able
    /// to read it before the store checks that the record exists.
    public var tenantID: String

    public init(field: String, kind: RecordKind, id: String, tenantID: String = "") {
      self.field = field
      self.kind = kind
      self.id = id
      self.tenantID = tenantID
    }
  }

  /// The kind.
  public let kind: RecordKind
  /// The least role that writes this kind.
  public let writeRole: Gongjian_V1_Role
  /// Whether records of this kind may be deleted.
  public let deletable: Bool
  private let prepareBody: @Sendable (Data, String, WriteContext) -> Prepared
  private let referencesBody: @Sendable (Data) -> [FieldReference]

  /// Creates a rule for a kind whose payload is `Payload`.
  ///
  /// - Parameters:
  ///   - kind: The registered kind.
  ///   - payload: The payload message type.
  ///   - writeRole: The least role that writes it.
  ///   - deletable: Whether records may be deleted.
  ///   - trim: Trims the payload's texts before validation (leading and trailing spaces).
  ///   - validate: The payload's violations, with paths relative to the payload.
  ///   - eventDates: The dates of things that happened, which may not lie beyond the server's
  ///     horizon (a signing in 2099 is a slip).
  ///   - normalize: Sets derived fields.
  ///   - uniqueKey: A key at most one live record per tenant may have.
  ///   - references: Records the payload refers to.
  ///   - transition: Violations of an update from the current payload to the new one.
  ///   - check: Violations given the writer, the current payload and the tenant's records.
  public init<Payload: SwiftProtobuf.Message & Sendable>(
    _ kind: RecordKind, payload: Payload.Type,
    writeRole: Gongjian_V1_Role = .contributor,
    deletable: Bool = true,
    trim: (@Sendable (inout Payload) -> Void)? = nil,
    validate: @escaping @Sendable (Payload) -> [GongjianError.FieldViolation],
    eventDates: (@Sendable (Payload) -> [(field: String, date: String)])? = nil,
    normalize: (@Sendable (inout Payload) -> Void)? = nil,
    uniqueKey: (@Sendable (Payload) -> String)? = nil,
    references: @escaping @Sendable (Payload) -> [FieldReference] = { _ in [] },
    transition: (@Sendable (_ current: Payload, _ new: Payload) -> [GongjianError.FieldViolation])? = nil,
    check: (@Sendable (WriteCheck<Payload>) -> [GongjianError.FieldViolation])? = nil
  ) {
    self.kind = kind
    self.writeRole = writeRole
    self.deletable = deletable
    let combined: (@Sendable (WriteCheck<Payload>) -> [GongjianError.FieldViolation])?
    if transition == nil && check == nil {
      combined = nil
    } else {
      combined = { input in
        var violations: [GongjianError.FieldViolation] = []
        if let transition, let current = input.current { violations += transition(current, input.new) }
        if let check { violations += check(input) }
        return violations
      }
    }
    self.referencesBody = { data in (try? Payload(serializedBytes: data)).map(references) ?? [] }
    self.prepareBody = { (data: Data, path: String, context: WriteContext) -> Prepared in
      Self.prepare(
        Payload.self, data: data, path: path, context: context, kind: kind, trim: trim, validate: validate,
        eventDates: eventDates, normalize: normalize, uniqueKey: uniqueKey, references: references, check: combined
      )
    }
  }

  private static func prepare<Payload: SwiftProtobuf.Message & Sendable>(
    _ type: Payload.Type, data: Data, path: String, context: WriteContext, kind: RecordKind,
    trim: (@Sendable (inout Payload) -> Void)?,
    validate: @Sendable (Payload) -> [GongjianError.FieldViolation],
    eventDates: (@Sendable (Payload) -> [(field: String, date: String)])?,
    normalize: (@Sendable (inout Payload) -> Void)?,
    uniqueKey: (@Sendable (Payload) -> String)?,
    references: @Sendable (Payload) -> [FieldReference],
    check: (@Sendable (WriteCheck<Payload>) -> [GongjianError.FieldViolation])?
  ) -> Prepared {
    @Sendable func prefixed(_ violations: [GongjianError.FieldViolation]) -> [GongjianError.FieldViolation] {
      violations.map { GongjianError.FieldViolation(field: "\(path).\($0.field)", description: $0.description) }
    }
    let decoded: Payload
    do {
      decoded = try Payload(serializedBytes: data)
    } catch {
      let violation = GongjianError.FieldViolation(field: path, description: "not a valid \(Payload.protoMessageName): \(error)")
      return Prepared(payload: data, violations: [violation], uniqueKey: nil, references: [], check: nil)
    }
    var message = decoded
    trim?(&message)
    var violations = prefixed(validate(message))
    for (field, date) in eventDates?(message) ?? [] where date > context.latestEventDate {
      violations += prefixed([.init(
        field: field,
        description: "\(date) is more than \(context.futureHorizonDays) days ahead (latest \(context.latestEventDate)); is the year mistyped?"
      )])
    }
    guard violations.isEmpty else {
      return Prepared(payload: data, violations: violations, uniqueKey: nil, references: [], check: nil)
    }
    normalize?(&message)
    // A payload that trimming and normalising left as it was is stored as sent: it decodes to the
    // same message, and encoding it again was a tenth of preparing a push.
    let normalized: Data = message.isEqualTo(message: decoded) ? data : (try? message.serializedBytes()) ?? data
    let new = message
    var storeCheck: (@Sendable (Data?, (String, String) -> Data?) -> [GongjianError.FieldViolation])?
    if let check {
      storeCheck = { (current: Data?, lookup: (String, String) -> Data?) -> [GongjianError.FieldViolation] in
        let old = current.flatMap { try? Payload(serializedBytes: $0) }
        return withoutActuallyEscaping(lookup) { lookup in
          prefixed(check(WriteCheck(current: old, new: new, context: context, lookup: lookup)))
        }
      }
    }
    let refs: [PushBatch.Reference] = references(message).filter { !$0.id.isEmpty }.map {
      PushBatch.Reference(
        kind: $0.kind.name, id: $0.id.lowercased(), field: "\(path).\($0.field)", tenantID: $0.tenantID.isEmpty ? nil : $0.tenantID
      )
    }
    let warnings = (context.ranges?.findings(kind: kind, payload: message) ?? []).map {
      let warning = PlausibleRanges.warning($0)
      return GongjianError.FieldViolation(field: "\(path).\(warning.field)", description: warning.description)
    }
    return Prepared(
      payload: normalized, violations: [], uniqueKey: uniqueKey?(message), references: refs, check: storeCheck, warnings: warnings
    )
  }

  /// Decodes, validates and normalises a serialized payload.
  ///
  /// - Parameters:
  ///   - data: The serialized payload.
  ///   - path: The payload's field path, prefixed to each violation.
  ///   - context: Who is writing.
  public func prepare(_ data: Data, at path: String, context: WriteContext) -> Prepared {
    self.prepareBody(data, path, context)
  }

  /// The records a stored payload refers to.
  public func references(in data: Data) -> [FieldReference] {
    self.referencesBody(data)
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
    CouncilRules.rule, MeetingRules.rule, AgendaItemRules.rule, DecisionRules.rule, ActionItemRules.rule,
    EvaluationCriterionRules.rule, ReferenceParkReportRules.rule, WeakVillageRules.rule, CadreExchangeRules.rule,
    PairingAgreementRules.rule,
  ])
}
