import Foundation
import GongjianProtocol
@testable import GongjianServer
import SwiftProtobuf
import Testing

@Suite("Subscription frames")
struct SubscribeFrameTests {
  func record(_ sequence: UInt64, name: String) throws -> Gongjian_V1_Record {
    .with {
      $0.tenantID = "city"
      $0.kind = "park"
      $0.id = "park-\(sequence)"
      $0.version = 1
      $0.sequence = sequence
      $0.officeID = "suqian.drc"
      $0.updatedAt = Google_Protobuf_Timestamp(seconds: 1_800_000_000 + Int64(sequence))
      $0.payload = .with {
        $0.typeURL = "type.googleapis.com/gongjian.v1.Park"
        $0.value = Data(name.utf8)
      }
    }
  }

  @Test("Changes encoded once by the hub decode to the same response a subscriber would build", arguments: [1, 3, 200])
  func preEncoded(count: Int) throws {
    // Long names make records over 127 bytes, so lengths take two varint bytes.
    let records = try (1...count).map { try self.record(UInt64(1_000 + $0), name: String(repeating: "园区", count: $0 % 90)) }
    let changes = try records.map { ChangeHub.Change(sequence: $0.sequence, recordsField: try SubscribeFrame.recordsField($0)) }
    guard case .encoded(let bytes) = SubscribeFrame.changes(changes[...], cursor: records.last!.sequence) else {
      Issue.record("expected pre-encoded bytes")
      return
    }
    let decoded = try Gongjian_V1_SubscribeResponse(serializedBytes: bytes)
    let built = Gongjian_V1_SubscribeResponse.with {
      $0.changes = .with {
        $0.records = records
        $0.cursor = records.last!.sequence
      }
    }
    #expect(decoded == built)
    #expect(bytes == (try built.serializedBytes() as [UInt8]))
  }
}
