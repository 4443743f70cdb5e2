internal import GongjianProtocol
internal import SwiftProtobuf

extension StoredRecord {
  /// The record as it travels on the wire.
  var proto: Gongjian_V1_Record {
    var record = Gongjian_V1_Record()
    record.tenantID = self.tenantID
    record.kind = self.kind
    record.id = self.id
    record.version = self.version
    record.sequence = self.sequence
    record.deleted = self.deleted
    if !self.deleted {
      var any = Google_Protobuf_Any()
      any.typeURL = self.typeURL
      any.value = self.payload
      record.payload = any
    }
    record.officeID = self.officeID
    record.updatedAt = Google_Protobuf_Timestamp(date: self.updatedAt)
    return record
  }
}

extension TenantCheckpoint {
  var proto: Gongjian_V1_Checkpoint {
    .with {
      $0.headSequence = self.headSequence
      $0.checksum = self.checksum
      $0.liveRecords = self.liveRecords
    }
  }
}
