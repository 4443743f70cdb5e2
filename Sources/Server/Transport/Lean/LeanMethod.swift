internal import GongjianProtocol
internal import GRPCCore
internal import SwiftProtobuf

/// A unary method served on the lean path: the request's bytes decoded into the generated
/// message type, the service's own method called, the response encoded, with no GRPCCore
/// executor, interceptor chain or async sequences in between.
///
/// The lean path exists because GRPCCore's per-call machinery (generic executors and writers
/// instantiated at run time, a task group and async sequences per call) cost several times
/// grpc-go's whole server for one unary call (docs/DESIGN.md, "A lean server path").
struct LeanMethod: Sendable {
  /// The method, as GRPCCore names it.
  let descriptor: MethodDescriptor
  /// Decodes the request, admits it (given the tenant it names), runs the method and returns
  /// the encoded response of a unary method, or sends a server-streaming method's responses on
  /// the stream and returns nil.
  let run:
    @Sendable (
      _ request: [UInt8], _ context: ServerContext, _ admit: (_ tenant: String?) throws -> Void, _ responses: LeanResponseStream
    ) async throws -> [UInt8]?
  /// Answers a unary call on the event loop, without a task, when that needs no waiting (what
  /// the method needs is cached); returns nil, having admitted nothing, when it cannot.
  var immediate: (@Sendable (_ request: [UInt8], _ caller: Caller, _ admit: (_ tenant: String?) throws -> Void) throws -> [UInt8]?)?

  init(
    descriptor: MethodDescriptor,
    immediate: (@Sendable (_ request: [UInt8], _ caller: Caller, _ admit: (_ tenant: String?) throws -> Void) throws -> [UInt8]?)? = nil,
    run: @escaping @Sendable (
      _ request: [UInt8], _ context: ServerContext, _ admit: (_ tenant: String?) throws -> Void, _ responses: LeanResponseStream
    ) async throws -> [UInt8]?
  ) {
    self.descriptor = descriptor
    self.immediate = immediate
    self.run = run
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
    do {
      return try encode(output)
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
    LeanMethod(descriptor: descriptor) { bytes, context, admit, _ in
      let input: Input = try Self.decode(bytes, admit: admit)
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
  /// - Parameter immediately: The answer from the cache, or nil when it must wait for
  ///   `handler`.
  static func unary<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
    _ descriptor: MethodDescriptor, _ handler: @escaping @Sendable (Input, ServerContext) async throws -> Output,
    immediately: @escaping @Sendable (Input, Caller) -> Output?
  ) -> LeanMethod {
    var method = Self.unary(descriptor, handler)
    method.immediate = { bytes, caller, admit in
      let input: Input = try Self.decode(bytes)
      guard let output = immediately(input, caller) else { return nil }
      try admit((input as? any TenantScoped)?.tenantID)
      return try Self.encode(output, { try $0.serializedBytes() })
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
  /// event loop unless the stream is full.
  static func serverStreaming<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
    _ descriptor: MethodDescriptor,
    _ handler: @escaping @Sendable (Input, ServerContext, _ send: @escaping @Sendable (WireFrame<Output>) async throws -> Void) async throws -> Void
  ) -> LeanMethod {
    LeanMethod(descriptor: descriptor) { bytes, context, admit, responses in
      let input: Input = try Self.decode(bytes, admit: admit)
      try await handler(input, context) { frame in
        try await responses.send(try Self.encode(frame, Self.wireBytes))
      }
      return nil
    }
  }

  @Sendable private static func wireBytes<Output: SwiftProtobuf.Message>(_ frame: WireFrame<Output>) throws -> [UInt8] {
    switch frame {
    case .encoded(let bytes): return bytes
    case .message(let message): return try message.serializedBytes()
    }
  }
}
