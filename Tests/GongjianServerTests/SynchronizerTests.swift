import Foundation
import GongjianClient
import GongjianProtocol
import GongjianServer
import GRDB
import Synchronization
import Testing

@Suite("The client's synchronizer against a real server over mutual TLS")
struct SynchronizerTests {
  @Test("A first sync verifies the checksum; a damaged mirror is refetched and reported")
  func checksumMismatchRefetches() async throws {
    try await MutualTLSTests.withServer { address, directory, _ in
      try await withTemporaryDirectory { folder in
        let mirror = try Mirror(path: folder.appendingPathComponent("mirror.sqlite").path)
        let synchronizer = Synchronizer(mirror: mirror, configuration: .defaults)
        let credentials = try LimitsTests.credentials(directory, "suqian.commerce")
        let first = try await GongjianClient.withClient(server: address, credentials: credentials) { client in
          try await synchronizer.sync(client: client, tenantIDs: ["sip-suqian"], officeID: "suqian.commerce")
        }
        #expect(first[0].verification == .matched && first[0].refetched == nil && first[0].pulled > 0)

        // Lose a row behind the mirror's back (a restored backup, a disk fault).
        let queue = try DatabaseQueue(path: mirror.path)
        try await queue.write { db in
          try db.execute(sql: "DELETE FROM record WHERE id = (SELECT id FROM record WHERE deleted = 0 LIMIT 1)")
        }
        try queue.close()
        let second = try await GongjianClient.withClient(server: address, credentials: credentials) { client in
          try await synchronizer.sync(client: client, tenantIDs: ["sip-suqian"], officeID: "suqian.commerce")
        }
        #expect(second[0].verification == .matched)
        #expect(second[0].refetched?.contains("checksum mismatch") == true, "\(second[0].refetched ?? "nil")")
        #expect(second[0].pulled == first[0].pulled)
        let status = try #require(try mirror.status(tenantID: "sip-suqian").first)
        #expect(status.verified == true && status.note.contains("refetched"))
      }
    }
  }

  @Test("Pages written in several transactions while the next ones are fetched arrive whole and in order", arguments: [1, 7, 1000])
  func pipelinedFirstSync(recordsPerTransaction: Int) async throws {
    try await MutualTLSTests.withServer { address, directory, _ in
      try await withTemporaryDirectory { folder in
        let credentials = try LimitsTests.credentials(directory, "suqian.commerce")
        // Updates make later pages hold newer versions of records of earlier ones.
        let ids = (0..<30).map { _ in newID() }
        try await GongjianClient.withClient(server: address, credentials: credentials) { client in
          _ = try await client.push(tenantID: "sip-suqian", clientID: "pipeline", mutations: ids.enumerated().map { putPark($1, base: 0, name: "流水线园区\($0)") })
          _ = try await client.push(tenantID: "sip-suqian", clientID: "pipeline", mutations: ids.prefix(10).enumerated().map { putPark($1, base: 1, name: "流水线园区\($0)改") })
        }
        let mirror = try Mirror(path: folder.appendingPathComponent("mirror.sqlite").path)
        var configuration = Synchronizer.Configuration.defaults
        configuration.pageSize = 3
        configuration.recordsPerTransaction = recordsPerTransaction
        let pages = Mutex<[UInt64]>([])
        let result = try await GongjianClient.withClient(server: address, credentials: credentials) { client in
          try await Synchronizer(mirror: mirror, configuration: configuration).pull(client: client, tenantID: "sip-suqian") { _, cursor, _ in
            pages.withLock { $0.append(cursor) }
          }
        }
        #expect(result.verification == .matched)
        let cursors = pages.withLock { $0 }
        #expect(cursors == cursors.sorted())
        // One transaction per batch: a batch larger than the tenant is one.
        #expect(recordsPerTransaction >= 1000 ? cursors.count == 1 : cursors.count > 1)
        let status = try #require(try mirror.status(tenantID: "sip-suqian").first)
        #expect(status.cursor == status.head && status.verified == true)
      }
    }
  }

