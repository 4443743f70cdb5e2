public import GongjianProtocol
public import GRPCCore
internal import Foundation

/// `gongjian.v1.Audit`: a tenant's audit entries and signed checkpoints of its chain, for its
/// members and the overseers, so that either side verifies the chain itself.
public struct AuditService: Gongjian_V1_Audit.SimpleServiceProtocol {
  private let store: any GongjianStore
  private let authorizer: Authorizer
  private let signer: AuditSigner?

  /// Creates the service; without a signer, checkpoints are refused (UNAVAILABLE).
  public init(store: any GongjianStore, authorizer: Authorizer, signer: AuditSigner?) {
    self.store = store
    self.authorizer = authorizer
    self.signer = signer
  }

  public func listEntries(request: Gongjian_V1_ListAuditEntriesRequest, context: ServerContext) async throws -> Gongjian_V1_ListAuditEntriesResponse {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: try context.caller, action: "read the audit trail")
    let limit = request.pageSize == 0 ? 1000 : Int(request.pageSize)
    guard limit <= 10_000 else { throw GongjianError.invalidField("page_size", "at most 10000 (got \(request.pageSize))") }
    guard request.after >= 0 else { throw GongjianError.invalidField("after", "0 or more (got \(request.after))") }
    let entries = try await self.store.auditEntries(tenantID: request.tenantID, after: request.after, limit: limit + 1)
    return .with {
      $0.entries = Array(entries.prefix(limit))
      $0.more = entries.count > limit
    }
  }

  public func signCheckpoint(request: Gongjian_V1_AuditCheckpointRequest, context: ServerContext) async throws -> Gongjian_V1_AuditCheckpoint {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: try context.caller, action: "read the audit trail")
    guard let signer = self.signer else { throw GongjianError(.unavailable, "this server has no key to sign checkpoints with") }
    let head = try await self.store.auditHead(tenantID: request.tenantID)
    return try signer.sign(tenantID: request.tenantID, count: head.count, head: head.hash)
  }

  public func listCheckpoints(request: Gongjian_V1_AuditCheckpointRequest, context: ServerContext) async throws -> Gongjian_V1_ListAuditCheckpointsResponse {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: try context.caller, action: "read the audit trail")
    let checkpoints = try await self.store.auditCheckpoints(tenantID: request.tenantID)
    return .with { $0.checkpoints = checkpoints }
  }

  /// Signs and keeps a checkpoint of every tenant whose chain moved since its last one.
  public static func signAll(store: any GongjianStore, signer: AuditSigner) async throws -> Int {
    var signed = 0
    for tenant in try await store.tenants() {
      let head = try await store.auditHead(tenantID: tenant.id)
      let last = try await store.auditCheckpoints(tenantID: tenant.id).last
      guard head.count > 0, last?.count != head.count else { continue }
      try await store.saveAuditCheckpoint(try signer.sign(tenantID: tenant.id, count: head.count, head: head.hash))
      signed += 1
    }
    return signed
  }
}
