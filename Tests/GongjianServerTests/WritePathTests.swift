import Crypto
import Foundation
import GongjianProtocol
@testable import GongjianServer
import Testing

/// The write path's shortcuts answer exactly as the general code they stand in for.
@Suite("Write path shortcuts")
struct WritePathTests {
  @Test("Blank scalars: the fast ranges agree with Unicode's properties for every scalar")
  func blanks() {
    func reference(_ scalar: Unicode.Scalar) -> Bool {
      let properties = scalar.properties
      return properties.isWhitespace || properties.generalCategory == .format || properties.generalCategory == .control
    }
    var disagreements: [UInt32] = []
    for value in UInt32(0)...0x10FFFF {
      guard let scalar = Unicode.Scalar(value) else { continue }
      if FieldChecks.isBlank(scalar) != reference(scalar) { disagreements.append(value) }
    }
    #expect(disagreements.isEmpty)
    #expect(FieldChecks.isBlank("\u{3000}") && FieldChecks.isBlank("\u{200B}") && !FieldChecks.isBlank("园"))
  }

  @Test("Text limits count characters, whatever their bytes")
  func textLimits() {
    func fails(_ text: String, _ limit: Int) -> Bool {
      var checks = FieldChecks()
      checks.limitText(text, "name", maxLength: limit)
      return !checks.violations.isEmpty
    }
    #expect(!fails(String(repeating: "a", count: 200), 200))
    #expect(fails(String(repeating: "a", count: 201), 200))
    #expect(!fails(String(repeating: "园", count: 200), 200))  // 600 bytes
    #expect(fails(String(repeating: "园", count: 201), 200))
    #expect(!fails(String(repeating: "e\u{301}", count: 200), 200))  // 600 bytes, 200 characters
    #expect(fails(String(repeating: "e\u{301}", count: 201), 200))
  }

  /// Entry numbers, versions and sequences whose decimal text the hash must spell as `String` does.
  static let numbers: [(Int64, Int64, Int64)] = [(42, 3, 99), (1, 1, 1), (0, 0, 0), (.max, .min, -7)]

