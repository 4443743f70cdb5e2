internal import Foundation
internal import GongjianProtocol
internal import SwiftProtobuf

extension StoredRecord {
  /// The `type_url` of the payload's `Any`.
  var typeURL: String {
    RecordWire<String.UTF8View, Data>.typeURL(kind: self.kind)
  }

  private var wire: RecordWire<String.UTF8View, Data> {
    RecordWire(
      tenantID: self.tenantID.utf8, kind: self.kind.utf8, id: self.id.utf8, version: self.version, sequence: self.sequence,
      deleted: self.deleted, typeURL: self.typeURL, payload: self.payload, officeID: self.officeID.utf8, updatedAt: self.updatedAt
    )
  }

  /// Appends the record as a length-delimited field `field` holding a `gongjian.v1.Record`,
  /// written straight from the row (``RecordWire``).
  func appendField(_ field: UInt8, to bytes: inout [UInt8]) {
    self.wire.append(field, to: &bytes)
  }

  /// Records as a pull sends them: each a `PullResponse.records` field (1), in one buffer
  /// reserved once.
  static func pullFields(_ records: [StoredRecord]) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(records.reduce(64) { $0 + $1.encodedLengthEstimate })
    for record in records { record.appendField(1, to: &bytes) }
    return bytes
  }

  /// An upper bound of the bytes ``appendField(_:to:)`` writes, to reserve a page's buffer once.
  var encodedLengthEstimate: Int {
    self.wire.encodedLengthEstimate
  }
}
