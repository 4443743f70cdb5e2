import Foundation
import GongjianProtocol
import GongjianServer
import GRDB
import Logging
import Testing

/// Parks are told apart by name within a tenant: new ones through the kind rule, and parks
/// written before the rule through each store's migration.
@Suite("Park names")
struct ParkNameKeyTests {
  typealias Conformance = StoreConformanceTests

  /// Parks as a version without the rule wrote them: no key.
  static func legacyParks(_ store: any GongjianStore) async throws {
    let parks = [("p1", "甲园区"), ("p2", " 甲 园区 "), ("p3", "乙园区")]
    for (id, name) in parks {
      let outcome = try await Conformance.commit(store, [Conformance.put(id, name: name)])
      #expect(Conformance.applied(outcome.results[0]))
    }
  }

  /// After the migration: the first park of a name holds its key, a later namesake does not, and
  /// a new park of that name conflicts naming the holder.
  static func expectKeys(_ store: any GongjianStore) async throws {
    let key = Gongjian_V1_Park.with { $0.name = "甲园区" }.uniqueKey
    let payload = try Gongjian_V1_Park.with { $0.name = "甲园区" }.serializedData()
    let duplicate = PushBatch.Mutation(mutationID: "m-dup", kind: "park", recordID: "p4", baseVersion: 0, change: .put(payload), uniqueKey: key)
    let outcome = try await Conformance.commit(store, [duplicate])
    guard case .conflict(let conflict)? = outcome.results[0].outcome else {
      Issue.record("a second 甲园区 was not refused: \(outcome.results[0])")
      return
    }
    #expect(conflict.message.contains("park p1") && conflict.current.id == "p1")
    let other = PushBatch.Mutation(
      mutationID: "m-new", kind: "park", recordID: "p5", baseVersion: 0,
      change: .put(try Gongjian_V1_Park.with { $0.name = "丙园区" }.serializedData()), uniqueKey: Gongjian_V1_Park.with { $0.name = "丙园区" }.uniqueKey
    )
    #expect(Conformance.applied(try await Conformance.commit(store, [other]).results[0]))
  }

  @Test("The key is the name with case and spaces aside")
  func key() {
    #expect(Gongjian_V1_Park.with { $0.name = " 苏宿 工业园区 " }.uniqueKey == Gongjian_V1_Park.with { $0.name = "苏宿工业园区" }.uniqueKey)
    #expect(Gongjian_V1_Park.with { $0.name = "Park A" }.uniqueKey == Gongjian_V1_Park.with { $0.name = "park a" }.uniqueKey)
    #expect(Gongjian_V1_Park.with { $0.name = "甲园区" }.uniqueKey != Gongjian_V1_Park.with { $0.name = "乙园区" }.uniqueKey)
  }

  @Test("SQLite: parks written before the rule get their keys when the database is opened")
  func sqliteMigration() async throws {
    try await withTemporaryDirectory { folder in
      let path = folder.appendingPathComponent("store.sqlite").path
      do {
        let store = try SQLiteStore(path: path, logger: Logger(label: "test"))
        try await store.createTenant(.with { $0.id = "t1"; $0.name = "Tenant t1" })
        try await store.putOffice(.with { $0.id = "o1"; $0.name = "Office 1"; $0.side = .suzhou })
        try await Self.legacyParks(store)
      }
      // As a database of the version before: the migration not yet applied.
      let queue = try DatabaseQueue(path: path)
      try await queue.write { db in try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v9-park-name-keys'") }
      try queue.close()
      try await Self.expectKeys(try SQLiteStore(path: path, logger: Logger(label: "test")))
    }
  }

  @Test("PostgreSQL: parks written before the rule get their keys when a node starts")
  func postgresMigration() async throws {
    try await TestPostgres.withDatabase { configuration in
      try await PostgresStore.withStore(configuration, logger: Logger(label: "test")) { store in
        try await store.createTenant(.with { $0.id = "t1"; $0.name = "Tenant t1" })
        try await store.putOffice(.with { $0.id = "o1"; $0.name = "Office 1"; $0.side = .suzhou })
        try await Self.legacyParks(store)
      }
      _ = try await TestPostgres.withClient(configuration) { client in
        try await client.query("DELETE FROM schema_migration WHERE version = 2")
      }
      try await PostgresStore.withStore(configuration, logger: Logger(label: "test")) { try await Self.expectKeys($0) }
    }
  }
}
