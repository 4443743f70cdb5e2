public import Foundation
public import GongjianProtocol
internal import GRPCCore

/// A local write in the outbox: queued, or answered with a conflict or a rejection that waits
/// for the office to resolve it.
public struct OutboxEntry: Sendable {
  /// Where the write stands.
  public enum State: String, Sendable, Codable {
    /// Waits to be pushed (again, with the same mutation id, after a failed attempt).
    case pending
    /// The server's record moved on; both versions are kept until resolved.
    case conflict
    /// The server refused the write; kept until edited or discarded.
    case rejected
  }

  /// The entry's number in this mirror, for `gongjian conflicts resolve NUMBER`.
  public var number: Int64
  public var tenantID: String
  /// The id the server deduplicates by: the same for every retry of this write.
  public var mutationID: String
  public var kind: String
  public var recordID: String
  public var baseVersion: UInt64
  public var delete: Bool
  /// The serialized payload message (empty for a delete).
  public var payload: Data
  public var createdAt: Date
  /// Push attempts that got no answer.
  public var attempts: Int
  public var state: State
  /// The server's message for a conflict or rejection, or the last delivery failure.
  public var message: String
  /// Fields the server named in a rejection.
  public var violations: [String]
  /// The server's current record at the conflict (nil when it never existed).
  public var theirs: MirrorRecord?
  /// The move this write belongs to, when it is one of several pushed all or nothing.
  public var group: String?
  /// A rejection's gRPC status code (0 otherwise).
  public var code: Int32 = 0

  /// Whether a rejection was a refusal for permission: the caller is not authenticated or not
  /// permitted, rather than the data being wrong.
  public var deniedPermission: Bool { self.state == .rejected && Self.isPermissionCode(self.code) }

  /// PERMISSION_DENIED and UNAUTHENTICATED.
  static func isPermissionCode(_ code: Int32) -> Bool {
    [RPCError.Code.permissionDenied, .unauthenticated].contains { Int32($0.rawValue) == code }
  }

  /// The fields a rejection named that its message does not already say.
  public var unsaidViolations: [String] {
    self.violations.filter { !self.message.contains($0) }
  }

  /// What the server said, each finding once: its message, then what else it named.
  public var detail: String {
    ([self.message] + self.unsaidViolations).filter { !$0.isEmpty }.joined(separator: "; ")
  }

  /// The write as a mutation for `Sync/Push`.
  public var mutation: Gongjian_V1_Mutation {
    .with {
      $0.mutationID = self.mutationID
      $0.kind = self.kind
      $0.recordID = self.recordID
      $0.baseVersion = self.baseVersion
      if self.delete {
        $0.delete = true
      } else if let kind = RecordKind.named(self.kind) {
        $0.payload = kind.pack(serialized: self.payload)
      }
    }
  }
}
