import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf

/// A bare grpc-swift-2 peer for `bench/run`: `helloworld.Greeter/SayHello` with
/// `google.protobuf.StringValue` in and out, the same wire as the grpc-go greeter in
/// `bench/peers/greeter-go`. No interceptors, no authentication, no storage: what the stack
/// itself costs per RPC, to compare with Gongjian's own RPCs and with grpc-go.
struct Greeter: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "greeter",
    abstract: "Serve helloworld.Greeter/SayHello on grpc-swift-2 (TLS with a server certificate, or plaintext h2c)."
  )
  @Option(help: "HOST:PORT; port 0 picks one.") var listen = "127.0.0.1:0"
  @Option(help: "Server certificate (PEM); omit both for plaintext.") var cert: String?
  @Option(help: "Server key (PEM).") var key: String?

  func run() async throws {
    let parts = self.listen.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--listen must be HOST:PORT") }
    let security: HTTP2ServerTransport.Posix.TransportSecurity
    switch (self.cert, self.key) {
    case let (cert?, key?):
      security = .tls(certificateChain: [.file(path: cert, format: .pem)], privateKey: .file(path: key, format: .pem))
    case (nil, nil):
      security = .plaintext
    default:
      throw ValidationError("--cert and --key go together")
    }
    let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: String(parts[0]), port: port), transportSecurity: security)
    let server = GRPCServer(transport: transport, services: [GreeterService()])
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await server.serve() }
      if let bound = try await transport.listeningAddress.ipv4 {
        FileHandle.standardOutput.write(Data("listening on \(bound.host):\(bound.port)\n".utf8))
      }
      try await group.waitForAll()
    }
  }
}

struct GreeterService: RegistrableRPCService {
  static let sayHello = MethodDescriptor(fullyQualifiedService: "helloworld.Greeter", method: "SayHello")

  func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    router.registerHandler(
      forMethod: Self.sayHello,
      deserializer: ProtobufDeserializer<Google_Protobuf_StringValue>(),
      serializer: ProtobufSerializer<Google_Protobuf_StringValue>()
    ) { request, _ in
      let name = try await request.messages.reduce(into: "") { $0 = $1.value }
      return StreamingServerResponse(single: ServerResponse(message: Google_Protobuf_StringValue("Hello " + name)))
    }
  }
}
