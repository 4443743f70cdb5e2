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
    let id = request.id.isEmpty ? RecordID.make() : request.id
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
    guard let kind = RecordKind.named(request.kind) else {
      throw GongjianError.invalidField("kind", "one of \(RecordKind.all.map(\.name).joined(separator: ", ")) (got '\(request.kind)')")
    }
    let record = try await TypedWriter(engine: self.engine, store: self.store).write(
      .init(kind: kind, id: request.id, baseVersion: request.baseVersion, payload: nil, requestID: request.requestID),
      tenantID: request.tenantID, caller: try context.caller
    )
    return .with {
      $0.version = record.version
      $0.sequence = record.sequence
    }
  }

  private func write(
    tenantID: String, id: String, baseVersion: UInt64, payload: Gongjian_V1_RecordPayload, requestID: String, caller: Caller
  ) async throws -> Gongjian_V1_TypedRecord {
    // Encoded once, as it arrived; the write path decodes and validates it.
    let (kind, data) = try payload.kindAndBytes()
    guard let written = try await TypedWriter(engine: self.engine, store: self.store).written(
      [.init(kind: kind, id: id, baseVersion: baseVersion, serialized: data, requestID: requestID)], tenantID: tenantID, caller: caller
    ).first else {
      throw GongjianError(.internalError, "\(kind.name) \(id) vanished after the write")
    }
    var typed = try written.record.typed()
    typed.warnings = written.warnings
    return typed
  }
}
