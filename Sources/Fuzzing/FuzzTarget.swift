public import Foundation
internal import Dispatch
internal import GongjianClient
internal import GongjianProtocol
internal import GongjianServer
internal import Logging
internal import SwiftProtobuf
internal import Synchronization

/// The fuzz targets: each takes one input and traps (which libFuzzer reports as a crash) when an
/// invariant does not hold. `gongjian-fuzz` runs them under libFuzzer (`dev/fuzz.sh`) and replays
/// the committed corpus in the tests.
public enum FuzzTarget: String, CaseIterable, Sendable {
  /// Every RPC's request message decodes, or is refused, and what decodes re-encodes to the same.
  case requests
  /// Each kind's validation and normalisation: no crash, violations name the payload's fields,
  /// normalising a valid payload again changes nothing, the workflow checks run.
  case payloads
  /// The CLI's JSON and YAML readers: no crash; every refusal is a usage error.
  case documents
  /// The subscription frames the hub encodes once decode to what SwiftProtobuf builds, byte for
  /// byte when a cursor is set.
  case frames
  /// A push through the sync engine on a real store: one answer per mutation, a replay answers
  /// the same, sequences and the checksum of the live records stay consistent.
  case push

  /// Runs one input.
  public func run(_ data: Data) {
    switch self {
    case .requests: Self.requests(data)
    case .payloads: Self.payloads(data)
    case .documents: Self.documents(data)
    case .frames: Self.frames(data)
    case .push: PushTarget.shared.run(data)
    }
  }

  /// Every request message of the schema, in a fixed order (the first input byte picks one).
  static let requestTypes: [any SwiftProtobuf.Message.Type] = [
    Gongjian_V1_WhoAmIRequest.self, Gongjian_V1_PushRequest.self, Gongjian_V1_PullRequest.self,
    Gongjian_V1_SubscribeRequest.self, Gongjian_V1_GetRecordRequest.self, Gongjian_V1_CreateTenantRequest.self,
    Gongjian_V1_ListTenantsRequest.self, Gongjian_V1_PutOfficeRequest.self, Gongjian_V1_ListOfficesRequest.self,
    Gongjian_V1_SetMembershipRequest.self, Gongjian_V1_RemoveMembershipRequest.self, Gongjian_V1_ListMembershipsRequest.self,
    Gongjian_V1_ListCertificatesRequest.self, Gongjian_V1_RevokeCertificateRequest.self, Gongjian_V1_CreateRecordRequest.self,
    Gongjian_V1_UpdateRecordRequest.self, Gongjian_V1_GetTypedRecordRequest.self, Gongjian_V1_ListRecordsRequest.self,
    Gongjian_V1_DeleteRecordRequest.self, Gongjian_V1_TargetsReportRequest.self, Gongjian_V1_FlagshipRequest.self,
    Gongjian_V1_EvaluationRequest.self, Gongjian_V1_CreateMeetingRequest.self, Gongjian_V1_ListMeetingsRequest.self,
    Gongjian_V1_SetMeetingStatusRequest.self, Gongjian_V1_GetAgendaRequest.self, Gongjian_V1_ProposeRequest.self,
    Gongjian_V1_AgendaActionRequest.self, Gongjian_V1_OrderRequest.self, Gongjian_V1_DecideRequest.self,
    Gongjian_V1_ListActionsRequest.self, Gongjian_V1_UpdateActionRequest.self, Gongjian_V1_UploadAttachmentRequest.self,
    Gongjian_V1_PreparePacketRequest.self,
  ]

  private static func requests(_ data: Data) {
    guard let selector = data.first else { return }
    let type = Self.requestTypes[Int(selector) % Self.requestTypes.count]
    guard let message = try? type.init(serializedBytes: data.dropFirst()) else { return }
    let encoded: Data
    do {
      encoded = try message.serializedBytes()
    } catch {
      preconditionFailure("\(type) decoded but does not encode: \(error)")
    }
    guard let again = try? type.init(serializedBytes: encoded), again.isEqualTo(message: message) else {
      preconditionFailure("\(type) does not survive a round trip")
    }
  }

