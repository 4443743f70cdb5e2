public import GongjianProtocol
public import GRPCCore
internal import Foundation
internal import SwiftProtobuf

/// `gongjian.v1.Records`: typed calls over the partnership records, each a thin layer over the
/// sync engine's one write path (so the feed, audit and idempotency apply unchanged).
public struct RecordsService: Gongjian_V1_Records.SimpleServiceProtocol {
  private let engine: SyncEngine
  private let store: any GongjianStore
  private let authorizer: Authorizer

  /// Creates the service.
  public init(engine: SyncEngine, store: any GongjianStore, authorizer: Authorizer) {
    self.engine = engine
    self.store = store
    self.authorizer = authorizer
  }

  public func create(request: Gongjian_V1_CreateRecordRequest, context: ServerContext) async throws -> Gongjian_V1_TypedRecord {
    let id = request.id.isEmpty ? UUID().uuidString.lowercased() : request.id
    return try await self.write(
      tenantID: request.tenantID, id: id, baseVersion: 0, payload: request.payload,
      requestID: request.requestID, caller: try context.caller
    )
  }

  public func update(request: Gongjian_V1_UpdateRecordRequest, context: ServerContext) async throws -> Gongjian_V1_TypedRecord {
    guard request.baseVersion > 0 else {
      throw GongjianError.invalidField("base_version", "required: the version you are updating (use Create for new records)")
    }
    return try await self.write(
      tenantID: request.tenantID, id: request.id, baseVersion: request.baseVersion, payload: request.payload,
      requestID: request.requestID, caller: try context.caller
    )
  }

  public func get(request: Gongjian_V1_GetTypedRecordRequest, context: ServerContext) async throws -> Gongjian_V1_TypedRecord {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: try context.caller, action: "get")
    guard let record = try await self.store.record(tenantID: request.tenantID, kind: request.kind, id: request.id.lowercased()),
      !record.deleted
    else {
      throw GongjianError(.notFound, "no \(request.kind) record \(request.id) in tenant \(request.tenantID)")
    }
    return try record.typed()
  }

  public func list(request: Gongjian_V1_ListRecordsRequest, context: ServerContext) async throws -> Gongjian_V1_ListRecordsResponse {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: try context.caller, action: "list")
    guard RecordKind.named(request.kind) != nil else {
      throw GongjianError.invalidField("kind", "one of \(RecordKind.all.map(\.name).joined(separator: ", ")) (got '\(request.kind)')")
    }
    let pageSize = request.pageSize == 0 ? 100 : Int(request.pageSize)
    guard pageSize <= 1000 else { throw GongjianError.invalidField("page_size", "at most 1000 (got \(request.pageSize))") }
    let offset: Int
    if request.pageToken.isEmpty {
      offset = 0
    } else if let value = Int(request.pageToken), value >= 0 {
      offset = value
    } else {
      throw GongjianError.invalidField("page_token", "not a token from a previous page")
    }
    let matching = try await self.store.liveRecords(tenantID: request.tenantID, kind: request.kind)
      .map { try $0.typed() }
      .filter { RecordFilter(request).matches($0.payload) }
    let page = matching.dropFirst(offset).prefix(pageSize)
    return .with {
      $0.records = Array(page)
      $0.total = UInt32(matching.count)
      $0.nextPageToken = offset + page.count < matching.count ? String(offset + page.count) : ""
    }
  }

  public func delete(request: Gongjian_V1_DeleteRecordRequest, context: ServerContext) async throws -> Gongjian_V1_DeleteRecordResponse {
    let mutation = Gongjian_V1_Mutation.with {
      $0.mutationID = request.requestID.isEmpty ? UUID().uuidString : request.requestID
      $0.kind = request.kind
      $0.recordID = request.id
      $0.baseVersion = request.baseVersion
      $0.delete = true
    }
    let applied = try await self.apply(mutation, tenantID: request.tenantID, caller: try context.caller)
    return .with {
      $0.version = applied.version
      $0.sequence = applied.sequence
    }
  }

  private func write(
    tenantID: String, id: String, baseVersion: UInt64, payload: Gongjian_V1_RecordPayload, requestID: String, caller: Caller
  ) async throws -> Gongjian_V1_TypedRecord {
    let (kind, data) = try payload.kindAndBytes()
    let mutation = Gongjian_V1_Mutation.with {
      $0.mutationID = requestID.isEmpty ? UUID().uuidString : requestID
      $0.kind = kind.name
      $0.recordID = id
      $0.baseVersion = baseVersion
      $0.payload = kind.pack(serialized: Array(data))
    }
    let applied = try await self.apply(mutation, tenantID: tenantID, caller: caller)
    guard let record = try await self.store.record(tenantID: tenantID, kind: kind.name, id: id.lowercased()) else {
      throw GongjianError(.internalError, "record \(id) vanished after write")
    }
    _ = applied
    return try record.typed()
  }

  /// Pushes one mutation through the write path and turns a non-applied answer into an error.
  private func apply(_ mutation: Gongjian_V1_Mutation, tenantID: String, caller: Caller) async throws -> Gongjian_V1_MutationResult.Applied {
    let response = try await self.engine.push(
      .with {
        $0.tenantID = tenantID
        $0.clientID = "rpc:\(caller.office.id)"
        $0.mutations = [mutation]
      },
      caller: caller
    )
    guard let result = response.results.first else { throw GongjianError(.internalError, "no answer for the mutation") }
    switch result.outcome {
    case .applied(let applied):
      return applied
    case .conflict(let conflict):
      throw GongjianError(.aborted, conflict.message)
    case .rejected(let rejected):
      let code: GongjianError.Code =
        switch rejected.code {
        case 7: .permissionDenied
        case 9: .failedPrecondition
        default: .invalidArgument
        }
      let violations = rejected.violations.map {
        // Typed calls have one mutation: name fields from the payload, not from the push.
        GongjianError.FieldViolation(
          field: $0.field.replacingOccurrences(of: "mutations[0].", with: ""), description: $0.description_p
        )
      }
      let list = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
      throw GongjianError(code, "invalid \(mutation.kind): \(list)", violations: violations)
    case nil:
      throw GongjianError(.internalError, "empty answer for the mutation")
    }
  }
}

