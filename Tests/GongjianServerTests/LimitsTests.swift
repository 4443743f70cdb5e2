import Foundation
import GongjianClient
import GongjianProtocol
import GongjianServer
import GRPCCore
import GRPCProtobuf
import Synchronization
import Testing

@Suite("Limits, deadlines and error details")
struct LimitsTests {
  static func credentials(_ directory: DataDirectory, _ office: String) throws -> ClientCredentials {
    try ClientCredentials(folder: directory.officeCredentialsURL(office).path)
  }

  @Test("An oversized request is refused with RESOURCE_EXHAUSTED and the server keeps serving")
  func oversizedRequest() async throws {
    try await MutualTLSTests.withServer(configure: { $0.limits.maxRequestBytes = 16 * 1024 }) { address, directory, _ in
      try await GongjianClient.withClient(server: address, credentials: try Self.credentials(directory, "suqian.commerce")) { client in
        let head = try await client.pull(tenantID: "sip-suqian", cursor: 0, pageSize: 1).checkpoint.headSequence
        // 30 KB of payload: over the 16 KiB limit, under the transport's hard cap (twice that).
        let big = (0..<3).map { _ in putPark(newID(), base: 0, name: String(repeating: "园", count: 3_300)) }
        let error = await #expect(throws: GongjianClientError.self) {
          try await client.push(tenantID: "sip-suqian", clientID: "big", mutations: big)
        }
        #expect(error?.kind == .rejected)
        #expect(error?.code == .resourceExhausted)
        #expect(error?.message.contains("too large or too many: mutations: payloads total") == true, "\(error?.message ?? "")")
        // Over the push's message limit (16 KiB + 1 MiB for envelopes) the stream guard answers
        // from the length prefix, before decoding; the connection survives.
        let huge = [putPark(newID(), base: 0, name: String(repeating: "园", count: 400_000))]
        let refused = await #expect(throws: GongjianClientError.self) {
          try await client.push(tenantID: "sip-suqian", clientID: "big", mutations: huge)
        }
        #expect(refused?.message.contains("exceeds the limit of 1064960 bytes for /gongjian.v1.Sync/Push") == true, "\(refused?.message ?? "")")
        // Nothing was stored, and the connection still serves.
        let page = try await client.pull(tenantID: "sip-suqian", cursor: 0, pageSize: 1)
        #expect(page.checkpoint.headSequence == head)
      }
    }
  }

  @Test("A deadline ends a call: the subscription stops and the client sees DEADLINE_EXCEEDED")
  func deadline() async throws {
    try await MutualTLSTests.withServer { address, directory, _ in
      try await GongjianClient.withClient(server: address, credentials: try Self.credentials(directory, "suqian.finance")) { client in
        let started = ContinuousClock.now
        let error = await #expect(throws: GongjianClientError.self) {
          try await client.withTimeout(.milliseconds(500)).subscribe(tenantID: "sip-suqian", cursor: 0) { _ in true }
        }
        #expect(error?.kind == .connection)
        #expect(error?.code == .deadlineExceeded)
        #expect(error?.message.contains("did not answer in time") == true, "\(error?.message ?? "")")
        #expect(ContinuousClock.now - started < .seconds(5))
        let me = try await client.whoAmI()
        #expect(me.office.id == "suqian.finance")
      }
    }
  }

  @Test("A slow subscriber stalls neither the writers nor other subscribers")
  func slowSubscriber() async throws {
    try await MutualTLSTests.withServer { address, directory, _ in
      let reader = try Self.credentials(directory, "suqian.finance")
      let writer = try Self.credentials(directory, "suqian.commerce")
      try await withThrowingTaskGroup(of: Void.self) { group in
        let slowSeen = Counter()
        group.addTask {
          try? await GongjianClient.withClient(server: address, credentials: reader) { client in
            try await client.subscribe(tenantID: "sip-suqian", cursor: 0) { event in
              slowSeen.add(event.changes.records.count)
              try await Task.sleep(for: .seconds(30))  // never keeps up
              return true
            }
          }
        }
        try await MutualTLSTests.waitUntil("the slow subscriber subscribed") { slowSeen.value > 0 }
        let head = try await GongjianClient.withClient(server: address, credentials: reader) { client in
          try await client.pull(tenantID: "sip-suqian", cursor: 0, pageSize: 1).checkpoint.headSequence
        }
        let total = 300
        let fastSeen = try await withThrowingTaskGroup(of: Int.self) { inner in
          inner.addTask {
            try await GongjianClient.withClient(server: address, credentials: reader) { client in
              let seen = Counter()
              try await client.subscribe(tenantID: "sip-suqian", cursor: head) { event in
                seen.add(event.changes.records.count)
                return seen.value < total
              }
              return seen.value
            }
          }
          inner.addTask {
            try await GongjianClient.withClient(server: address, credentials: writer) { client in
              for batch in 0..<(total / 10) {
                let mutations = (0..<10).map { n in putPark(newID(), base: 0, name: "p\(batch)-\(n)") }
                _ = try await client.push(tenantID: "sip-suqian", clientID: "writer", mutations: mutations)
              }
            }
            return -1
          }
          return try await inner.reduce(0) { max($0, $1) }
        }
        #expect(fastSeen == total)
        #expect(slowSeen.value < total)
        group.cancelAll()
      }
    }
  }

  @Test("Field violations travel as google.rpc.BadRequest details as well as in the message")
  func badRequestDetails() async throws {
    try await Harness.with { h in
      let error = await #expect(throws: RPCError.self) {
        try await h.admin.createTenant(.with { $0.id = "Bad Id"; $0.name = "" }, metadata: office("suqian.drc"))
      }
      let status = try #require(try error?.unpackGoogleRPCStatus())
      let fields = status.details.compactMap { $0.badRequest?.violations.map(\.field) }
      #expect(fields == [["id", "name"]])
    }
  }
}

/// A shared counter for tests.
final class Counter: Sendable {
  private let atomic = Atomic<Int>(0)
  var value: Int { self.atomic.load(ordering: .relaxed) }
  func add(_ n: Int) { self.atomic.add(n, ordering: .relaxed) }
}
