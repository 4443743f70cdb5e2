internal import Foundation
internal import GongjianProtocol
internal import SwiftProtobuf

extension Gongjian_V1_RecordPayload {
  /// The payload's kind and serialized message.
  ///
  /// - Throws: `invalidArgument` naming `payload` when no kind is set.
  func kindAndBytes() throws -> (RecordKind, Data) {
    switch self.kind {
    case .park(let m): (.park, try m.serializedBytes())
    case .indicatorReport(let m): (.indicatorReport, try m.serializedBytes())
    case .transferredProject(let m): (.transferredProject, try m.serializedBytes())
    case .exchangeActivity(let m): (.exchangeActivity, try m.serializedBytes())
    case .assistancePlan(let m): (.assistancePlan, try m.serializedBytes())
    case .revenueSharingAgreement(let m): (.revenueSharingAgreement, try m.serializedBytes())
    case .target(let m): (.target, try m.serializedBytes())
    case .council(let m): (.council, try m.serializedBytes())
    case .meeting(let m): (.meeting, try m.serializedBytes())
    case .agendaItem(let m): (.agendaItem, try m.serializedBytes())
    case .decision(let m): (.decision, try m.serializedBytes())
    case .actionItem(let m): (.actionItem, try m.serializedBytes())
    case .evaluationCriterion(let m): (.evaluationCriterion, try m.serializedBytes())
    case nil: throw GongjianError.invalidField("payload", "set one of: \(RecordKind.all.map(\.name).joined(separator: ", "))")
    }
  }
}

extension StoredRecord {
  /// The record with its typed payload.
  func typed() throws -> Gongjian_V1_TypedRecord {
    let payload = try Gongjian_V1_RecordPayload(kind: self.kind, data: self.payload)
    return .with {
      $0.tenantID = self.tenantID
      $0.kind = self.kind
      $0.id = self.id
      $0.version = self.version
      $0.sequence = self.sequence
      $0.officeID = self.officeID
      $0.updatedAt = Google_Protobuf_Timestamp(date: self.updatedAt)
      $0.payload = payload
    }
  }
}
