import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf
import Testing

@Suite("The client's mirror and outbox")
struct MirrorTests {
  static func withMirror<R>(_ body: (Mirror) throws -> R) throws -> R {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gongjian-mirror-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(try Mirror(path: folder.appendingPathComponent("mirror.sqlite").path))
  }

  static func park(_ name: String) -> Data {
    try! Gongjian_V1_Park.with { $0.name = name; $0.hostCounty = "泗阳县" }.serializedBytes()
  }

  static func record(_ id: String, version: UInt64, sequence: UInt64, name: String, deleted: Bool = false) -> Gongjian_V1_Record {
    .with {
      $0.tenantID = "t"
      $0.kind = "park"
      $0.id = id
      $0.version = version
      $0.sequence = sequence
      $0.deleted = deleted
      if !deleted { $0.payload = RecordKind.park.pack(serialized: Self.park(name)) }
      $0.officeID = "o"
    }
  }

  static func page(_ records: [Gongjian_V1_Record], more: Bool, head: UInt64, checksum: UInt64) -> Gongjian_V1_PullResponse {
    .with {
      $0.records = records
      $0.nextCursor = records.last?.sequence ?? 0
      $0.more = more
      $0.checkpoint = .with { $0.headSequence = head; $0.checksum = checksum }
    }
  }

  static let a = "00000000-0000-4000-8000-00000000000a"
  static let b = "00000000-0000-4000-8000-00000000000b"

