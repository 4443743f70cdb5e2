public import Foundation
public import SwiftProtobuf

/// A kind of record that the sync engine carries: the one declaration of everything the code
/// knows of a kind besides its server rules (`Sync/Validators/` of the server).
///
/// Each kind is declared once, in `Kinds/RecordKind+<Kind>.swift`, and listed in
/// ``RecordKind/all``: its wire name, its payload message and where that message sits in
/// `RecordPayload`, how a reader names it in each edition, the CLI's list columns, the Chinese
/// labels of its fields, which list filters apply to it, which integer fields plausible ranges
/// may name, and how the meeting packet names one record of it. Every per-kind list of the
/// server, the client, the CLI and the packet is read from here, so a new kind is its proto
/// message, this declaration, its rules file and its sample data.
public struct RecordKind: Sendable, Hashable, CustomStringConvertible {
  /// How a reader names a kind, in each edition of the packet and the CLI.
  public struct Label: Sendable, Equatable {
    public var chinese: String
    public var english: String

    public init(_ chinese: String, _ english: String) {
      self.chinese = chinese
      self.english = english
    }
  }

  /// The kind's name on the wire, e.g. `park`.
  public let name: String
  /// The payload's message type.
  public let messageType: any (SwiftProtobuf.Message & Sendable).Type
  /// The `google.protobuf.Any` type URL of this kind's payloads.
  public let typeURL: String
  /// How a reader names the kind: 园区 / park.
  public let label: Label
  /// The column names of ``summary(of:)``, as `gongjian list` heads them.
  public let columns: [String]
  /// Chinese labels of the payload's fields, with the unit where the field has one
  /// (`planned_investment_yuan` → `计划投资（元）`), as spreadsheets head their columns.
  public let fieldLabels: [String: String]

  private let extractBody: @Sendable (Gongjian_V1_RecordPayload) -> (any SwiftProtobuf.Message)?
  private let embedBody: @Sendable (inout Gongjian_V1_RecordPayload, Data) throws -> Void
  private let summaryBody: @Sendable (any SwiftProtobuf.Message) -> [String]
  private let filterBody: @Sendable (any SwiftProtobuf.Message, Gongjian_V1_ListRecordsRequest) -> Bool
  private let integersBody: @Sendable (any SwiftProtobuf.Message) -> [(field: String, value: Int64)]
  private let readerTitleBody: @Sendable (any SwiftProtobuf.Message, MeetingPacket) -> String

  /// Declares a kind whose payload is `Payload`.
  ///
  /// - Parameters:
  ///   - name: The wire name.
  ///   - payload: The payload message type.
  ///   - get: The payload when `RecordPayload`'s oneof holds this kind.
  ///   - set: Puts a payload of this kind into `RecordPayload`.
  ///   - label: How a reader names the kind.
  ///   - columns: The CLI's list columns.
  ///   - summary: One record's cells under `columns`.
  ///   - fieldLabels: Chinese labels of the payload's fields.
  ///   - filter: Whether a record passes a list request's filters (those that do not apply to
  ///     the kind are ignored).
  ///   - integers: The integer fields that plausible ranges may name, by field path.
  ///   - readerTitle: How the meeting packet names one record (after the kind's label).
  init<Payload: SwiftProtobuf.Message & Sendable>(
    _ name: String, _ payload: Payload.Type,
    get: @escaping @Sendable (Gongjian_V1_RecordPayload.OneOf_Kind) -> Payload?,
    set: @escaping @Sendable (inout Gongjian_V1_RecordPayload, Payload) -> Void,
    label: Label,
    columns: [String],
    summary: @escaping @Sendable (Payload) -> [String],
    fieldLabels: [String: String],
    filter: @escaping @Sendable (Payload, Gongjian_V1_ListRecordsRequest) -> Bool = { _, _ in true },
    integers: @escaping @Sendable (Payload) -> [(field: String, value: Int64)] = { _ in [] },
    readerTitle: @escaping @Sendable (Payload, MeetingPacket) -> String
  ) {
    self.name = name
    self.messageType = payload
    self.typeURL = "type.googleapis.com/" + Payload.protoMessageName
    self.label = label
    self.columns = columns
    self.fieldLabels = fieldLabels
    self.extractBody = { payload in payload.kind.flatMap(get) }
    self.embedBody = { payload, data in set(&payload, try Payload(serializedBytes: data)) }
    self.summaryBody = { message in (message as? Payload).map(summary) ?? [] }
    self.filterBody = { message, request in (message as? Payload).map { filter($0, request) } ?? false }
    self.integersBody = { message in (message as? Payload).map(integers) ?? [] }
    self.readerTitleBody = { message, packet in (message as? Payload).map { readerTitle($0, packet) } ?? "" }
  }

