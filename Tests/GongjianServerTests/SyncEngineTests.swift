import Foundation
import GongjianProtocol
import GongjianServer
import GRPCCore
import Testing

@Suite("Sync engine over the in-process transport")
struct SyncEngineTests {
  @Test("A replayed mutation returns the first answer and changes nothing")
  func replayIsIdempotent() async throws {
    try await Harness.with { h in
      let id = newID()
      let request = pushRequest("sip-suqian", [putPark(id, base: 0, name: "苏宿工业园区", mutationID: "m-1")])
      let first = try await h.sync.push(request, metadata: office("suqian.commerce"))
      let second = try await h.sync.push(request, metadata: office("suqian.commerce"))
      #expect(first.results[0].applied.version == 1)
      #expect(first.results[0].replayed == false)
      #expect(second.results[0].replayed == true)
      #expect(second.results[0].applied == first.results[0].applied)
      let page = try await h.sync.pull(.with { $0.tenantID = "sip-suqian" }, metadata: office("suqian.commerce"))
      #expect(page.records.count == 1)
      #expect(page.checkpoint.headSequence == 1)
    }
  }

  @Test("A stale base version conflicts and returns the server's record")
  func staleBaseVersionConflicts() async throws {
    try await Harness.with { h in
      let id = newID()
      _ = try await h.sync.push(pushRequest("sip-suqian", [putPark(id, base: 0, name: "v1")]), metadata: office("suqian.commerce"))
      _ = try await h.sync.push(pushRequest("sip-suqian", client: "admin-laptop", [putPark(id, base: 1, name: "v2")]), metadata: office("sip-suqian.admin"))
      let stale = try await h.sync.push(pushRequest("sip-suqian", [putPark(id, base: 1, name: "v2 again")]), metadata: office("suqian.commerce"))
      let conflict = try #require(stale.results.first?.conflict)
      #expect(conflict.current.version == 2)
      #expect(conflict.current.officeID == "sip-suqian.admin")
      #expect(conflict.message.contains("stale"))
      let create = try await h.sync.push(pushRequest("sip-suqian", [putPark(id, base: 0, name: "dup")]), metadata: office("suqian.commerce"))
      #expect(create.results[0].conflict.current.version == 2)
      let missing = try await h.sync.push(pushRequest("sip-suqian", [putPark(newID(), base: 3, name: "x")]), metadata: office("suqian.commerce"))
      #expect(missing.results[0].conflict.hasCurrent == false)
    }
  }

  @Test("Concurrent pushes pull back in commit order with no gaps and a matching checksum")
  func concurrentPushesPullInOrder() async throws {
    try await Harness.with { h in
      let writers = ["suqian.commerce", "sip-suqian.admin", "sip.admin"]
      let applied = try await withThrowingTaskGroup(of: [UInt64].self) { group in
        for (w, writer) in writers.enumerated() {
          for c in 0..<4 {
            group.addTask {
              var sequences: [UInt64] = []
              for n in 0..<10 {
                let mutations = (0..<(n % 3 + 1)).map { k in putPark(newID(), base: 0, name: "p\(w)-\(c)-\(n)-\(k)") }
                let response = try await h.sync.push(pushRequest("sip-suqian", client: "\(writer)-\(c)", mutations), metadata: office(writer))
                sequences += response.results.map(\.applied.sequence)
                #expect(response.writeCheckpoint >= sequences.max()!)
              }
              return sequences
            }
          }
        }
        return try await group.reduce(into: []) { $0 += $1 }
      }
      var pulled: [Gongjian_V1_Record] = []
      var cursor: UInt64 = 0
      var checkpoint = Gongjian_V1_Checkpoint()
      repeat {
        let page = try await h.sync.pull(.with { $0.tenantID = "sip-suqian"; $0.cursor = cursor; $0.pageSize = 7 }, metadata: office("suqian.finance"))
        pulled += page.records
        cursor = page.nextCursor
        checkpoint = page.checkpoint
        if !page.more { break }
      } while true
      #expect(pulled.map(\.sequence) == Array(1...UInt64(applied.count)))
      #expect(Set(applied) == Set(pulled.map(\.sequence)))
      let recomputed = RecordChecksum.checksum(of: pulled.map { (kind: $0.kind, id: $0.id, version: $0.version) })
      #expect(recomputed == checkpoint.checksum)
      #expect(checkpoint.liveRecords == UInt64(pulled.count))
    }
  }

