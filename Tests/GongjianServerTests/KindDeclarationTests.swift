import Foundation
import GongjianProtocol
import GongjianServer
import SwiftProtobuf
import Testing

/// Every kind of the schema is one declaration (``RecordKind``) that every per-kind list reads.
@Suite("Record kind declarations")
struct KindDeclarationTests {
  /// The kinds as the schema has them: the fields of `RecordPayload`'s oneof.
  static let schemaKinds = ProtoSchema.fields(ofMessage: "gongjian.v1.RecordPayload")

  @Test("Every field of RecordPayload is a declared kind with its message, and every declared kind is in the schema")
  func schemaAndDeclarationsAgree() throws {
    #expect(!Self.schemaKinds.isEmpty)
    for field in Self.schemaKinds {
      let kind = try #require(RecordKind.named(field.name), "\(field.name) is in the schema but not declared")
      #expect(kind.messageType.protoMessageName == field.messageType, "\(field.name)")
    }
    #expect(Set(RecordKind.all.map(\.name)) == Set(Self.schemaKinds.map(\.name)))
    #expect(RecordKind.all.map(\.name) == Self.schemaKinds.map(\.name), "RecordKind.all follows the schema's order")
  }

  @Test("Every declared kind has server rules, labels in both editions, list columns that its summary fills, and field labels of real fields")
  func declarationsAreComplete() throws {
    for kind in RecordKind.all {
      #expect(KindRegistry.standard[kind.name] != nil, "\(kind.name) has no rules")
      #expect(!kind.label.chinese.isEmpty && !kind.label.english.isEmpty, "\(kind.name)")
      let message = kind.messageType.init()
      #expect(kind.summary(of: message).count == kind.columns.count, "\(kind.name)")
      let fields = Set(ProtoSchema.fields(ofMessage: kind.messageType.protoMessageName).map(\.name))
      for field in kind.fieldLabels.keys {
        #expect(fields.contains(field), "\(kind.name).\(field) is labelled but not a field")
      }
    }
  }

  @Test("A payload of every kind goes into RecordPayload and back unchanged, and is found as that kind")
  func payloadRoundTrip() throws {
    for kind in RecordKind.all {
      let data = try kind.messageType.init().serializedBytes() as Data
      let payload = try Gongjian_V1_RecordPayload(kind: kind.name, data: data)
      let found = try #require(RecordKind.of(payload), "\(kind.name)")
      #expect(found.kind == kind)
      #expect(try found.message.serializedBytes() as Data == data)
    }
    #expect(RecordKind.of(Gongjian_V1_RecordPayload()) == nil)
    #expect(throws: RecordKind.UnknownKind.self) { try Gongjian_V1_RecordPayload(kind: "no_such_kind", data: Data()) }
  }

  @Test("List filters apply per kind: a park filter passes projects of that park only, kinds without it pass")
  func filters() {
    var request = Gongjian_V1_ListRecordsRequest()
    request.parkID = "5A1E0000-0000-4000-8000-000000000001"
    var inPark = Gongjian_V1_RecordPayload()
    inPark.transferredProject = .with { $0.hostParkID = "5a1e0000-0000-4000-8000-000000000001" }
    var elsewhere = Gongjian_V1_RecordPayload()
    elsewhere.transferredProject = .with { $0.hostParkID = "5a1e0000-0000-4000-8000-000000000002" }
    var council = Gongjian_V1_RecordPayload()
    council.council = .with { $0.name = "x" }
    #expect(RecordFilter(request).matches(inPark))
    #expect(!RecordFilter(request).matches(elsewhere))
    #expect(RecordFilter(request).matches(council))
  }
}