  @Test("A first sync loads in bulk: the latest of two versions stays, the key index is built, a cut-short load is finished on open")
  func bulkLoad() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gongjian-mirror-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("mirror.sqlite").path
    let server = RecordChecksum.hash(kind: "park", id: Self.a, version: 2) &+ RecordChecksum.hash(kind: "park", id: Self.b, version: 1)
    do {
      let mirror = try Mirror(path: path)
      #expect(try mirror.beginBulkLoad())
      try mirror.apply(pages: [Self.page([Self.record(Self.a, version: 1, sequence: 1, name: "甲")], more: true, head: 3, checksum: server)], tenantID: "t", bulk: true)
      let last = try mirror.apply(pages: [Self.page([
        Self.record(Self.b, version: 1, sequence: 2, name: "乙"), Self.record(Self.a, version: 2, sequence: 3, name: "甲二"),
      ], more: false, head: 3, checksum: server)], tenantID: "t", bulk: true)
      #expect(last == .matched)
      #expect(try mirror.records(tenantID: "t").map(\.version).sorted() == [1, 2])
      #expect(try mirror.records(tenantID: "t").count == 2, "one row per record")
      // The index is back: a later page upserts (an older version never overwrites a newer one).
      try mirror.apply(page: Self.page([Self.record(Self.a, version: 1, sequence: 1, name: "旧")], more: true, head: 3, checksum: server), tenantID: "t")
      #expect(try mirror.records(tenantID: "t").first { $0.id == Self.a }?.version == 2)
      // Not a first sync any more: no bulk load.
      #expect(try !mirror.beginBulkLoad())
    }
    // A load cut short (a crash between pages) is finished when the mirror is next opened.
    let second = folder.appendingPathComponent("second.sqlite").path
    do {
      let mirror = try Mirror(path: second)
      #expect(try mirror.beginBulkLoad())
      try mirror.apply(pages: [Self.page([
        Self.record(Self.a, version: 1, sequence: 1, name: "甲"), Self.record(Self.a, version: 2, sequence: 2, name: "甲二"),
      ], more: true, head: 9, checksum: 0)], tenantID: "t", bulk: true)
    }
    let reopened = try Mirror(path: second)
    #expect(try reopened.records(tenantID: "t").map(\.version) == [2])
    #expect(try !reopened.beginBulkLoad())
  }

  @Test("A bulk load without repeated records sums the checksum as it appends; tombstones do not count; a wrong server sum is a mismatch")
  func bulkLoadChecksum() throws {
    let c = "00000000-0000-4000-8000-00000000000c"
    let server = RecordChecksum.hash(kind: "park", id: Self.a, version: 2) &+ RecordChecksum.hash(kind: "park", id: Self.b, version: 1)
    for claimed in [server, server &+ 1] {
      try Self.withMirror { mirror in
        // The tenant was synced before, while it had no record.
        try mirror.apply(page: Self.page([], more: false, head: 0, checksum: 0), tenantID: "t")
        #expect(try mirror.beginBulkLoad())
        try mirror.apply(pages: [Self.page([Self.record(Self.a, version: 2, sequence: 4, name: "甲")], more: true, head: 9, checksum: claimed)], tenantID: "t", bulk: true)
        #expect(try mirror.status(tenantID: "t").first?.liveRecords == 1, "each transaction keeps the running sum")
        let last = try mirror.apply(pages: [
          Self.page([Self.record(c, version: 3, sequence: 6, name: "", deleted: true)], more: true, head: 9, checksum: claimed),
          Self.page([Self.record(Self.b, version: 1, sequence: 9, name: "乙")], more: false, head: 9, checksum: claimed),
        ], tenantID: "t", bulk: true)
        let status = try #require(try mirror.status(tenantID: "t").first)
        #expect(status.liveRecords == 2 && status.checksum == server && status.cursor == 9)
        if claimed == server {
          #expect(last == .matched && status.verified == true)
        } else {
          #expect(last == .mismatch(mirror: server, server: claimed) && status.verified == false)
        }
        #expect(try !mirror.beginBulkLoad(), "the key index is back")
      }
    }
  }

  @Test("Pages keep the checksum; a caught-up page is verified against the server's")
  func checksum() throws {
    try Self.withMirror { mirror in
      let server = RecordChecksum.hash(kind: "park", id: Self.a, version: 2) &+ RecordChecksum.hash(kind: "park", id: Self.b, version: 1)
      let first = try mirror.apply(page: Self.page([Self.record(Self.a, version: 1, sequence: 1, name: "甲")], more: true, head: 3, checksum: server), tenantID: "t")
      #expect(first == .notYet)
      let last = try mirror.apply(page: Self.page([
        Self.record(Self.b, version: 1, sequence: 2, name: "乙"), Self.record(Self.a, version: 2, sequence: 3, name: "甲二"),
      ], more: false, head: 3, checksum: server), tenantID: "t")
      #expect(last == .matched)
      let status = try #require(try mirror.status(tenantID: "t").first)
      #expect(status.cursor == 3 && status.liveRecords == 2 && status.checksum == server && status.verified == true)
      // A server that says otherwise is a mismatch, never ignored.
      let wrong = try mirror.apply(page: Self.page([], more: false, head: 3, checksum: server &+ 1), tenantID: "t")
      #expect(wrong == .mismatch(mirror: server, server: server &+ 1))
      #expect(try mirror.status(tenantID: "t").first?.verified == false)
      // A delete leaves the sum; an older version never overwrites a newer one.
      try mirror.apply(records: [Self.record(Self.b, version: 2, sequence: 4, name: "", deleted: true)], cursor: 4, tenantID: "t")
      try mirror.apply(records: [Self.record(Self.a, version: 1, sequence: 1, name: "旧")], cursor: 4, tenantID: "t")
      #expect(try mirror.records(tenantID: "t").map(\.version) == [2])
      #expect(try mirror.status(tenantID: "t").first?.checksum == RecordChecksum.hash(kind: "park", id: Self.a, version: 2))
    }
  }

  @Test("Queued writes show as pending, chain their base versions and are queued once")
  func outbox() throws {
    try Self.withMirror { mirror in
      try mirror.apply(page: Self.page([Self.record(Self.a, version: 3, sequence: 7, name: "甲")], more: false, head: 7, checksum: 0), tenantID: "t")
      #expect(try mirror.baseVersion(tenantID: "t", kind: "park", id: Self.a) == 3)
      let first = MutationDocument.mutation(kind: "park", id: Self.a, baseVersion: 3, payload: Self.park("甲改"))
      #expect(try mirror.enqueue([first, first], tenantID: "t") == 1)
      #expect(try mirror.enqueue([first], tenantID: "t") == 1)
      #expect(try mirror.baseVersion(tenantID: "t", kind: "park", id: Self.a) == 4)
      let shown = try #require(try mirror.record(tenantID: "t", kind: "park", id: Self.a))
      #expect(shown.state == .pending && shown.version == 4)
      #expect(try Gongjian_V1_Park(serializedBytes: shown.payload).name == "甲改")
      // The office's client id is made once and kept.
      #expect(try mirror.clientID() == mirror.clientID())
    }
  }

  @Test("Answers settle the outbox: applied enters the mirror, a conflict keeps both versions")
  func settleAndResolve() throws {
    try Self.withMirror { mirror in
      let mine = MutationDocument.mutation(kind: "park", id: Self.a, baseVersion: 1, payload: Self.park("我的"))
      let other = MutationDocument.mutation(kind: "park", id: Self.b, baseVersion: 0, payload: Self.park("新"))
      try mirror.enqueue([mine, other], tenantID: "t")
      let pending = try mirror.pending(tenantID: "t")
      let theirs = Self.record(Self.a, version: 2, sequence: 5, name: "他们的")
      let tally = try mirror.settle(pending, results: [
        .with { $0.mutationID = mine.mutationID; $0.conflict = .with { $0.current = theirs; $0.message = "base 1, current 2" } },
        .with { $0.mutationID = other.mutationID; $0.applied = .with { $0.version = 1; $0.sequence = 6 } },
      ], officeID: "me")
      #expect(tally.applied == 1 && tally.conflicts == 1)
      #expect(try mirror.pending(tenantID: "t").isEmpty)
      let conflict = try #require(try mirror.unresolved().first)
      #expect(conflict.state == .conflict && conflict.theirs?.version == 2)
      #expect(try Gongjian_V1_Park(serializedBytes: conflict.payload).name == "我的")
      #expect(try mirror.record(tenantID: "t", kind: "park", id: Self.b)?.state == .synced)

      // Keep mine: pushed again on their version, under a new mutation id.
      try mirror.resolve(number: conflict.number, .keepMine)
      let again = try #require(try mirror.pending(tenantID: "t").first)
      #expect(again.baseVersion == 2 && again.mutationID != mine.mutationID)

      // A rejection cannot be kept unchanged; it can be dropped.
      try mirror.settle([again], results: [.with { $0.mutationID = again.mutationID; $0.rejected = .with { $0.code = 3; $0.message = "bad" } }], officeID: "me")
      #expect(throws: GongjianClientError.self) { try mirror.resolve(number: again.number, .keepMine) }
      try mirror.resolve(number: again.number, .keepTheirs)
      #expect(try mirror.unresolved().isEmpty && mirror.pending(tenantID: "t").isEmpty)
      #expect(throws: GongjianClientError.self) { try mirror.resolve(number: 999, .keepTheirs) }
    }
  }

  @Test("Hand-written fields: unknown keys name the nearest field, bad enum values list the allowed ones")
  func payloadErrors() {
    let typo = #expect(throws: GongjianClientError.self) {
      try PayloadDocument.serialized(["nmae": "x"], kind: "park", place: "f.yaml: record 1")
    }
    #expect(typo?.message.contains("field nmae: not a field of park; did you mean name?") == true, "\(typo?.message ?? "")")
    let value = #expect(throws: GongjianClientError.self) {
      try PayloadDocument.serialized(["status": "started"], kind: "transferred_project", place: "p")
    }
    #expect(value?.message.contains("PROJECT_STATUS_STARTED") == true, "\(value?.message ?? "")")
    #expect(value?.message.contains("unrecognizedEnumValue") == false)
  }
}
