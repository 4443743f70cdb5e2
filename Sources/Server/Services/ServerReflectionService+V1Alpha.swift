public import GongjianProtocol
internal import Foundation
public import GRPCCore
internal import SwiftProtobuf

/// `grpc.reflection.v1alpha.ServerReflection`, which older clients (grpcurl before 1.9, Python's
/// `grpcio-reflection` descriptor database) still ask for: the same messages on the wire as v1,
/// answered by ``ServerReflectionService``.
public struct ServerReflectionV1AlphaService: Grpc_Reflection_V1alpha_ServerReflection.SimpleServiceProtocol {
  private let v1: ServerReflectionService

  public init(services: [String]) {
    self.v1 = ServerReflectionService(services: services)
  }

  public func serverReflectionInfo(
    request: RPCAsyncSequence<Grpc_Reflection_V1alpha_ServerReflectionRequest, any Error>,
    response: RPCWriter<Grpc_Reflection_V1alpha_ServerReflectionResponse>,
    context: ServerContext
  ) async throws {
    for try await message in request {
      // The two versions share field numbers: the bytes of one parse as the other.
      let asV1 = try Grpc_Reflection_V1_ServerReflectionRequest(serializedBytes: try message.serializedBytes() as Data)
      let answer: Data = try self.v1.answer(asV1).serializedBytes()
      try await response.write(try Grpc_Reflection_V1alpha_ServerReflectionResponse(serializedBytes: answer))
    }
  }
}