  @Test("A move's writes are pushed alone and all or nothing; other writes go on")
  func movesPushedAtomically() async throws {
    try await MutualTLSTests.withServer { address, directory, _ in
      try await withTemporaryDirectory { folder in
        let mirror = try Mirror(path: folder.appendingPathComponent("mirror.sqlite").path)
        func park(_ name: String, kind: String = "park") -> Gongjian_V1_Mutation {
          var mutation = putPark(newID(), base: 0, name: name)
          mutation.kind = kind
          return mutation
        }
        // A move whose second write is refused, then a write of its own, then a move that is fine.
        let failing = [park("原子一"), park("原子二", kind: "no_such_kind")]
        let alone = park("单独写入")
        let fine = [park("原子三"), park("原子四")]
        try mirror.enqueue(failing, tenantID: "sip-suqian", atomic: true)
        try mirror.enqueue([alone], tenantID: "sip-suqian")
        try mirror.enqueue(fine, tenantID: "sip-suqian", atomic: true)
        #expect(try mirror.pending(tenantID: "sip-suqian").map(\.group) == [failing[0].mutationID, failing[0].mutationID, nil, fine[0].mutationID, fine[0].mutationID])
        let credentials = try LimitsTests.credentials(directory, "suqian.commerce")
        let tally = try await GongjianClient.withClient(server: address, credentials: credentials) { client in
          try await Synchronizer(mirror: mirror).push(client: client, tenantID: "sip-suqian", officeID: "suqian.commerce")
        }
        #expect(tally.applied == 3 && tally.rejected == 2)
        let open = try mirror.unresolved(tenantID: "sip-suqian")
        #expect(open.map(\.mutationID) == failing.map(\.mutationID))
        #expect(open[0].message == "not applied: this push is atomic and mutations[1] was not applied")
        let synced = try await GongjianClient.withClient(server: address, credentials: credentials) { client in
          try await Synchronizer(mirror: mirror).sync(client: client, tenantIDs: ["sip-suqian"], officeID: "suqian.commerce")
        }
        #expect(synced[0].verification == .matched)
        #expect(try mirror.record(tenantID: "sip-suqian", kind: "park", id: failing[0].recordID) == nil)
        for mutation in [alone] + fine {
          #expect(try mirror.record(tenantID: "sip-suqian", kind: "park", id: mutation.recordID)?.version == 1)
        }
      }
    }
  }

  @Test("An unreachable server leaves the writes queued with their ids and counts the attempts")
  func unreachableKeepsTheOutbox() async throws {
    try await withTemporaryDirectory { folder in
      try await MutualTLSTests.withServer { _, directory, _ in
        let mirror = try Mirror(path: folder.appendingPathComponent("mirror.sqlite").path)
        let mutation = MutationDocument.mutation(
          kind: "park", id: UUID().uuidString.lowercased(), baseVersion: 0,
          payload: try Gongjian_V1_Park.with { $0.name = "离线" }.serializedBytes()
        )
        try mirror.enqueue([mutation], tenantID: "sip-suqian")
        var configuration = Synchronizer.Configuration.defaults
        configuration.retry = RetryPolicy(attempts: 3, initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(20), jitter: 0.5)
        let synchronizer = Synchronizer(mirror: mirror, configuration: configuration)
        let error = await #expect(throws: GongjianClientError.self) {
          try await GongjianClient.withClient(server: "127.0.0.1:1", credentials: try LimitsTests.credentials(directory, "suqian.commerce")) { client in
            _ = try await synchronizer.push(client: client, tenantID: "sip-suqian", officeID: "suqian.commerce")
          }
        }
        #expect(error?.kind == .connection)
        let pending = try mirror.pending(tenantID: "sip-suqian")
        #expect(pending.count == 1 && pending[0].mutationID == mutation.mutationID && pending[0].attempts == 3)
      }
    }
  }
}
