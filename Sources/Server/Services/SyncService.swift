public import GongjianProtocol
public import GRPCCore

/// `gongjian.v1.Sync`: a thin layer over ``SyncEngine``.
public struct SyncService: Gongjian_V1_Sync.SimpleServiceProtocol {
  private let engine: SyncEngine

  /// Creates the service.
  public init(engine: SyncEngine) {
    self.engine = engine
  }

  public func push(request: Gongjian_V1_PushRequest, context: ServerContext) async throws -> Gongjian_V1_PushResponse {
    try await self.engine.push(request, caller: try context.caller)
  }

  public func pull(request: Gongjian_V1_PullRequest, context: ServerContext) async throws -> Gongjian_V1_PullResponse {
    try await self.engine.pull(request, caller: try context.caller)
  }

  public func subscribe(
    request: Gongjian_V1_SubscribeRequest,
    response: RPCWriter<Gongjian_V1_SubscribeResponse>,
    context: ServerContext
  ) async throws {
    try await self.engine.subscribe(request, caller: try context.caller) { event in
      try await response.write(event)
    }
  }

  public func getRecord(request: Gongjian_V1_GetRecordRequest, context: ServerContext) async throws -> Gongjian_V1_Record {
    try await self.engine.record(request, caller: try context.caller)
  }
}
