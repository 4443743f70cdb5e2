public import Foundation
public import SwiftProtobuf

/// A kind of record that the sync engine carries, with the protobuf message of its payload.
///
/// Kinds are registered in ``RecordKind/all``; the server adds a validator for each, clients use
/// the message type to encode and decode payloads (in JSON for the CLI).
public struct RecordKind: Sendable, Hashable, CustomStringConvertible {
  /// The kind's name on the wire, e.g. `park`.
  public let name: String
  /// The payload's message type.
  public let messageType: any (SwiftProtobuf.Message & Sendable).Type

  /// Creates a kind.
  ///
  /// - Parameters:
  ///   - name: The kind's wire name.
  ///   - messageType: The payload's protobuf message type.
  public init(name: String, messageType: any (SwiftProtobuf.Message & Sendable).Type) {
    self.name = name
    self.messageType = messageType
    self.typeURL = "type.googleapis.com/" + messageType.protoMessageName
  }

  /// The `google.protobuf.Any` type URL of this kind's payloads.
  public let typeURL: String

  public var description: String { self.name }

  public static func == (lhs: RecordKind, rhs: RecordKind) -> Bool {
    lhs.name == rhs.name
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(self.name)
  }
}

extension RecordKind {
  /// A park's profile (`Gongjian_V1_Park`).
  public static let park = RecordKind(name: "park", messageType: Gongjian_V1_Park.self)
  /// A park's indicator figures for a period (`Gongjian_V1_IndicatorReport`).
  public static let indicatorReport = RecordKind(name: "indicator_report", messageType: Gongjian_V1_IndicatorReport.self)
  /// A project transferred from Suzhou (`Gongjian_V1_TransferredProject`).
  public static let transferredProject = RecordKind(name: "transferred_project", messageType: Gongjian_V1_TransferredProject.self)
  /// An exchange activity (`Gongjian_V1_ExchangeActivity`).
  public static let exchangeActivity = RecordKind(name: "exchange_activity", messageType: Gongjian_V1_ExchangeActivity.self)
  /// An assistance plan for a weak village (`Gongjian_V1_AssistancePlan`).
  public static let assistancePlan = RecordKind(name: "assistance_plan", messageType: Gongjian_V1_AssistancePlan.self)
  /// A revenue-sharing agreement (`Gongjian_V1_RevenueSharingAgreement`).
  public static let revenueSharingAgreement = RecordKind(
    name: "revenue_sharing_agreement", messageType: Gongjian_V1_RevenueSharingAgreement.self
  )
  /// A yearly target (`Gongjian_V1_Target`).
  public static let target = RecordKind(name: "target", messageType: Gongjian_V1_Target.self)

  /// A joint coordination council (`Gongjian_V1_Council`).
  public static let council = RecordKind(name: "council", messageType: Gongjian_V1_Council.self)
  /// A council meeting (`Gongjian_V1_Meeting`).
  public static let meeting = RecordKind(name: "meeting", messageType: Gongjian_V1_Meeting.self)
  /// An agenda item (`Gongjian_V1_AgendaItem`).
  public static let agendaItem = RecordKind(name: "agenda_item", messageType: Gongjian_V1_AgendaItem.self)
  /// A decision on an agenda item (`Gongjian_V1_Decision`).
  public static let decision = RecordKind(name: "decision", messageType: Gongjian_V1_Decision.self)
  /// An action item from a decision (`Gongjian_V1_ActionItem`).
  public static let actionItem = RecordKind(name: "action_item", messageType: Gongjian_V1_ActionItem.self)
  /// The weight of a criterion of the annual evaluation (`Gongjian_V1_EvaluationCriterion`).
  public static let evaluationCriterion = RecordKind(name: "evaluation_criterion", messageType: Gongjian_V1_EvaluationCriterion.self)

  /// Every registered kind.
  public static let all: [RecordKind] = [
    .park, .indicatorReport, .transferredProject, .exchangeActivity, .assistancePlan, .revenueSharingAgreement, .target,
    .council, .meeting, .agendaItem, .decision, .actionItem, .evaluationCriterion,
  ]

  /// The registered kind with this name, if any.
  ///
  /// - Parameter name: A kind's wire name.
  public static func named(_ name: String) -> RecordKind? {
    Self.byName[name]
  }

  private static let byName = Dictionary(uniqueKeysWithValues: Self.all.map { ($0.name, $0) })

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
