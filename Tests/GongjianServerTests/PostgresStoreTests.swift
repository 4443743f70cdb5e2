import Foundation
import GongjianProtocol
@testable import GongjianServer
import Logging
import PostgresNIO
import Synchronization
import Testing

/// What PostgreSQL adds to the conformance suite: several nodes on one database, the tenant wall,
/// and the refusal of settings that could lose commits.
@Suite("PostgreSQL store")
struct PostgresStoreTests {
  static let logger = Logger(label: "test")

  static func put(_ id: String, base: UInt64 = 0, mutationID: String = UUID().uuidString) -> PushBatch.Mutation {
    let payload = try! Gongjian_V1_Park.with { $0.name = "园区 \(id)" }.serializedData()
    return .init(mutationID: mutationID, kind: "park", recordID: id, baseVersion: base, change: .put(payload))
  }

  static func commit(_ store: any GongjianStore, _ mutations: [PushBatch.Mutation], tenant: String = "t1", client: String = "c1") async throws -> PushOutcome {
    let batch = PushBatch(tenantID: tenant, officeID: "o1", clientID: client, mutations: mutations, receivedAt: Date())
    return try await store.commit([batch], planner: PushApplier())[0].get()
  }

  /// Two nodes (two stores, each with its own pool) on one new database with tenants t1, t2.
  static func withTwoNodes(_ body: (PostgresStore, PostgresStore) async throws -> Void) async throws {
    try await TestPostgres.withDatabase { configuration in
      try await PostgresStore.withStore(configuration, logger: Self.logger) { a in
        try await PostgresStore.withStore(configuration, logger: Self.logger) { b in
          for id in ["t1", "t2"] { try await a.createTenant(.with { $0.id = id; $0.name = id }) }
          try await b.putOffice(.with { $0.id = "o1"; $0.name = "Office 1"; $0.side = .suqian })
          try await body(a, b)
        }
      }
    }
  }

  @Test("Sequences have no gap a reader can see while two nodes commit to one tenant")
  func gaplessAcrossNodes() async throws {
    try await Self.withTwoNodes { a, b in
      let pushesPerWriter = 40
      try await withThrowingTaskGroup(of: Void.self) { group in
        for (index, node) in [a, b, a, b].enumerated() {
          group.addTask {
            for push in 0..<pushesPerWriter {
              _ = try await Self.commit(node, [Self.put("w\(index)-\(push)"), Self.put("w\(index)-\(push)b")], client: "c\(index)")
            }
          }
        }
        // The reader follows the feed as it grows: each page must continue exactly at its cursor.
        group.addTask {
          var cursor: UInt64 = 0
          let total = UInt64(4 * pushesPerWriter * 2)
          while cursor < total {
            let page = try await (cursor % 2 == 0 ? a : b).changes(tenantID: "t1", after: cursor, limit: 7)
            for record in page.records {
              #expect(record.sequence == cursor + 1, "a reader at \(cursor) was given \(record.sequence)")
              cursor = record.sequence
            }
            if page.records.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
          }
        }
        try await group.waitForAll()
      }
      let checkpoint = try await a.checkpoint(tenantID: "t1")
      #expect(checkpoint.headSequence == 320 && checkpoint.liveRecords == 320)
    }
  }

  @Test("A mutation retried against another node answers the first result")
  func idempotencyAcrossNodes() async throws {
    try await Self.withTwoNodes { a, b in
      let first = try await Self.commit(a, [Self.put("p1", mutationID: "m1")])
      let again = try await Self.commit(b, [Self.put("p1", mutationID: "m1")])
      #expect(again.results[0].replayed && again.results[0].applied.sequence == first.results[0].applied.sequence)
      #expect(try await b.checkpoint(tenantID: "t1").headSequence == 1)
      // Both at once: one applies, the other replays; nothing is written twice.
      async let x = Self.commit(a, [Self.put("p2", mutationID: "m2")])
      async let y = Self.commit(b, [Self.put("p2", mutationID: "m2")])
      let (rx, ry) = try await (x, y)
      #expect([rx.results[0].replayed, ry.results[0].replayed].sorted { !$0 && $1 } == [false, true])
      #expect(try await a.checkpoint(tenantID: "t1").headSequence == 2)
    }
  }

