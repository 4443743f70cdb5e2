import Foundation
import GongjianProtocol
@testable import GongjianServer
import SwiftProtobuf
import Testing

@Suite("Pulled pages written from the rows")
struct PullFrameTests {
  static let records: [StoredRecord] = [
    StoredRecord(
      tenantID: "wujiang-siyang", kind: "park", id: "3f2c9a1e-0000-4000-8000-000000000001", version: 1, sequence: 1,
      deleted: false, payload: Data("苏宿工业园区".utf8), officeID: "suqian.drc", updatedAt: Date(timeIntervalSince1970: 1_800_000_000.123456)
    ),
    // A tombstone: no payload.
    StoredRecord(
      tenantID: "wujiang-siyang", kind: "project", id: "b", version: 7, sequence: 300, deleted: true, payload: Data(),
      officeID: "suzhou.commerce", updatedAt: Date(timeIntervalSince1970: 1_800_000_001)
    ),
    // Defaults everywhere, an empty payload, a time before 1970 (negative seconds), a kind with
    // no registered type.
    StoredRecord(
      tenantID: "", kind: "unknown_kind", id: "", version: 0, sequence: 0, deleted: false, payload: Data(),
      officeID: "", updatedAt: Date(timeIntervalSince1970: -86_400.5)
    ),
    // Long fields: lengths over 127 take two varint bytes; large numbers take many.
    StoredRecord(
      tenantID: String(repeating: "租", count: 60), kind: "indicator_report", id: String(repeating: "x", count: 200),
      version: UInt64.max, sequence: 1 << 40, deleted: false, payload: Data(repeating: 7, count: 20_000),
      officeID: "o", updatedAt: Date(timeIntervalSince1970: 0)
    ),
  ]

  @Test("A page from the rows is byte for byte what SwiftProtobuf writes for the same response", arguments: [
    TenantCheckpoint(headSequence: 1 << 40, checksum: 0xDEAD_BEEF_0000_0001, liveRecords: 3, compactionHorizon: 0),
    TenantCheckpoint(headSequence: 0, checksum: 0, liveRecords: 0, compactionHorizon: 0),
  ])
  func sameBytes(checkpoint: TenantCheckpoint) throws {
    for count in [0, 1, Self.records.count] {
      for more in [false, true] {
        let records = Array(Self.records.prefix(count))
        let nextCursor = records.last?.sequence ?? 0
        let expected = Gongjian_V1_PullResponse.with {
          $0.records = records.map(\.proto)
          $0.nextCursor = nextCursor
          $0.more = more
          $0.checkpoint = checkpoint.proto
        }
        let frame = PullFrame.page(records, nextCursor: nextCursor, more: more, checkpoint: checkpoint)
        guard case .encoded(let bytes) = frame else {
          Issue.record("a page is pre-encoded")
          return
        }
        #expect(bytes == (try expected.serializedBytes() as [UInt8]), "\(count) records, more \(more)")
        #expect(try frame.decoded() == expected)
      }
    }
  }
}

@Suite("Pulled pages written straight from SQLite's columns")
struct SQLiteEncodedChangesTests {
  @Test("SQLite's pages are byte for byte the pages written from its records: every kind, tombstones, page ends")
  func sameAsFromRecords() async throws {
    try await Harness.with(dataset: true) { h in
      // A tombstone among the sample partnership's records.
      let id = newID()
      _ = try await h.sync.push(pushRequest("sip-suqian", [putPark(id, base: 0, name: "拆除园区")]), metadata: office("suqian.commerce"))
      _ = try await h.sync.push(
        pushRequest("sip-suqian", [.with { $0.mutationID = newID(); $0.kind = "park"; $0.recordID = id; $0.baseVersion = 1; $0.delete = true }]),
        metadata: office("suqian.commerce")
      )
      var pages = 0
      var tombstones = 0
      for tenant in ["sip-suqian", "changshu-sihong", "wujiang-siyang", "city"] {
        var cursor: UInt64 = 0
        while true {
          let direct = try await h.store.encodedChanges(tenantID: tenant, after: cursor, limit: 7)
          let page = try await h.store.changes(tenantID: tenant, after: cursor, limit: 7)
          var expected: [UInt8] = []
          for record in page.records { record.appendField(1, to: &expected) }
          #expect(direct.records == expected, "\(tenant) after \(cursor)")
          #expect(direct.count == page.records.count && direct.lastSequence == page.records.last?.sequence)
          #expect(direct.hasMore == page.hasMore && direct.checkpoint == page.checkpoint)
          let decoded = try Gongjian_V1_PullResponse(serializedBytes: direct.records)
          #expect(decoded.records == page.records.map(\.proto))
          pages += 1
          tombstones += page.records.filter(\.deleted).count
          guard page.hasMore, let last = page.records.last else { break }
          cursor = last.sequence
        }
      }
      #expect(pages > 20)
      #expect(tombstones == 1)
    }
  }
}
