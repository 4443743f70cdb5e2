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
  /// Decodes the request, admits it (given the tenant it names), runs the method and encodes
  /// the response.
  let run:
    @Sendable (_ request: [UInt8], _ context: ServerContext, _ admit: (_ tenant: String?) throws -> Void) async throws -> [UInt8]

  /// A method whose request and response are protobuf messages.
  ///
  /// - Parameters:
  ///   - descriptor: The method.
  ///   - encode: Writes the response's wire bytes.
  ///   - handler: The service's implementation.
  static func unary<Input: SwiftProtobuf.Message, Output>(
    _ descriptor: MethodDescriptor, encode: @escaping @Sendable (Output) throws -> [UInt8],
    _ handler: @escaping @Sendable (Input, ServerContext) async throws -> Output
  ) -> LeanMethod {
    LeanMethod(descriptor: descriptor) { bytes, context, admit in
      let input: Input
      do {
        input = try Input(serializedBytes: bytes)
      } catch {
        // The words ProtobufDeserializer uses on GRPCCore's path.
        throw RPCError(code: .invalidArgument, message: "Can't deserialize to message of type \(Input.self).", cause: error)
      }
      try admit((input as? any TenantScoped)?.tenantID)
      let output = try await handler(input, context)
      do {
        return try encode(output)
      } catch {
        throw RPCError(code: .internalError, message: "Can't serialize message of type \(Output.self).", cause: error)
      }
    }
  }

  /// A method whose response is a protobuf message.
  static func unary<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
    _ descriptor: MethodDescriptor, _ handler: @escaping @Sendable (Input, ServerContext) async throws -> Output
  ) -> LeanMethod {
    Self.unary(descriptor, encode: { try $0.serializedBytes() }, handler)
  }

  /// A method whose response is a ``WireFrame``: pre-encoded bytes go out as they are.
  static func unary<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
    _ descriptor: MethodDescriptor, _ handler: @escaping @Sendable (Input, ServerContext) async throws -> WireFrame<Output>
  ) -> LeanMethod {
    Self.unary(descriptor, encode: { frame in
      switch frame {
      case .encoded(let bytes): return bytes
      case .message(let message): return try message.serializedBytes()
      }
    }, handler)
  }
}