  @Test("A node hears the other nodes' commits, not its own (its subscribers have those from memory)")
  func announcements() async throws {
    let current = try #require(PostgresStore.announcement("t1:42:node-a"))
    #expect(current.tenantID == "t1" && current.head == 42 && current.node == "node-a")
    // A node of 0.9.0 announces no node.
    let older = try #require(PostgresStore.announcement("t1:7"))
    #expect(older.tenantID == "t1" && older.head == 7 && older.node == nil)
    for bad in ["", "t1", "t1:x:n", ":3:n", "t1:3:n:extra"] { #expect(PostgresStore.announcement(bad) == nil, "\(bad)") }
    try await Self.withTwoNodes { a, b in
      let heard = Mutex<[ClusterEvent]>([])
      let listening = Task { try await a.listen { event in heard.withLock { $0.append(event) } } }
      defer { listening.cancel() }
      try await MutualTLSTests.waitUntil("listening") { heard.withLock { $0.contains(.listening) } }
      let mine = try await Self.commit(a, [Self.put("mine")], client: "ca")
      let theirs = try await Self.commit(b, [Self.put("theirs")], client: "cb")
      let mineHead = try #require(mine.results.first).applied.sequence
      let theirHead = try #require(theirs.results.first).applied.sequence
      try await MutualTLSTests.waitUntil("the other node's commit heard") {
        heard.withLock { $0.contains(.commit(tenantID: "t1", head: theirHead)) }
      }
      #expect(!heard.withLock { $0.contains(.commit(tenantID: "t1", head: mineHead)) })
    }
  }

  @Test("Row-level security: a query that forgets the tenant filter reads nothing of any tenant")
  func tenantWall() async throws {
    try await TestPostgres.withDatabase { configuration in
      try await PostgresStore.withStore(configuration, logger: Self.logger) { store in
        for id in ["t1", "t2"] { try await store.createTenant(.with { $0.id = id; $0.name = id }) }
        try await store.putOffice(.with { $0.id = "o1"; $0.name = "Office 1"; $0.side = .suqian })
        _ = try await Self.commit(store, [Self.put("p1"), Self.put("p2")], tenant: "t1")
        _ = try await Self.commit(store, [Self.put("q1")], tenant: "t2")
      }
      // The server's own role, on a connection of its own.
      try await TestPostgres.withClient(configuration) { client in
        for table in ["change", "record", "audit", "mutation", "tenant_state"] {
          let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")).collect()
          #expect(try rows[0].decode(Int64.self) == 0, "\(table) shows rows without a tenant set")
        }
        let counts = try await client.withTransaction(logger: Self.logger) { connection in
          try await connection.query("SELECT set_config('gongjian.tenants', \(["t1"])::text, true)", logger: Self.logger)
          return try await connection.query("SELECT tenant_id, count(*) FROM change GROUP BY tenant_id", logger: Self.logger)
            .collect().map { try $0.decode((String, Int64).self) }
        }
        #expect(counts.count == 1 && counts[0].0 == "t1" && counts[0].1 == 2)
        // Nor can it write into a tenant it did not name.
        await #expect(throws: PSQLError.self) {
          try await client.query(
            "INSERT INTO change (tenant_id, seq, kind, record_id, version, deleted, payload, office_id, at) VALUES ('t2', 99, 'park', 'x', 1, false, '', 'o1', 0)"
          )
        }
      }
    }
  }

