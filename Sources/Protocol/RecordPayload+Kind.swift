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
    self.init()
    switch kind {
    case RecordKind.park.name: self.park = try .init(serializedBytes: data)
    case RecordKind.indicatorReport.name: self.indicatorReport = try .init(serializedBytes: data)
    case RecordKind.transferredProject.name: self.transferredProject = try .init(serializedBytes: data)
    case RecordKind.exchangeActivity.name: self.exchangeActivity = try .init(serializedBytes: data)
    case RecordKind.assistancePlan.name: self.assistancePlan = try .init(serializedBytes: data)
    case RecordKind.revenueSharingAgreement.name: self.revenueSharingAgreement = try .init(serializedBytes: data)
    case RecordKind.target.name: self.target = try .init(serializedBytes: data)
    case RecordKind.council.name: self.council = try .init(serializedBytes: data)
    case RecordKind.meeting.name: self.meeting = try .init(serializedBytes: data)
    case RecordKind.agendaItem.name: self.agendaItem = try .init(serializedBytes: data)
    case RecordKind.decision.name: self.decision = try .init(serializedBytes: data)
    case RecordKind.actionItem.name: self.actionItem = try .init(serializedBytes: data)
    case RecordKind.evaluationCriterion.name: self.evaluationCriterion = try .init(serializedBytes: data)
    default: throw RecordKind.UnknownKind(name: kind)
    }
  }
}

extension RecordKind {
  /// A kind name that no registered kind has.
  public struct UnknownKind: Error, CustomStringConvertible {
    public var name: String
    public var description: String { "no record kind \(self.name)" }
  }
}