  public var description: String { self.name }

  public static func == (lhs: RecordKind, rhs: RecordKind) -> Bool {
    lhs.name == rhs.name
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(self.name)
  }

  /// The payload message of a `RecordPayload` holding this kind, else nil.
  public func message(in payload: Gongjian_V1_RecordPayload) -> (any SwiftProtobuf.Message)? {
    self.extractBody(payload)
  }

  /// Sets `payload`'s oneof to this kind's message decoded from `data`.
  ///
  /// - Throws: A decoding error for bytes that are not this kind's message.
  public func embed(_ data: Data, in payload: inout Gongjian_V1_RecordPayload) throws {
    try self.embedBody(&payload, data)
  }

  /// One record's cells under ``columns``.
  public func summary(of payload: any SwiftProtobuf.Message) -> [String] {
    self.summaryBody(payload)
  }

  /// Whether a payload of this kind passes every filter of a list request that applies to it.
  public func matches(_ payload: any SwiftProtobuf.Message, _ request: Gongjian_V1_ListRecordsRequest) -> Bool {
    self.filterBody(payload, request)
  }

  /// The integer fields of a payload that plausible ranges may name.
  public func integerFields(of payload: any SwiftProtobuf.Message) -> [(field: String, value: Int64)] {
    self.integersBody(payload)
  }

  /// How the meeting packet names one record: 苏宿工业园区, or a project with its status.
  func readerTitle(of payload: any SwiftProtobuf.Message, in packet: MeetingPacket) -> String {
    self.readerTitleBody(payload, packet)
  }

  /// The label in one language: `zh` or `en`.
  public func label(chinese: Bool) -> String {
    chinese ? self.label.chinese : self.label.english
  }
}

extension RecordKind {
  /// Every registered kind, in the order of `RecordPayload`'s fields.
  public static let all: [RecordKind] = [
    .park, .indicatorReport, .transferredProject, .exchangeActivity, .assistancePlan, .revenueSharingAgreement, .target,
    .council, .meeting, .agendaItem, .decision, .actionItem, .evaluationCriterion, .referenceParkReport,
    .weakVillage, .cadreExchange, .pairingAgreement,
  ]

  /// The registered kind with this name, if any.
  ///
  /// - Parameter name: A kind's wire name.
  public static func named(_ name: String) -> RecordKind? {
    Self.byName[name]
  }

  private static let byName = Dictionary(uniqueKeysWithValues: Self.all.map { ($0.name, $0) })

  /// The registered kind a `RecordPayload` holds, with its message; nil when none is set.
  public static func of(_ payload: Gongjian_V1_RecordPayload) -> (kind: RecordKind, message: any SwiftProtobuf.Message)? {
    for kind in Self.all {
      if let message = kind.message(in: payload) { return (kind, message) }
    }
    return nil
  }

  /// Packs a payload of this kind into a `google.protobuf.Any`.
  ///
  /// - Parameter payload: The serialized payload message.
  public func pack(serialized payload: Data) -> Google_Protobuf_Any {
    var any = Google_Protobuf_Any()
    any.typeURL = self.typeURL
    any.value = payload
    return any
  }
}
