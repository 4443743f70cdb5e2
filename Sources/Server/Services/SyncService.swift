public import GongjianProtocol
public import GRPCCore
internal import GRPCProtobuf
internal import SwiftProtobuf

/// `gongjian.v1.Sync`: a thin layer over ``SyncEngine``.
///
/// It registers its methods itself rather than through the generated service protocol, so that
/// `Subscribe` and `Pull` send ``WireFrame``s: changes the hub encoded once for all subscribers
/// go out as bytes, not re-encoded for each of them, and a pulled page is written straight from
/// the store's rows.
public struct SyncService: RegistrableRPCService {
  private let engine: SyncEngine

  /// Creates the service.
  public init(engine: SyncEngine) {
    self.engine = engine
  }

  public func push(request: Gongjian_V1_PushRequest, context: ServerContext) async throws -> Gongjian_V1_PushResponse {
    try await self.engine.push(request, caller: try context.caller)
  }

  public func pull(request: Gongjian_V1_PullRequest, context: ServerContext) async throws -> PullFrame {
    try await self.engine.pullFrame(request, caller: try context.caller)
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

  /// `Subscribe` with its frames handed to `send`, and its stream to the change hub for live
  /// changes (the lean path).
  func subscribe(
    request: Gongjian_V1_SubscribeRequest, context: ServerContext, stream: any LiveStream,
    send: @escaping @Sendable (SubscribeFrame) async throws -> Void
  ) async throws {
    try await self.engine.subscribe(request, caller: try context.caller, stream: stream, send: send)
  }

  public func getRecord(request: Gongjian_V1_GetRecordRequest, context: ServerContext) async throws -> Gongjian_V1_Record {
    try await self.engine.record(request, caller: try context.caller)
  }

  public func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    Self.unary(Gongjian_V1_Sync.Method.Push.descriptor, with: &router, self.push)
    router.registerHandler(
      forMethod: Gongjian_V1_Sync.Method.Pull.descriptor,
      deserializer: ProtobufDeserializer<Gongjian_V1_PullRequest>(),
      serializer: WireFrameSerializer<Gongjian_V1_PullResponse>()
    ) { request, context in
      StreamingServerResponse(single: ServerResponse(message: try await self.pull(request: try await ServerRequest(stream: request).message, context: context)))
    }
    Self.unary(Gongjian_V1_Sync.Method.GetRecord.descriptor, with: &router, self.getRecord)
    router.registerHandler(
      forMethod: Gongjian_V1_Sync.Method.Subscribe.descriptor,
      deserializer: ProtobufDeserializer<Gongjian_V1_SubscribeRequest>(),
      serializer: WireFrameSerializer<Gongjian_V1_SubscribeResponse>()
    ) { request, context in
      let message = try await ServerRequest(stream: request).message
      return StreamingServerResponse { writer in
        try await self.subscribe(request: message, response: writer, context: context)
        return [:]
      }
    }
  }

  /// Registers a unary method with protobuf coding, as the generated code would.
  private static func unary<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message, Transport: ServerTransport>(
    _ descriptor: MethodDescriptor, with router: inout RPCRouter<Transport>,
    _ handler: @escaping @Sendable (Input, ServerContext) async throws -> Output
  ) {
    router.registerHandler(
      forMethod: descriptor, deserializer: ProtobufDeserializer<Input>(), serializer: ProtobufSerializer<Output>()
    ) { request, context in
      StreamingServerResponse(single: ServerResponse(message: try await handler(try await ServerRequest(stream: request).message, context)))
    }
  }
}
