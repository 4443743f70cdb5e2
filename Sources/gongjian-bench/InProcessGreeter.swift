import ArgumentParser
import Foundation
import GRPCCore
import GRPCInProcessTransport
import GRPCProtobuf
import SwiftProtobuf

/// `gongjian-bench inprocess-greeter`: the bare greeter's unary RPC through GRPCCore over the
/// in-process transport, client and server in this process: GRPCCore's own cost per RPC with no
/// HTTP/2, no TLS and no sockets (issue 12's first measurement, to choose where to cut).
struct InProcessGreeter: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inprocess-greeter", abstract: "Unary SayHello through GRPCCore over the in-process transport."
  )
  @Option(help: "RPCs to time (after 2,000 to warm up).") var rpcs = 200_000
  @Option(help: "Concurrent callers.") var concurrency = 16

  func run() async throws {
    let transport = InProcessTransport()
    let server = GRPCServer(transport: transport.server, services: [GreeterService()])
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await server.serve() }
      try await withGRPCClient(transport: transport.client) { client in
        @Sendable func call() async throws {
          let reply = try await client.unary(
            request: ClientRequest(message: Google_Protobuf_StringValue("bench")), descriptor: GreeterService.sayHello,
            serializer: ProtobufSerializer<Google_Protobuf_StringValue>(),
            deserializer: ProtobufDeserializer<Google_Protobuf_StringValue>(), options: .defaults
          ) { try $0.message }
          guard reply.value == "Hello bench" else { throw ValidationError("unexpected reply \(reply.value)") }
        }
        for _ in 0..<2_000 { try await call() }
        let perCaller = max(1, self.rpcs / self.concurrency)
        let cpuStart = processCPUSeconds()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { callers in
          for _ in 0..<self.concurrency {
            callers.addTask { for _ in 0..<perCaller { try await call() } }
          }
          try await callers.waitForAll()
        }
        let seconds = micros(ContinuousClock.now - start) / 1e6
        let cpu = processCPUSeconds() - cpuStart
        let total = perCaller * self.concurrency
        emit([
          "scenario": "inprocess_greeter", "rpcs": total, "concurrency": self.concurrency, "seconds": seconds,
          "rpcs_per_s": Double(total) / seconds, "cpu_us_per_rpc": cpu / Double(total) * 1e6,
        ])
      }
      server.beginGracefulShutdown()
      try await group.waitForAll()
    }
  }
}
