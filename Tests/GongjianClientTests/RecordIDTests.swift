import Foundation
import GongjianClient
import GongjianProtocol
import Testing

@Suite("Record ids")
struct RecordIDTests {
  @Test("New ids are lowercase version-7 UUIDs led by their time, and sort by it")
  func timeOrdered() throws {
    let date = Date(timeIntervalSince1970: 1_765_000_000.123)
    let id = RecordID.make(at: date)
    #expect(UUID(uuidString: id) != nil)
    #expect(id == id.lowercased())
    let characters = Array(id)
    #expect(characters[14] == "7")
    #expect("89ab".contains(characters[19]))
    let milliseconds = try #require(UInt64(id.prefix(8) + id.dropFirst(9).prefix(4), radix: 16))
    #expect(milliseconds == 1_765_000_000_123)
    #expect(RecordID.timePrefix(of: id) == String(id.prefix(13)))
    #expect(RecordID.make(at: date) != id)
    // Ids of one millisecond are in random order; 10 ms apart, they sort by time.
    let later = (1...50).map { RecordID.make(at: date.addingTimeInterval(Double($0) / 100)) }
    #expect(later == later.sorted())
    #expect(later.allSatisfy { $0 > id })
  }

  @Test("A record id is a UUID's text: 8-4-4-4-12 hexadecimal digits, in either case", arguments: [
    ("0193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b", true), ("0193A5B2-C3D4-7E5F-9A0B-1C2D3E4F5A6B", true),
    ("00000000-0000-0000-0000-000000000000", true), ("", false), ("0193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6", false),
    ("0193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6bb", false), ("0193a5b2c3d4-7e5f-9a0b-1c2d3e4f5a6b-", false),
    ("0193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6g", false), ("0193a5b2-c3d4-7e5f-9a0b_1c2d3e4f5a6b", false),
    ("园193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a", false), ("{0193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6}", false),
    // Foundation's parser on Linux scans digit pairs with sscanf, which lets these through.
    (" 193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b", false), ("+193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b", false),
  ])
  func uuids(_ text: String, _ valid: Bool) {
    #expect(RecordID.isUUID(text) == valid)
    if valid { #expect(UUID(uuidString: text) != nil) }
  }

  @Test("Only version-7 UUIDs have a time prefix", arguments: [
    "0193a5b2-c3d4-4e5f-9a0b-1c2d3e4f5a6b", "0193a5b2-c3d4-7e5f-ca0b-1c2d3e4f5a6b", "0193a5b2-c3d4-7e5f-9a0b-1c2d3e4f5a6", "park-1", "",
  ])
  func noPrefix(_ id: String) {
    #expect(RecordID.timePrefix(of: id) == nil)
  }

  @Test("A mutation's content id is the same for the same write, led by its record's time when the id has one")
  func contentIDs() {
    let payload = Data([0x0A, 0x03, 0x61, 0x62, 0x63])
    let v7 = RecordID.make()
    let first = MutationDocument.mutation(kind: "park", id: v7, baseVersion: 0, payload: payload)
    let again = MutationDocument.mutation(kind: "park", id: v7, baseVersion: 0, payload: payload)
    #expect(first.mutationID == again.mutationID)
    #expect(first.mutationID.hasPrefix(String(v7.prefix(13)) + "-"))
    #expect(first.mutationID.count == 13 + 1 + 64)
    #expect(MutationDocument.mutation(kind: "park", id: v7, baseVersion: 1, payload: payload).mutationID != first.mutationID)
    // Other ids keep the bare SHA-256, as before: a document pushed again is still a replay.
    let v4 = "0193a5b2-c3d4-4e5f-9a0b-1c2d3e4f5a6b"
    let old = MutationDocument.mutation(kind: "park", id: v4, baseVersion: 0, payload: payload).mutationID
    #expect(old.count == 64 && old.allSatisfy { "0123456789abcdef".contains($0) })
  }
}
