internal import GongjianProtocol
internal import GRPCCore
internal import SwiftProtobuf

/// A method served on the lean path (unary, server-streaming or bidirectional): the request's
/// bytes decoded into the generated message type, the service's own method called, the
/// response encoded, with no GRPCCore executor, interceptor chain or generic writers in between.
///
/// The lean path exists because GRPCCore's per-call machinery (generic executors and writers
/// instantiated at run time, a task group and async sequences per call) cost several times
/// grpc-go's whole server for one unary call (docs/DESIGN.md, "A lean server path").
struct LeanMethod: Sendable {
  /// What a call of the method receives: the one message of a unary or server-streaming
  /// request, or a bidirectional stream's messages as they arrive.
  enum Request: Sendable {
    case message([UInt8])
    case messages(AsyncThrowingStream<[UInt8], any Error>)
  }

  /// The method, as GRPCCore names it.
  let descriptor: MethodDescriptor
  /// Whether the client streams its messages (the method starts with the headers) or sends
  /// one (the method starts once the client has ended its side).
  let streamsRequests: Bool
  /// Decodes the request, admits it (given the tenant it names), runs the method and returns
  /// the encoded response of a unary method, or sends a streaming method's responses on the
  /// stream and returns nil.
  let run:
    @Sendable (
      _ request: Request, _ context: ServerContext, _ admit: (_ tenant: String?) throws -> Void, _ responses: LeanResponseStream
    ) async throws -> [UInt8]?
  /// Answers a unary call on the event loop, without a task, when that needs no waiting (what
  /// the method needs is cached); returns nil, having admitted nothing, when it cannot.
  var immediate: (@Sendable (_ request: [UInt8], _ caller: Caller, _ admit: (_ tenant: String?) throws -> Void) throws -> [UInt8]?)?

  init(
    descriptor: MethodDescriptor,
    streamsRequests: Bool = false,
    immediate: (@Sendable (_ request: [UInt8], _ caller: Caller, _ admit: (_ tenant: String?) throws -> Void) throws -> [UInt8]?)? = nil,
    run: @escaping @Sendable (
      _ request: Request, _ context: ServerContext, _ admit: (_ tenant: String?) throws -> Void, _ responses: LeanResponseStream
    ) async throws -> [UInt8]?
  ) {
    self.descriptor = descriptor
    self.streamsRequests = streamsRequests
    self.immediate = immediate
    self.run = run
  }

  /// The one message of a unary or server-streaming request.
  private static func single(_ request: Request) throws -> [UInt8] {
    guard case .message(let bytes) = request else {
      throw RPCError(code: .internalError, message: "A streamed request to a method that takes one message.")
    }
    return bytes
  }

  /// Decodes a request, as GRPCCore's `ProtobufDeserializer` would, and admits it.
  private static func decode<Input: SwiftProtobuf.Message>(
    _ bytes: [UInt8], admit: (_ tenant: String?) throws -> Void
  ) throws -> Input {
    let input: Input = try Self.decode(bytes)
    try admit((input as? any TenantScoped)?.tenantID)
    return input
  }

  private static func decode<Input: SwiftProtobuf.Message>(_ bytes: [UInt8]) throws -> Input {
    do {
      return try Input(serializedBytes: bytes)
    } catch {
      // The words ProtobufDeserializer uses on GRPCCore's path.
      throw RPCError(code: .invalidArgument, message: "Can't deserialize to message of type \(Input.self).", cause: error)
    }
  }

  /// Encodes a response with `encode`, failing as GRPCCore's serializers do.
  private static func encode<Output>(_ output: Output, _ encode: (Output) throws -> [UInt8]) throws -> [UInt8] {
    try Self.encoding(Output.self) { try encode(output) }
  }

  /// Runs `body`, which encodes an `Output`, failing as GRPCCore's serializers do.
  private static func encoding<Output, Encoded>(_: Output.Type, _ body: () throws -> Encoded) throws -> Encoded {
    do {
      return try body()
    } catch {
      throw RPCError(code: .internalError, message: "Can't serialize message of type \(Output.self).", cause: error)
    }
  }

  /// A unary method.
  ///
  /// - Parameters:
  ///   - descriptor: The method.
  ///   - encode: Writes the response's wire bytes.
  ///   - handler: The service's implementation.
  static func unary<Input: SwiftProtobuf.Message, Output>(
    _ descriptor: MethodDescriptor, encode: @escaping @Sendable (Output) throws -> [UInt8],
    _ handler: @escaping @Sendable (Input, ServerContext) async throws -> Output
  ) -> LeanMethod {
    LeanMethod(descriptor: descriptor) { request, context, admit, _ in
      let input: Input = try Self.decode(try Self.single(request), admit: admit)
      return try Self.encode(try await handler(input, context), encode)
    }
  }