  @Test("The audit hash from fields is the hash over the joined text, as verifiers compute it", arguments: Self.numbers)
  func auditHash(number: Int64, version: Int64, sequence: Int64) {
    let previous = Data(repeating: 7, count: 32)
    let payloadHash = Data(SHA256.hash(data: Data("载荷".utf8)))
    let fields = [
      "sip-suqian", String(number), String(1_765_000_000.25), "suqian.commerce", "update", "park",
      "0193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b", String(version), String(sequence),
    ]
    var hasher = SHA256()
    hasher.update(data: previous)
    hasher.update(data: Data(fields.joined(separator: "\u{1F}").utf8))
    hasher.update(data: payloadHash)
    let expected = Data(hasher.finalize())
    let entry = AuditEntry(
      tenantID: "sip-suqian", number: number, at: 1_765_000_000.25, officeID: "suqian.commerce", action: "update", kind: "park",
      recordID: "0193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b", version: version, sequence: sequence, payloadSHA256: payloadHash, previousHash: previous
    )
    #expect(entry.hash == expected)
    #expect(AuditChain.hash(.with {
      $0.tenantID = entry.tenantID; $0.number = entry.number; $0.at = entry.at; $0.officeID = entry.officeID
      $0.action = entry.action; $0.kind = entry.kind; $0.recordID = entry.recordID; $0.version = entry.version
      $0.sequence = entry.sequence; $0.payloadSha256 = payloadHash; $0.previousHash = previous
    }) == expected)
  }

  @Test("A payload that trimming leaves as it was is stored as sent; one that trimming changes is encoded again")
  func payloadStoredAsSent() throws {
    let rule = try #require(KindRegistry.standard["park"])
    let context = KindRule.WriteContext(officeID: "suqian.commerce", side: .suqian, role: .contributor)
    var park = Gongjian_V1_Park()
    park.name = "苏州宿迁工业园区"
    park.hostCounty = "宿豫区"
    park.suzhouPartner = "苏州工业园区"
    park.plannedAreaCentimu = 1_380_000
    let sent: Data = try park.serializedBytes()
    let kept = rule.prepare(sent, at: "mutations[0].payload", context: context)
    #expect(kept.violations.isEmpty)
    #expect(kept.payload == sent)

    var padded = park
    padded.name = "  苏州宿迁工业园区 "
    let trimmed = rule.prepare(try padded.serializedBytes(), at: "mutations[0].payload", context: context)
    #expect(trimmed.violations.isEmpty)
    #expect(trimmed.payload == sent)
    #expect(try Gongjian_V1_Park(serializedBytes: trimmed.payload) == park)
  }

  @Test("Record and mutation keys hash by id alone and still tell tenants, kinds and clients apart")
  func keysTellApart() {
    let id = "0193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b"
    let records: Set<RecordKey> = [
      RecordKey(tenantID: "sip-suqian", kind: "park", id: id), RecordKey(tenantID: "kunshan-shuyang", kind: "park", id: id),
      RecordKey(tenantID: "sip-suqian", kind: "meeting", id: id), RecordKey(tenantID: "sip-suqian", kind: "park", id: id),
    ]
    #expect(records.count == 3)
    let mutations: Set<MutationKey> = [
      MutationKey(clientID: "suqian.commerce/c1", mutationID: "m1"), MutationKey(clientID: "suzhou.commerce/c1", mutationID: "m1"),
      MutationKey(clientID: "suqian.commerce/c1", mutationID: "m1"),
    ]
    #expect(mutations.count == 2)
  }

  @Test("The reads a push names ahead are all its plan needs: one pass, no second ask")
  func readsAhead() {
    let parkID = "0193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b"
    let mutations: [PushBatch.Mutation] = [
      .init(mutationID: "m1", kind: "park", recordID: parkID, baseVersion: 0, change: .put(Data([1])), uniqueKey: "基准园区"),
      .init(
        mutationID: "m2", kind: "indicator_report", recordID: "0193a5b2-c3d5-7e5f-9a0b-1c2d3e4f5a6b", baseVersion: 0, change: .put(Data([2])),
        references: [.init(kind: "park", id: parkID, field: "park_id")]
      ),
      .init(mutationID: "m3", kind: "park", recordID: "0193a5b2-c3d6-7e5f-9a0b-1c2d3e4f5a6b", baseVersion: 1, change: .delete),
      .init(mutationID: "m4", kind: "park", recordID: "0193a5b2-c3d7-7e5f-9a0b-1c2d3e4f5a6b", baseVersion: 0, change: .rejected(.with { $0.code = 3 })),
    ]
    let batch = PushBatch(tenantID: "sip-suqian", officeID: "suqian.commerce", clientID: "suqian.commerce/c1", mutations: mutations, receivedAt: Date())
    let planner = PushApplier()
    let reads = planner.reads(for: batch, states: [:])
    #expect(reads.clients == ["suqian.commerce/c1"])
    #expect(reads.tenants == ["sip-suqian"])
    #expect(reads.results.count == 4)
    #expect(reads.records.count == 3)  // the park (created and referenced), the report, the deleted park
    #expect(reads.keyHolders == [UniqueKeySlot(tenantID: "sip-suqian", kind: "park", key: "基准园区")])
    #expect(planner.reads(for: batch, states: ["sip-suqian": Self.state]).tenants.isEmpty)

    // A snapshot of exactly these reads, all absent but the tenant and the deleted park.
    var snapshot = FeedSnapshot()
    for client in reads.clients { snapshot.clientOwners[client] = .some(nil) }
    for tenant in reads.tenants { snapshot.tenantStates[tenant] = .some(Self.state) }
    for key in reads.results { snapshot.results[key] = .some(nil) }
    for key in reads.records { snapshot.records[key] = .some(nil) }
    for slot in reads.keyHolders { snapshot.keyHolders[slot] = .some(nil) }
    let deleted = RecordKey(tenantID: "sip-suqian", kind: "park", id: "0193a5b2-c3d6-7e5f-9a0b-1c2d3e4f5a6b")
    snapshot.records[deleted] = .some(StoredRecord(
      tenantID: "sip-suqian", kind: "park", id: deleted.id, version: 1, sequence: 1, deleted: false, payload: Data([9]),
      officeID: "suqian.commerce", updatedAt: Date()
    ))
    guard case .ready(let push) = planner.plan(batch, snapshot: snapshot, states: [:]) else {
      Issue.record("the plan asked for more reads")
      return
    }
    let outcome = try? push.outcome.get()
    #expect(outcome?.results.map { if case .applied = $0.outcome { "applied" } else { "other" } } == ["applied", "applied", "applied", "other"])
  }

  static let state = TenantState(head: 1, checksum: 0, live: 1, auditCount: 0, auditHead: Data(), bytes: 1)
}
