public import GongjianProtocol
public import GRPCCore
internal import GRPCProtobuf

/// `gongjian.v1.Sync`: a thin layer over ``SyncEngine``.
///
/// It registers its methods itself rather than through the generated service protocol, so that
/// `Subscribe` sends ``SubscribeFrame``s: changes the hub encoded once for all subscribers go out
/// as bytes, not re-encoded for each of them.
public struct SyncService: RegistrableRPCService {
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
    response: RPCWriter<SubscribeFrame>,
    context: ServerContext
  ) async throws {
    try await self.engine.subscribe(request, caller: try context.caller) { frame in
      try await response.write(frame)
    }
  }

  public func getRecord(request: Gongjian_V1_GetRecordRequest, context: ServerContext) async throws -> Gongjian_V1_Record {
    try await self.engine.record(request, caller: try context.caller)
  }

  public func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    router.registerHandler(
      forMethod: Gongjian_V1_Sync.Method.Push.descriptor,
      deserializer: ProtobufDeserializer<Gongjian_V1_PushRequest>(),
      serializer: ProtobufSerializer<Gongjian_V1_PushResponse>()
    ) { request, context in
      StreamingServerResponse(single: ServerResponse(message: try await self.push(request: try await ServerRequest(stream: request).message, context: context)))
    }
    router.registerHandler(
      forMethod: Gongjian_V1_Sync.Method.Pull.descriptor,
      deserializer: ProtobufDeserializer<Gongjian_V1_PullRequest>(),
      serializer: ProtobufSerializer<Gongjian_V1_PullResponse>()
    ) { request, context in
      StreamingServerResponse(single: ServerResponse(message: try await self.pull(request: try await ServerRequest(stream: request).message, context: context)))
    }
    router.registerHandler(
      forMethod: Gongjian_V1_Sync.Method.Subscribe.descriptor,
      deserializer: ProtobufDeserializer<Gongjian_V1_SubscribeRequest>(),
      serializer: SubscribeFrameSerializer()
    ) { request, context in
      let message = try await ServerRequest(stream: request).message
      return StreamingServerResponse { writer in
        try await self.subscribe(request: message, response: writer, context: context)
        return [:]
      }
    }
    router.registerHandler(
      forMethod: Gongjian_V1_Sync.Method.GetRecord.descriptor,
      deserializer: ProtobufDeserializer<Gongjian_V1_GetRecordRequest>(),
      serializer: ProtobufSerializer<Gongjian_V1_Record>()
    ) { request, context in
      StreamingServerResponse(single: ServerResponse(message: try await self.getRecord(request: try await ServerRequest(stream: request).message, context: context)))
    }
  }
}