  /// A unary method whose response is a protobuf message.
  static func unary<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
    _ descriptor: MethodDescriptor, _ handler: @escaping @Sendable (Input, ServerContext) async throws -> Output
  ) -> LeanMethod {
    Self.unary(descriptor, encode: { try $0.serializedBytes() }, handler)
  }

  /// A unary method that can often answer from what is cached, without waiting.
  ///
  /// - Parameter immediately: The answer from the cache (a message, or its bytes as the
  ///   cache keeps them), or nil when it must wait for `handler`.
  static func unary<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
    _ descriptor: MethodDescriptor, _ handler: @escaping @Sendable (Input, ServerContext) async throws -> Output,
    immediately: @escaping @Sendable (Input, Caller) throws -> WireFrame<Output>?
  ) -> LeanMethod {
    var method = Self.unary(descriptor, handler)
    method.immediate = { bytes, caller, admit in
      let input: Input = try Self.decode(bytes)
      guard let output = try Self.encoding(Output.self, { try immediately(input, caller).map(Self.wireBytes) }) else { return nil }
      try admit((input as? any TenantScoped)?.tenantID)
      return output
    }
    return method
  }

  /// A unary method whose response is a ``WireFrame``: pre-encoded bytes go out as they are.
  static func unary<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
    _ descriptor: MethodDescriptor, _ handler: @escaping @Sendable (Input, ServerContext) async throws -> WireFrame<Output>
  ) -> LeanMethod {
    Self.unary(descriptor, encode: Self.wireBytes, handler)
  }

  /// A server-streaming method whose responses are ``WireFrame``s, sent as the handler hands
  /// them over: each written to the stream from the handler's task, without waiting for the
  /// event loop unless the stream is full. The handler also gets the stream itself, for the
  /// change hub to write to (``LiveStream``).
  static func serverStreaming<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
    _ descriptor: MethodDescriptor,
    _ handler: @escaping @Sendable (
      Input, ServerContext, _ stream: any LiveStream, _ send: @escaping @Sendable (WireFrame<Output>) async throws -> Void
    ) async throws -> Void
  ) -> LeanMethod {
    LeanMethod(descriptor: descriptor) { request, context, admit, responses in
      let input: Input = try Self.decode(try Self.single(request), admit: admit)
      try await handler(input, context, responses.live) { frame in
        try await responses.send(try Self.encode(frame, Self.wireBytes))
      }
      return nil
    }
  }

  /// A server-streaming method written against GRPCCore's `RPCWriter` (health's `Watch`).
  static func serverStreaming<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
    _ descriptor: MethodDescriptor,
    _ handler: @escaping @Sendable (Input, RPCWriter<Output>, ServerContext) async throws -> Void
  ) -> LeanMethod {
    LeanMethod(descriptor: descriptor) { request, context, admit, responses in
      let input: Input = try Self.decode(try Self.single(request), admit: admit)
      try await handler(input, RPCWriter(wrapping: Writer(responses: responses)), context)
      return nil
    }
  }

  /// A bidirectional-streaming method (reflection): it starts with the headers and reads the
  /// client's messages as they arrive.
  static func bidirectionalStreaming<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
    _ descriptor: MethodDescriptor,
    _ handler: @escaping @Sendable (RPCAsyncSequence<Input, any Error>, RPCWriter<Output>, ServerContext) async throws -> Void
  ) -> LeanMethod {
    LeanMethod(descriptor: descriptor, streamsRequests: true) { request, context, admit, responses in
      guard case .messages(let messages) = request else {
        throw RPCError(code: .internalError, message: "One message to a method that streams its requests.")
      }
      // Health and reflection name no tenant: the office's quota is charged at the start.
      try admit(nil)
      let requests = RPCAsyncSequence<Input, any Error>(wrapping: messages.map { bytes throws -> Input in try Self.decode(bytes) })
      try await handler(requests, RPCWriter(wrapping: Writer(responses: responses)), context)
      return nil
    }
  }

  /// Encodes each response and sends it on the call's stream.
  private struct Writer<Output: SwiftProtobuf.Message>: RPCWriterProtocol {
    let responses: LeanResponseStream

    func write(_ element: Output) async throws {
      try await self.responses.send(try LeanMethod.encode(element, { try $0.serializedBytes() }))
    }

    func write(contentsOf elements: some Sequence<Output>) async throws {
      for element in elements { try await self.write(element) }
    }
  }

  @Sendable private static func wireBytes<Output: SwiftProtobuf.Message>(_ frame: WireFrame<Output>) throws -> [UInt8] {
    switch frame {
    case .encoded(let bytes): return bytes
    case .message(let message): return try message.serializedBytes()
    }
  }
}
