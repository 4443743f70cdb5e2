internal import Crypto
public import Foundation

/// The audit chain's arithmetic, shared by the server that writes it and a client that verifies it.
public enum AuditChain {
  /// SHA-256 over the previous hash, the entry's fields joined by U+001F, and the payload's hash.
  public static func hash(_ entry: Gongjian_V1_AuditEntry) -> Data {
    Self.hash(
      previousHash: entry.previousHash, tenantID: entry.tenantID, number: entry.number, at: entry.at,
      officeID: entry.officeID, action: entry.action, kind: entry.kind, recordID: entry.recordID,
      version: entry.version, sequence: entry.sequence, payloadSHA256: entry.payloadSha256
    )
  }

  /// The same hash from the entry's fields, for a writer that has no message to build.
  public static func hash(
    previousHash: Data, tenantID: String, number: Int64, at: Double, officeID: String, action: String,
    kind: String, recordID: String, version: Int64, sequence: Int64, payloadSHA256: Data
  ) -> Data {
    var hasher = SHA256()
    hasher.update(data: previousHash)
    var fields = tenantID
    for field in [String(number), String(at), officeID, action, kind, recordID, String(version), String(sequence)] {
      fields += "\u{1F}"
      fields += field
    }
    fields.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    hasher.update(data: payloadSHA256)
    return Data(hasher.finalize())
  }

  /// The text a checkpoint's signature covers.
  public static func checkpointText(tenantID: String, count: Int64, head: Data, signedAt: Int64) -> Data {
    let hex = head.hexadecimal
    return Data("gongjian-audit-checkpoint\n\(tenantID)\n\(count)\n\(hex)\n\(signedAt)".utf8)
  }

  /// Where a chain breaks.
  public struct Break: Error, Sendable, Equatable, CustomStringConvertible {
    public var number: Int64
    public var reason: String
    public var description: String { "entry \(self.number): \(self.reason)" }
  }

  /// Recomputes a chain from its first entry: numbers without gaps, each linked to the one
  /// before, each hash matching its fields.
  ///
  /// - Returns: The first break, or nil when the chain holds.
  public static func firstBreak(_ entries: [Gongjian_V1_AuditEntry]) -> Break? {
    var previous = Data()
    for (index, entry) in entries.enumerated() {
      if entry.number != Int64(index + 1) {
        return Break(number: entry.number, reason: "expected entry \(index + 1)")
      }
      if entry.previousHash != previous {
        return Break(number: entry.number, reason: "does not link to entry \(entry.number - 1)")
      }
      if Self.hash(entry) != entry.hash {
        return Break(number: entry.number, reason: "its hash does not match its fields (\(entry.action) \(entry.kind) \(entry.recordID) v\(entry.version))")
      }
      previous = entry.hash
    }
    return nil
  }
}
