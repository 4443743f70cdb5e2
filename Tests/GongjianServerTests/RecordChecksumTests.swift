import GongjianProtocol
import Testing

@Suite("Record checksum")
struct RecordChecksumTests {
  /// The hash is part of the wire contract (clients in any language recompute it); these values
  /// come from Python: `int.from_bytes(hashlib.sha256(f"{kind}\n{id}\n{version}".encode()).digest()[:8], "big")`.
  @Test(arguments: [
    ("park", "a", UInt64(2), UInt64(17_027_810_973_571_483_767)),
    ("project", "3f2c", UInt64.max, UInt64(6_028_632_997_297_156_756)),
    ("", "", UInt64(0), UInt64(10_074_069_429_448_959_159)),
    ("指标", "园区-1", UInt64(10), UInt64(5_746_784_775_483_575_804)),
  ])
  func matchesTheReference(kind: String, id: String, version: UInt64, expected: UInt64) {
    #expect(RecordChecksum.hash(kind: kind, id: id, version: version) == expected)
  }

  @Test func isASumInAnyOrder() {
    let records: [(kind: String, id: String, version: UInt64)] = [("park", "a", 1), ("project", "b", 7), ("park", "c", 1_000_000)]
    let sum = records.reduce(UInt64(0)) { $0 &+ RecordChecksum.hash(kind: $1.kind, id: $1.id, version: $1.version) }
    #expect(RecordChecksum.checksum(of: records) == sum)
    #expect(RecordChecksum.checksum(of: records.reversed()) == sum)
  }
}