  @Test("A database that could lose acknowledged commits, or a superuser role, is refused unless allowed")
  func refusesUnsafeSettings() async throws {
    try await TestPostgres.withDatabase { configuration in
      try await TestPostgres.execute(configuration, "ALTER DATABASE \(configuration.database) SET synchronous_commit = off")
      let error = await #expect(throws: GongjianError.self) {
        try await PostgresStore.withStore(configuration, logger: Self.logger) { _ in }
      }
      #expect(error?.code == .failedPrecondition && error?.message.contains("synchronous_commit=off") == true, "\(String(describing: error))")
      var allowed = configuration
      allowed.allowUnsafe = true
      try await PostgresStore.withStore(allowed, logger: Self.logger) { try await $0.ping() }
      try await TestPostgres.execute(configuration, "ALTER DATABASE \(configuration.database) RESET synchronous_commit")

      var superuser = configuration
      superuser.username = "postgres"
      let refused = await #expect(throws: GongjianError.self) {
        try await PostgresStore.withStore(superuser, logger: Self.logger) { _ in }
      }
      #expect(refused?.message.contains("row-level security") == true, "\(String(describing: refused))")
    }
  }

  @Test("Nodes that start together migrate once")
  func concurrentMigrations() async throws {
    try await TestPostgres.withDatabase { configuration in
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<3 {
          group.addTask { try await PostgresStore.withStore(configuration, logger: Self.logger) { try await $0.ping() } }
        }
        try await group.waitForAll()
      }
      try await TestPostgres.withClient(configuration) { client in
        // Each migration (the schema, the parks' name keys, the commit round's opening) once.
        let rows = try await client.query("SELECT version, count(*) FROM schema_migration GROUP BY version ORDER BY version").collect()
        let counts = try rows.map { try $0.decode((Int32, Int64).self) }
        #expect(counts.map(\.0) == [1, 2, 3] && counts.allSatisfy { $0.1 == 1 })
      }
    }
  }

  @Test("Tables that grew since their statistics are analysed; tables that barely changed are left to autovacuum")
  func plannerStatistics() async throws {
    try await TestPostgres.withDatabase { configuration in
      try await PostgresStore.withStore(configuration, logger: Self.logger) { store in
        try await store.createTenant(.with { $0.id = "t1"; $0.name = "t1" })
        try await store.putOffice(.with { $0.id = "o1"; $0.name = "Office 1"; $0.side = .suqian })
        for push in 0..<3 {
          _ = try await Self.commit(store, (0..<400).map { Self.put("r\(push)-\($0)") })
        }
        // Each backend reports its changes to the statistics within seconds, not at once.
        var analysed: [String] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while analysed.isEmpty, ContinuousClock.now < deadline {
          analysed = try await store.refreshPlannerStatistics()
          if analysed.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(analysed.contains("record") && analysed.contains("change"), "\(analysed)")
        #expect(!analysed.contains("client"), "one row: \(analysed)")
        try await TestPostgres.withClient(configuration) { client in
          let rows = try await client.query(
            "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname IN ('record', 'client') ORDER BY relname"
          ).collect()
          let seen = try rows.map { try $0.decode((String, Bool).self) }
          #expect(seen.map(\.0) == ["client", "record"] && seen.map(\.1) == [false, true], "\(seen)")
        }
      }
    }
  }

  @Test("Storage URLs: each part is checked and named")
  func urls() throws {
    let configuration = try PostgresStore.Configuration(url: "postgres://gongjian:secret@db.example:6432/records?sslmode=require&pool=4")
    #expect(configuration.host == "db.example" && configuration.port == 6432 && configuration.username == "gongjian")
    #expect(configuration.password == "secret" && configuration.database == "records" && configuration.sslMode == .require)
    #expect(configuration.poolSize == 4 && !configuration.displayURL.contains("secret"))
    #expect(try PostgresStore.Configuration(url: configuration.url) == configuration)
    for (bad, words) in [
      ("postgres://db:5432/x", "no user"), ("postgres://u@:5432/x", "no host"), ("postgres://u@db:5432/", "no database"),
      ("postgres://u@db/x?sslmode=maybe", "sslmode"), ("postgres://u@db/x?pool=0", "pool"), ("postgres://u@db/x?poool=3", "poool"),
      ("mysql://u@db/x", "postgres://"),
    ] {
      let error = #expect(throws: GongjianError.self) { try StorageLocation(url: bad) }
      #expect(error?.code == .invalidArgument && error?.message.contains(words) == true, "\(bad): \(String(describing: error))")
    }
  }
}
