public import GongjianProtocol
internal import Foundation
public import GRPCCore
internal import SwiftProtobuf

/// `grpc.reflection.v1.ServerReflection`: lists the services and serves the schema's file
/// descriptors (with their dependencies), so that a generic client (grpcurl, Postman, Python's
/// reflection client) discovers and calls Gongjian without its proto files. Like every call on
/// the mutual-TLS port, it needs an authenticated office.
public struct ServerReflectionService: Grpc_Reflection_V1_ServerReflection.SimpleServiceProtocol {
  /// The schema, indexed: files by name and the file that defines each symbol.
  struct Index: Sendable {
    var files: [String: Google_Protobuf_FileDescriptorProto] = [:]
    var serialized: [String: Data] = [:]
    var fileOfSymbol: [String: String] = [:]
    var services: [String] = []
  }

  private let index: Index

  /// Creates the service over the schema embedded in `GongjianProtocol`.
  ///
  /// - Parameter services: The full names of the services the server registers.
  public init(services: [String]) {
    self.index = Self.makeIndex(services: services)
  }

  static func makeIndex(services: [String]) -> Index {
    var index = Index()
    index.services = services.sorted()
    guard let set = try? Google_Protobuf_FileDescriptorSet(serializedBytes: ProtoSchema.fileDescriptorSet) else { return index }
    for file in set.file {
      index.files[file.name] = file
      index.serialized[file.name] = try? file.serializedBytes()
      let prefix = file.package.isEmpty ? "" : file.package + "."
      func addMessage(_ message: Google_Protobuf_DescriptorProto, _ scope: String) {
        let name = scope + message.name
        index.fileOfSymbol[name] = file.name
        for nested in message.nestedType { addMessage(nested, name + ".") }
        for nested in message.enumType { index.fileOfSymbol[name + "." + nested.name] = file.name }
        for field in message.field { index.fileOfSymbol[name + "." + field.name] = file.name }
      }
      for message in file.messageType { addMessage(message, prefix) }
      for enumeration in file.enumType {
        index.fileOfSymbol[prefix + enumeration.name] = file.name
        for value in enumeration.value { index.fileOfSymbol[prefix + value.name] = file.name }
      }
      for service in file.service {
        index.fileOfSymbol[prefix + service.name] = file.name
        for method in service.method { index.fileOfSymbol[prefix + service.name + "." + method.name] = file.name }
      }
    }
    return index
  }

  /// A file and every file it imports, the file first.
  func descriptors(of name: String) -> [Data] {
    var seen: [String] = []
    func visit(_ name: String) {
      guard !seen.contains(name), let file = self.index.files[name] else { return }
      seen.append(name)
      for dependency in file.dependency { visit(dependency) }
    }
    visit(name)
    return seen.compactMap { self.index.serialized[$0] }
  }

  /// The answer to one request.
  func answer(_ request: Grpc_Reflection_V1_ServerReflectionRequest) -> Grpc_Reflection_V1_ServerReflectionResponse {
    var response = Grpc_Reflection_V1_ServerReflectionResponse()
    response.validHost = request.host
    response.originalRequest = request
    func notFound(_ message: String) {
      response.errorResponse = .with {
        $0.errorCode = Int32(RPCError.Code.notFound.rawValue)
        $0.errorMessage = message
      }
    }
    switch request.messageRequest {
    case .listServices:
      response.listServicesResponse = .with { $0.service = self.index.services.map { name in .with { $0.name = name } } }
    case .fileByFilename(let name):
      if self.index.files[name] != nil {
        response.fileDescriptorResponse = .with { $0.fileDescriptorProto = self.descriptors(of: name) }
      } else {
        notFound("file_by_filename: no file \(name)")
      }
    case .fileContainingSymbol(let symbol):
      if let file = self.index.fileOfSymbol[symbol] {
        response.fileDescriptorResponse = .with { $0.fileDescriptorProto = self.descriptors(of: file) }
      } else {
        notFound("file_containing_symbol: no symbol \(symbol)")
      }
    case .fileContainingExtension(let request):
      // The schema defines no extensions.
      notFound("file_containing_extension: no extension \(request.extensionNumber) of \(request.containingType)")
    case .allExtensionNumbersOfType(let type):
      if self.index.fileOfSymbol[type] != nil {
        response.allExtensionNumbersResponse = .with { $0.baseTypeName = type }
      } else {
        notFound("all_extension_numbers_of_type: no type \(type)")
      }
    case nil:
      response.errorResponse = .with {
        $0.errorCode = Int32(RPCError.Code.invalidArgument.rawValue)
        $0.errorMessage = "message_request: required"
      }
    }
    return response
  }

  public func serverReflectionInfo(
    request: RPCAsyncSequence<Grpc_Reflection_V1_ServerReflectionRequest, any Error>,
    response: RPCWriter<Grpc_Reflection_V1_ServerReflectionResponse>,
    context: ServerContext
  ) async throws {
    for try await message in request {
      try await response.write(self.answer(message))
    }
  }
}