  private static func payloads(_ data: Data) {
    guard let selector = data.first else { return }
    let kind = RecordKind.all[Int(selector) % RecordKind.all.count]
    guard let rule = KindRegistry.standard[kind.name] else { preconditionFailure("no rule for \(kind.name)") }
    let context = KindRule.WriteContext(officeID: "suqian.drc", side: .suqian, role: .admin)
    let prepared = rule.prepare(Data(data.dropFirst()), at: "payload", context: context)
    for violation in prepared.violations {
      precondition(violation.field.hasPrefix("payload"), "violation outside the payload: \(violation.field)")
      precondition(!violation.description.isEmpty, "a violation without a description at \(violation.field)")
    }
    _ = rule.references(in: prepared.payload)
    guard prepared.violations.isEmpty else { return }
    let again = rule.prepare(prepared.payload, at: "payload", context: context)
    precondition(again.violations.isEmpty, "a normalised \(kind.name) is refused: \(again.violations)")
    precondition(again.payload == prepared.payload, "normalising a \(kind.name) twice changes it")
    precondition(again.uniqueKey == prepared.uniqueKey, "the unique key of a \(kind.name) changes when normalised again")
    // The workflow checks, as for a record created in an empty tenant and as an update of itself.
    _ = prepared.check?(nil) { _, _ in nil }
    _ = prepared.check?(prepared.payload) { _, _ in prepared.payload }
  }

  private static func documents(_ data: Data) {
    guard let selector = data.first else { return }
    let format: DocumentReader.Format = selector & 1 == 0 ? .json : .yaml
    let items: [Any]
    do {
      items = try DocumentReader.items(Data(data.dropFirst()), format: format, source: "fuzz")
    } catch {
      Self.requireUsage(error)
      return
    }
    for (index, item) in items.prefix(50).enumerated() {
      do {
        let mutation = try MutationDocument.mutation(item, at: "fuzz: mutation \(index + 1)")
        precondition(RecordKind.named(mutation.kind) != nil && !mutation.mutationID.isEmpty, "an incomplete mutation was read")
      } catch {
        Self.requireUsage(error)
      }
    }
  }

  private static func requireUsage(_ error: any Error) {
    guard let error = error as? GongjianClientError, error.kind == .usage, error.message.hasPrefix("fuzz") else {
      preconditionFailure("a document error that is not a usage error naming the source: \(error)")
    }
  }

  private static func frames(_ data: Data) {
    guard var batch = try? Gongjian_V1_ChangeBatch(serializedBytes: data), !batch.records.isEmpty else { return }
    // The hub builds batches from records only: fields of the batch it does not know play no part.
    batch.unknownFields = UnknownStorage()
    let changes: [ChangeHub.Change]
    do {
      changes = try batch.records.map { ChangeHub.Change(sequence: $0.sequence, recordsField: try SubscribeFrame.recordsField($0)) }
    } catch {
      return
    }
    guard case .encoded(let bytes) = SubscribeFrame.changes(changes[...], cursor: batch.cursor) else {
      preconditionFailure("changes were not pre-encoded")
    }
    let built = Gongjian_V1_SubscribeResponse.with { $0.changes = batch }
    guard let decoded = try? Gongjian_V1_SubscribeResponse(serializedBytes: bytes), decoded == built else {
      preconditionFailure("a pre-encoded frame does not decode to the batch")
    }
    if batch.cursor != 0 {
      // SwiftProtobuf leaves out a zero cursor; otherwise the encodings are the same bytes.
      precondition((try? built.serializedBytes() as [UInt8]) == bytes, "a pre-encoded frame differs from SwiftProtobuf's")
    }
  }
}
