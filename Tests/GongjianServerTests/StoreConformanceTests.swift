import Foundation
import GongjianProtocol
import GongjianServer
import GRDB
import Logging
import Testing

/// The behaviours every storage backend owes the sync engine, written once and run against each
/// backend: a second backend passes the same suite before it is used.
@Suite("Store conformance")
struct StoreConformanceTests {
  enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteFile, sqliteMemory, postgres
    var testDescription: String { self.rawValue }

    /// Runs `body` on an empty store of this backend with tenants `t1` and `t2` and office `o1`.
    func withStore(_ body: (any GongjianStore) async throws -> Void) async throws {
      try await self.withEmptyStore { store in
        for id in ["t1", "t2"] { try await store.createTenant(.with { $0.id = id; $0.name = "Tenant \(id)" }) }
        try await store.putOffice(.with { $0.id = "o1"; $0.name = "Office 1"; $0.side = .suzhou })
        try await body(store)
      }
    }

    private func withEmptyStore(_ body: (any GongjianStore) async throws -> Void) async throws {
      switch self {
      case .sqliteFile:
        try await withTemporaryDirectory { folder in
          try await body(try SQLiteStore(path: folder.appendingPathComponent("store.sqlite").path, logger: Logger(label: "test")))
        }
      case .sqliteMemory:
        try await body(try SQLiteStore(writer: DatabaseQueue()))
      case .postgres:
        try await TestPostgres.withDatabase { configuration in
          try await PostgresStore.withStore(configuration, logger: Logger(label: "test")) { try await body($0) }
        }
      }
    }
  }

  static func put(_ id: String, base: UInt64 = 0, name: String = "园区", mutationID: String = UUID().uuidString, kind: String = "park") -> PushBatch.Mutation {
    let payload = try! Gongjian_V1_Park.with { $0.name = name }.serializedData()
    return .init(mutationID: mutationID, kind: kind, recordID: id, baseVersion: base, change: .put(payload))
  }

  static func commit(_ store: any GongjianStore, _ mutations: [PushBatch.Mutation], tenant: String = "t1", client: String = "c1") async throws -> PushOutcome {
    let batch = PushBatch(tenantID: tenant, officeID: "o1", clientID: client, mutations: mutations, receivedAt: Date())
    return try await store.commit([batch], planner: PushApplier())[0].get()
  }

  static func applied(_ result: Gongjian_V1_MutationResult) -> Bool {
    if case .applied = result.outcome { true } else { false }
  }

  @Test("A replayed mutation id answers the first result and writes nothing", arguments: Backend.allCases)
  func idempotentReplay(backend: Backend) async throws {
    try await backend.withStore { store in
      let first = try await Self.commit(store, [Self.put("p1", mutationID: "m1")])
      let again = try await Self.commit(store, [Self.put("p1", mutationID: "m1")])
      #expect(Self.applied(first.results[0]) && again.results[0].replayed)
      #expect(again.results[0].applied.sequence == first.results[0].applied.sequence)
      #expect(try await store.checkpoint(tenantID: "t1").headSequence == 1)
      #expect(again.committed.isEmpty)
    }
  }

  @Test("A stale or missing base version conflicts and returns the current record", arguments: Backend.allCases)
  func conflicts(backend: Backend) async throws {
    try await backend.withStore { store in
      _ = try await Self.commit(store, [Self.put("p1")])
      let stale = try await Self.commit(store, [Self.put("p1", base: 0, name: "另一个")])
      guard case .conflict(let conflict) = stale.results[0].outcome else { Issue.record("no conflict"); return }
      #expect(conflict.current.version == 1 && conflict.message.contains("base_version"))
      let missing = try await Self.commit(store, [Self.put("p9", base: 3)])
      #expect(!Self.applied(missing.results[0]))
      let deleteNothing = try await Self.commit(store, [.init(mutationID: "d", kind: "park", recordID: "p8", baseVersion: 0, change: .delete)])
      #expect(!Self.applied(deleteNothing.results[0]))
    }
  }

  @Test("A unique key held by another live record conflicts naming the holder", arguments: Backend.allCases)
  func uniqueKeys(backend: Backend) async throws {
    try await backend.withStore { store in
      var first = Self.put("p1")
      first.uniqueKey = "key-a"
      var second = Self.put("p2")
      second.uniqueKey = "key-a"
      let outcome = try await Self.commit(store, [first, second])
      #expect(Self.applied(outcome.results[0]))
      guard case .conflict(let conflict) = outcome.results[1].outcome else { Issue.record("no conflict"); return }
      #expect(conflict.current.id == "p1")
      // Once the holder is deleted, the key is free.
      _ = try await Self.commit(store, [.init(mutationID: "del", kind: "park", recordID: "p1", baseVersion: 1, change: .delete)])
      var third = Self.put("p2")
      third.uniqueKey = "key-a"
      #expect(Self.applied(try await Self.commit(store, [third]).results[0]))
    }
  }

  @Test("References must name live records, in the push's tenant or the one named", arguments: Backend.allCases)
  func references(backend: Backend) async throws {
    try await backend.withStore { store in
      var dangling = Self.put("r1", kind: "indicator_report")
      dangling.references = [.init(kind: "park", id: "p1", field: "park_id")]
      let refused = try await Self.commit(store, [dangling])
      #expect(refused.results[0].rejected.violations.map(\.field) == ["park_id"])
      _ = try await Self.commit(store, [Self.put("p1")], tenant: "t2")
      var crossTenant = Self.put("r1", kind: "indicator_report")
      crossTenant.references = [.init(kind: "park", id: "p1", field: "park_id", tenantID: "t2")]
      #expect(Self.applied(try await Self.commit(store, [crossTenant]).results[0]))
    }
  }

  @Test("Sequences are dense per tenant; the checksum is the sum over live records", arguments: Backend.allCases)
  func sequencesAndChecksums(backend: Backend) async throws {
    try await backend.withStore { store in
      _ = try await Self.commit(store, (1...5).map { Self.put("p\($0)") })
      _ = try await Self.commit(store, [Self.put("p1", base: 1, name: "改"), .init(mutationID: "d2", kind: "park", recordID: "p2", baseVersion: 1, change: .delete)])
      _ = try await Self.commit(store, [Self.put("q1")], tenant: "t2")
      let page = try await store.changes(tenantID: "t1", after: 0, limit: 100)
      #expect(page.records.map(\.sequence) == Array(1...7))
      #expect(Set(page.records.map(\.tenantID)) == ["t1"])
      let live = try await store.liveRecords(tenantID: "t1", kind: "park")
      #expect(live.map(\.id) == ["p1", "p3", "p4", "p5"])
      let checksum = live.reduce(UInt64(0)) { $0 &+ RecordChecksum.hash(kind: $1.kind, id: $1.id, version: $1.version) }
      let checkpoint = try await store.checkpoint(tenantID: "t1")
      #expect(checkpoint.checksum == checksum && checkpoint.liveRecords == 4 && checkpoint.headSequence == 7)
      #expect(try await store.checkpoint(tenantID: "t2").headSequence == 1)
      let paged = try await store.changes(tenantID: "t1", after: 3, limit: 2)
      #expect(paged.records.map(\.sequence) == [4, 5] && paged.hasMore)
    }
  }

  @Test("Compaction drops superseded versions and old tombstones and moves the horizon", arguments: Backend.allCases)
  func compaction(backend: Backend) async throws {
    try await backend.withStore { store in
      _ = try await Self.commit(store, [Self.put("p1"), Self.put("p2")])
      _ = try await Self.commit(store, [Self.put("p1", base: 1, name: "改")])
      _ = try await Self.commit(store, [.init(mutationID: "d2", kind: "park", recordID: "p2", baseVersion: 1, change: .delete)])
      let before = try await store.checkpoint(tenantID: "t1")
      let report = try await store.compact(before: Date().addingTimeInterval(60))
      #expect(report.supersededRemoved >= 2 && report.tombstonesPurged == 1)
      let after = try await store.checkpoint(tenantID: "t1")
      #expect(after.checksum == before.checksum && after.headSequence == before.headSequence)
      #expect(after.compactionHorizon == 4)
      #expect(try await store.changes(tenantID: "t1", after: 0, limit: 100).records.map(\.id) == ["p1"])
    }
  }

  @Test("A push sees its own earlier writes: versions, references, keys given up and taken", arguments: Backend.allCases)
  func ownWrites(backend: Backend) async throws {
    try await backend.withStore { store in
      var keyed = Self.put("p1")
      keyed.uniqueKey = "k"
      var report = Self.put("r1", kind: "indicator_report")
      report.references = [.init(kind: "park", id: "p1", field: "park_id")]
      var taker = Self.put("p2")
      taker.uniqueKey = "k"
      let outcome = try await Self.commit(store, [
        keyed, Self.put("p1", base: 1, name: "改"), report,
        .init(mutationID: "d1", kind: "park", recordID: "p1", baseVersion: 2, change: .delete), taker,
      ])
      #expect(outcome.results.allSatisfy(Self.applied), "\(outcome.results)")
      #expect(outcome.results.map(\.applied.sequence) == [1, 2, 3, 4, 5])
      #expect(outcome.committed.map(\.version) == [1, 2, 1, 3, 1])
      #expect(try await store.record(tenantID: "t1", kind: "park", id: "p1")?.deleted == true)
      let checkpoint = try await store.checkpoint(tenantID: "t1")
      #expect(checkpoint.liveRecords == 2 && checkpoint.headSequence == 5)
    }
  }

  @Test("An atomic push with one refused mutation writes nothing and keeps no answer", arguments: Backend.allCases)
  func atomicRollback(backend: Backend) async throws {
    try await backend.withStore { store in
      _ = try await Self.commit(store, [Self.put("p1")])
      let batch = PushBatch(
        tenantID: "t1", officeID: "o1", clientID: "c1",
        mutations: [Self.put("p2", mutationID: "a1"), Self.put("p1", base: 0, mutationID: "a2")], receivedAt: Date(), atomic: true
      )
      let outcome = try await store.commit([batch], planner: PushApplier())[0].get()
      #expect(outcome.results[0].rejected.code == 10 && outcome.results[0].rejected.message.contains("mutations[1]"))
      #expect(outcome.committed.isEmpty && outcome.writeCheckpoint == 1)
      #expect(try await store.checkpoint(tenantID: "t1").headSequence == 1)
      // No answer was kept: the same ids, fixed, apply.
      let fixed = try await Self.commit(store, [Self.put("p2", mutationID: "a1"), Self.put("p1", base: 1, mutationID: "a2")])
      #expect(fixed.results.allSatisfy { Self.applied($0) && !$0.replayed })
    }
  }

  @Test("Several pushes in one transaction follow each other, across tenants", arguments: Backend.allCases)
  func groupCommit(backend: Backend) async throws {
    try await backend.withStore { store in
      let batches = [
        PushBatch(tenantID: "t1", officeID: "o1", clientID: "c1", mutations: [Self.put("p1")], receivedAt: Date()),
        PushBatch(tenantID: "t2", officeID: "o1", clientID: "c1", mutations: [Self.put("p1")], receivedAt: Date()),
        PushBatch(tenantID: "t1", officeID: "o1", clientID: "c1", mutations: [Self.put("p1", base: 1)], receivedAt: Date()),
        PushBatch(tenantID: "nope", officeID: "o1", clientID: "c1", mutations: [Self.put("p1")], receivedAt: Date()),
        PushBatch(tenantID: "t1", officeID: "o2", clientID: "c1", mutations: [Self.put("p3")], receivedAt: Date()),
      ]
      let results = try await store.commit(batches, planner: PushApplier())
      #expect(try results[0].get().writeCheckpoint == 1 && results[1].get().writeCheckpoint == 1)
      #expect(try results[2].get().results[0].applied.version == 2)
      #expect(throws: GongjianError.self) { try results[3].get() }
      // The client id is bound to the office that used it first.
      #expect(throws: GongjianError.self) { try results[4].get() }
      #expect(try await store.checkpoint(tenantID: "t1").headSequence == 2)
    }
  }

  @Test("A push sees what earlier pushes of its transaction wrote: versions, keys moved, answers", arguments: Backend.allCases)
  func groupSeesEarlierPushes(backend: Backend) async throws {
    try await backend.withStore { store in
      var keyed = Self.put("x")
      keyed.uniqueKey = "A"
      _ = try await Self.commit(store, [keyed])
      var moved = Self.put("x", base: 1, name: "改", mutationID: "move")
      moved.uniqueKey = "B"
      var claim = Self.put("y")
      claim.uniqueKey = "A"
      var clash = Self.put("z")
      clash.uniqueKey = "B"
      var again = Self.put("x", base: 2, name: "再改")
      again.uniqueKey = "B"
      let batches = [moved, claim, again, clash, Self.put("x", base: 1, name: "改", mutationID: "move")].map {
        PushBatch(tenantID: "t1", officeID: "o1", clientID: "c1", mutations: [$0], receivedAt: Date())
      }
      let outcomes = try await store.commit(batches, planner: PushApplier()).map { try $0.get().results[0] }
      #expect(Self.applied(outcomes[0]) && Self.applied(outcomes[1]), "key A was given up by x before y took it")
      #expect(outcomes[2].applied.version == 3, "the third push sees the second version of x")
      guard case .conflict(let conflict) = outcomes[3].outcome else { Issue.record("key B taken twice: \(outcomes[3])"); return }
      #expect(conflict.current.id == "x")
      #expect(outcomes[4].replayed && outcomes[4].applied.sequence == outcomes[0].applied.sequence)
      #expect(try await store.checkpoint(tenantID: "t1").headSequence == 4)
    }
  }

  @Test("Attachments are kept once per tenant and digest", arguments: Backend.allCases)
  func attachments(backend: Backend) async throws {
    try await backend.withStore { store in
      let content = Data("议程".utf8)
      try await store.putAttachment(tenantID: "t1", sha256: "abc", contentType: "text/plain", content: content)
      try await store.putAttachment(tenantID: "t1", sha256: "abc", contentType: "text/plain", content: content)
      let stored = try #require(try await store.attachment(tenantID: "t1", sha256: "abc"))
      #expect(stored.contentType == "text/plain" && stored.content == content)
      #expect(try await store.attachment(tenantID: "t2", sha256: "abc") == nil)
    }
  }

  @Test("Every write appends to its tenant's audit chain, which verifies", arguments: Backend.allCases)
  func auditChain(backend: Backend) async throws {
    try await backend.withStore { store in
      _ = try await Self.commit(store, [Self.put("p1"), Self.put("p2")])
      _ = try await Self.commit(store, [Self.put("p1", base: 1, name: "改")])
      #expect(try await store.verifyAuditChain(tenantID: "t1") == 3)
      let entries = try await store.auditEntries(tenantID: "t1", after: 0, limit: 10)
      #expect(entries.map(\.action) == ["create", "create", "update"])
      let head = try await store.auditHead(tenantID: "t1")
      #expect(head.count == 3 && head.hash == entries.last?.hash)
      #expect(try await store.verifyAuditChain(tenantID: "t2") == 0)
    }
  }

  @Test("The directory refuses duplicates and unknown members; certificates revoke; all of it is audited", arguments: Backend.allCases)
  func directoryAndCertificates(backend: Backend) async throws {
    try await backend.withStore { store in
      await #expect(throws: GongjianError.self) { try await store.createTenant(.with { $0.id = "t1"; $0.name = "again" }, actor: "test") }
      await #expect(throws: GongjianError.self) {
        _ = try await store.setMembership(tenantID: "t1", officeID: "nobody", role: .viewer, keyDepartment: false, actor: "test")
      }
      _ = try await store.setMembership(tenantID: "t1", officeID: "o1", role: .contributor, keyDepartment: false, actor: "test")
      #expect(try await store.memberships(officeID: "o1").map(\.tenantID) == ["t1"])
      #expect(try await store.removeMembership(tenantID: "t1", officeID: "o1", actor: "test"))
      #expect(try await !store.removeMembership(tenantID: "t1", officeID: "o1", actor: "test"))
      let now = Date()
      try await store.recordCertificate(.init(serial: "0a", officeID: "o1", notBefore: now, notAfter: now.addingTimeInterval(3600)), actor: "test")
      #expect(try await store.revokeCertificate(serial: "0a", at: now, actor: "test")?.revokedAt != nil)
      #expect(try await store.revokeCertificate(serial: "ff", at: now, actor: "test") == nil)
      #expect(try await store.revokedSerials() == ["0a"])
      let audit = try await store.directoryAudit()
      #expect(audit.contains { $0.action == "certificate.revoke" && $0.actor == "test" })
      #expect(try await store.verifyDirectoryAudit() == audit.count)
      try await store.ping()
    }
  }
}
