internal import Foundation
internal import GongjianProtocol
internal import SwiftProtobuf

extension Gongjian_V1_RecordPayload {
  /// The payload's kind and serialized message.
  ///
  /// - Throws: `invalidArgument` naming `payload` when no kind is set.
  func kindAndBytes() throws -> (RecordKind, Data) {
    guard let (kind, message) = RecordKind.of(self) else {
      throw GongjianError.invalidField("payload", "set one of: \(RecordKind.all.map(\.name).joined(separator: ", "))")
    }
    return (kind, try message.serializedBytes())
  }
}

extension StoredRecord {
  /// The record with its typed payload.
  func typed() throws -> Gongjian_V1_TypedRecord {
    let payload = try Gongjian_V1_RecordPayload(kind: self.kind, data: self.payload)
    return .with {
      $0.tenantID = self.tenantID
      $0.kind = self.kind
      $0.id = self.id
      $0.version = self.version
      $0.sequence = self.sequence
      $0.officeID = self.officeID
      $0.updatedAt = Google_Protobuf_Timestamp(date: self.updatedAt)
      $0.payload = payload
    }
  }
}