/// The filters of a list request.
struct RecordFilter {
  let request: Gongjian_V1_ListRecordsRequest

  init(_ request: Gongjian_V1_ListRecordsRequest) {
    self.request = request
  }

  func matches(_ payload: Gongjian_V1_RecordPayload) -> Bool {
    let r = self.request
    switch payload.kind {
    case .indicatorReport(let report):
      return (r.parkID.isEmpty || report.parkID == r.parkID.lowercased())
        && (r.year == 0 || report.period.year == r.year)
        && (r.quarter == 0 || report.period.quarter == r.quarter)
    case .transferredProject(let project):
      return (r.parkID.isEmpty || project.hostParkID.lowercased() == r.parkID.lowercased())
        && (r.year == 0 || Self.year(project.signedOn.isEmpty ? project.leadOn : project.signedOn) == r.year)
        && (r.status == .unspecified || project.status == r.status)
    case .exchangeActivity(let activity):
      return (r.parkID.isEmpty || activity.parkID.lowercased() == r.parkID.lowercased())
        && (r.year == 0 || Self.year(activity.heldOn) == r.year)
        && (r.type == .unspecified || activity.type == r.type)
    case .assistancePlan(let plan):
      return r.year == 0 || plan.year == r.year
    case .revenueSharingAgreement(let agreement):
      return r.parkID.isEmpty || agreement.parkID.lowercased() == r.parkID.lowercased()
    case .target(let target):
      return r.year == 0 || target.year == r.year || target.year == 0
    case .meeting(let meeting):
      return r.year == 0 || Self.year(meeting.heldOn) == r.year
    case .park, .council, .agendaItem, .decision, .actionItem, nil:
      return true
    }
  }

  /// The year of a `YYYY-MM-DD` date, or 0.
  static func year(_ date: String) -> Int32 {
    Int32(date.prefix(4)) ?? 0
  }
}