  @Test("Updates and deletes keep the checksum equal to the mirror's")
  func checksumFollowsUpdatesAndDeletes() async throws {
    try await Harness.with { h in
      let a = newID(), b = newID()
      _ = try await h.sync.push(pushRequest("city", [putPark(a, base: 0, name: "a"), putPark(b, base: 0, name: "b")]), metadata: office("suqian.commerce"))
      _ = try await h.sync.push(pushRequest("city", [putPark(a, base: 1, name: "a2")]), metadata: office("suqian.commerce"))
      let delete = Gongjian_V1_Mutation.with { $0.mutationID = "del-b"; $0.kind = "park"; $0.recordID = b; $0.baseVersion = 1; $0.delete = true }
      let deleted = try await h.sync.push(pushRequest("city", [delete]), metadata: office("suqian.commerce"))
      #expect(deleted.results[0].applied.version == 2)
      // Apply the feed to a mirror as a client would.
      var mirror: [String: Gongjian_V1_Record] = [:]
      let page = try await h.sync.pull(.with { $0.tenantID = "city" }, metadata: office("suqian.drc"))
      for record in page.records { mirror[record.id] = record }
      let live = mirror.values.filter { !$0.deleted }
      #expect(live.count == 1)
      #expect(RecordChecksum.checksum(of: live.map { (kind: $0.kind, id: $0.id, version: $0.version) }) == page.checkpoint.checksum)
      let tombstone = try await h.sync.getRecord(.with { $0.tenantID = "city"; $0.kind = "park"; $0.id = b }, metadata: office("suqian.drc"))
      #expect(tombstone.deleted)
      #expect(try await h.store.verifyAuditChain(tenantID: "city") == 4)
    }
  }

  @Test("Invalid mutations are rejected with field violations and nothing is stored")
  func invalidMutationsAreRejected() async throws {
    try await Harness.with { h in
      var badPark = putPark(newID(), base: 0, name: "")
      badPark.mutationID = "bad-park"
      let badID = putPark("not-a-uuid", base: 0, name: "x")
      let unknownKind = Gongjian_V1_Mutation.with { $0.mutationID = "k"; $0.kind = "spaceship"; $0.recordID = newID(); $0.payload = parkPayload("x") }
      let noChange = Gongjian_V1_Mutation.with { $0.mutationID = "n"; $0.kind = "park"; $0.recordID = newID() }
      let response = try await h.sync.push(pushRequest("sip-suqian", [badPark, badID, unknownKind, noChange]), metadata: office("suqian.commerce"))
      #expect(response.results.allSatisfy { $0.rejected.code == 3 })
      #expect(response.results[0].rejected.violations.map(\.field) == ["mutations[0].payload.name"])
      #expect(response.results[1].rejected.violations.map(\.field) == ["mutations[1].record_id"])
      #expect(response.results[2].rejected.message.contains("unknown kind 'spaceship'"))
      #expect(response.results[3].rejected.violations.map(\.field) == ["mutations[3].change"])
      let checkpoint = try await h.store.checkpoint(tenantID: "sip-suqian")
      #expect(checkpoint.headSequence == 0)
    }
  }

