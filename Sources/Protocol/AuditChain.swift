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
    // Joined in one stack buffer: the write path hashes an entry per record, and building the
    // text from Strings cost more than the digest.
    let at = String(at)
    let texts = tenantID.utf8.count + officeID.utf8.count + action.utf8.count + kind.utf8.count + recordID.utf8.count
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: texts + at.utf8.count + 8 + 3 * 20) { buffer in
      var end = 0
      func text(_ text: String) {
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes in
          UnsafeMutableBufferPointer(rebasing: buffer[end..<end + bytes.count]).initialize(fromContentsOf: bytes)
        }
        if let copied {
          end += copied
          return
        }
        for byte in text.utf8 {
          buffer[end] = byte
          end += 1
        }
      }
      func decimal(_ value: Int64) {
        if value < 0 {
          buffer[end] = UInt8(ascii: "-")
          end += 1
        }
        var magnitude = value.magnitude
        let start = end
        repeat {
          buffer[end] = UInt8(ascii: "0") + UInt8(magnitude % 10)
          end += 1
          magnitude /= 10
        } while magnitude > 0
        buffer[start..<end].reverse()
      }
      func separator() {
        buffer[end] = 0x1F
        end += 1
      }
      text(tenantID)
      separator()
      decimal(number)
      separator()
      text(at)
      separator()
      text(officeID)
      separator()
      text(action)
      separator()
      text(kind)
      separator()
      text(recordID)
      separator()
      decimal(version)
      separator()
      decimal(sequence)
      hasher.update(bufferPointer: UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[..<end])))
    }
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