  @Test("Request-level limits answer a clear status")
  func limits() async throws {
    try await Harness.with(configure: { $0.limits.maxMutationsPerPush = 3 }) { h in
      let tooMany = pushRequest("sip-suqian", (0..<4).map { _ in putPark(newID(), base: 0, name: "x") })
      let error = await #expect(throws: RPCError.self) {
        try await h.sync.push(tooMany, metadata: office("suqian.commerce"))
      }
      #expect(error?.code == .resourceExhausted)
      #expect(error?.message.contains("mutations") == true)
      let empty = await #expect(throws: RPCError.self) {
        try await h.sync.push(pushRequest("sip-suqian", []), metadata: office("suqian.commerce"))
      }
      #expect(empty?.code == .invalidArgument)
      let noClient = await #expect(throws: RPCError.self) {
        try await h.sync.push(pushRequest("sip-suqian", client: "", [putPark(newID(), base: 0, name: "x")]), metadata: office("suqian.commerce"))
      }
      #expect(noClient?.message.contains("client_id") == true)
      let page = await #expect(throws: RPCError.self) {
        try await h.sync.pull(.with { $0.tenantID = "sip-suqian"; $0.pageSize = 1_000_000 }, metadata: office("suqian.commerce"))
      }
      #expect(page?.code == .invalidArgument)
    }
  }

  @Test("A client id is scoped by the office that pushes it: two offices never share one")
  func clientIDIsScopedByOffice() async throws {
    try await Harness.with { h in
      let mutation = putPark(newID(), base: 0, name: "a", mutationID: "m-1")
      let first = try await h.sync.push(pushRequest("city", client: "laptop-1", [mutation]), metadata: office("suqian.commerce"))
      // The same client id and mutation id from another office: its own mutation, not a replay.
      var other = mutation
      other.recordID = newID()
      other.payload = parkPayload("b")  // a park of its own (a tenant's parks have distinct names)
      let second = try await h.sync.push(pushRequest("city", client: "laptop-1", [other]), metadata: office("suqian.liaison"))
      #expect(!second.results[0].replayed)
      #expect(second.results[0].applied.sequence == first.results[0].applied.sequence + 1)
      // The first office's retry is still answered from its own record.
      let retry = try await h.sync.push(pushRequest("city", client: "laptop-1", [mutation]), metadata: office("suqian.commerce"))
      #expect(retry.results[0].replayed)
      #expect(retry.results[0].applied == first.results[0].applied)
    }
  }

  @Test("Subscribe catches up, goes live, and resumes from a cursor without gaps or repeats")
  func subscribeResumes() async throws {
    try await Harness.with(configure: { $0.sync.heartbeatInterval = .milliseconds(200) }) { h in
      for n in 0..<5 {
        _ = try await h.sync.push(pushRequest("sip-suqian", [putPark(newID(), base: 0, name: "before-\(n)")]), metadata: office("suqian.commerce"))
      }
      // First session: catch up on 5, see 3 live, then disconnect.
      let caughtUp = Counter()
      let firstSeen = try await withThrowingTaskGroup(of: [UInt64].self) { group in
        group.addTask {
          try await h.sync.subscribe(.with { $0.tenantID = "sip-suqian" }, metadata: office("suqian.finance")) { response in
            var seen: [UInt64] = []
            for try await event in response.messages {
              seen += event.changes.records.map(\.sequence)
              caughtUp.add(event.changes.records.count)
              if seen.count >= 8 { break }
            }
            return seen
          }
        }
        group.addTask {
          try await MutualTLSTests.waitUntil("the subscriber caught up on the first five") { caughtUp.value >= 5 }
          for n in 0..<3 {
            _ = try await h.sync.push(pushRequest("sip-suqian", client: "sip-laptop", [putPark(newID(), base: 0, name: "live-\(n)")]), metadata: office("sip.admin"))
          }
          return []
        }
        return try await group.reduce(into: []) { $0 += $1 }
      }
      #expect(firstSeen == Array(1...8))
      // While offline, more changes; the second session resumes from 8.
      for n in 0..<4 {
        _ = try await h.sync.push(pushRequest("sip-suqian", [putPark(newID(), base: 0, name: "offline-\(n)")]), metadata: office("suqian.commerce"))
      }
      let (resumed, heartbeats) = try await h.sync.subscribe(.with { $0.tenantID = "sip-suqian"; $0.cursor = 8 }, metadata: office("suqian.finance")) { response in
        var resumed: [UInt64] = []
        var heartbeats: [Gongjian_V1_Heartbeat] = []
        for try await event in response.messages {
          resumed += event.changes.records.map(\.sequence)
          if case .heartbeat(let beat) = event.event { heartbeats.append(beat) }
          if heartbeats.count >= 2 { break }
        }
        return (resumed, heartbeats)
      }
      #expect(resumed == [9, 10, 11, 12])
      #expect(heartbeats.first?.caughtUp == true)
      #expect(heartbeats.first?.headSequence == 12)
    }
  }

  @Test("Compaction keeps the latest versions; a cursor behind a purged tombstone gets a reset")
  func compactionAndReset() async throws {
    try await Harness.with { h in
      let a = newID(), b = newID()
      _ = try await h.sync.push(pushRequest("city", [putPark(a, base: 0, name: "a"), putPark(b, base: 0, name: "b")]), metadata: office("suqian.commerce"))
      _ = try await h.sync.push(pushRequest("city", [putPark(a, base: 1, name: "a2")]), metadata: office("suqian.commerce"))
      let delete = Gongjian_V1_Mutation.with { $0.mutationID = "d"; $0.kind = "park"; $0.recordID = b; $0.baseVersion = 1; $0.delete = true }
      _ = try await h.sync.push(pushRequest("city", [delete]), metadata: office("suqian.commerce"))
      let report = try await h.store.compact(before: Date().addingTimeInterval(60))
      #expect(report.supersededRemoved == 2)  // a v1, b v1
      #expect(report.tombstonesPurged == 1)
      let fresh = try await h.sync.pull(.with { $0.tenantID = "city" }, metadata: office("suqian.drc"))
      #expect(fresh.records.map(\.sequence) == [3])
      #expect(fresh.records.first?.version == 2)
      let behind = try await h.sync.pull(.with { $0.tenantID = "city"; $0.cursor = 1 }, metadata: office("suqian.drc"))
      #expect(behind.hasReset)
      #expect(behind.records.isEmpty)
      let ahead = try await h.sync.pull(.with { $0.tenantID = "city"; $0.cursor = 99 }, metadata: office("suqian.drc"))
      #expect(ahead.hasReset)
      let reset = try await h.sync.subscribe(.with { $0.tenantID = "city"; $0.cursor = 1 }, metadata: office("suqian.drc")) { response in
        var reset: Gongjian_V1_Reset?
        for try await event in response.messages {
          if case .reset(let r) = event.event { reset = r }
        }
        return reset
      }
      #expect(reset?.compactionHorizon == 4)
    }
  }
}
