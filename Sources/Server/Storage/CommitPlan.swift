public import Foundation

/// The contract between the write path and a storage backend.
///
/// The commit algorithm (idempotency, base versions, references, rule checks, unique keys,
/// quotas, sequences, checksums, the audit chain) lives once, in a ``CommitPlanner``; a backend
/// only reads and writes. Inside one transaction, for each push, the backend asks the planner for
/// a plan, reads what the planner says it needs (``FeedReads``) into a ``FeedSnapshot``, asks
/// again, and once the plan is ready performs its writes (``FeedWrite``) in order:
///
/// ```swift
/// var snapshot = FeedSnapshot()
/// while true {
///   switch planner.plan(batch, snapshot: snapshot, states: states) {
///   case .needs(let reads): snapshot.merge(try read(reads))  // sync (SQLite) or async (PostgreSQL)
///   case .ready(let push): try write(push.writes); states[batch.tenantID] = push.state; return push.outcome
///   }
/// }
/// ```
///
/// The planner is pure: a plan depends only on the push, the snapshot and the tenant states,
/// so asking again after a read is safe, and an atomic push that is refused writes nothing.
public protocol CommitPlanner: Sendable {
  /// Plans one push over what has been read so far.
  ///
  /// - Parameters:
  ///   - batch: The validated push.
  ///   - snapshot: What the backend has read for it so far, in this transaction.
  ///   - states: Tenant states changed by earlier pushes of the same transaction (not yet saved).
  func plan(_ batch: PushBatch, snapshot: FeedSnapshot, states: [String: TenantState]) -> CommitPlan

  /// What a plan of `batch` will ask for, as far as the push itself tells: a backend that reads
  /// these first plans most pushes in one pass. Reads the plan turns out not to need are harmless;
  /// a plan still asks (``CommitPlan/needs(_:)``) for anything missed.
  ///
  /// - Parameters:
  ///   - batch: The validated push.
  ///   - states: Tenant states changed by earlier pushes of the same transaction.
  func reads(for batch: PushBatch, states: [String: TenantState]) -> FeedReads
}

extension CommitPlanner {
  /// Nothing ahead: every read is asked for by a plan.
  public func reads(for batch: PushBatch, states: [String: TenantState]) -> FeedReads { FeedReads() }
}

/// The planner's answer: what to read first, or the push's outcome and its writes.
public enum CommitPlan: Sendable {
  case needs(FeedReads)
  case ready(PlannedPush)
}

/// A push planned to the end.
public struct PlannedPush: Sendable {
  /// The answer to the push (or why it was refused as a whole).
  public var outcome: Result<PushOutcome, GongjianError>
  /// The rows to write, in order.
  public var writes: [FeedWrite]
  /// The tenant's state after the push: carried to the next push of the transaction and saved
  /// with the transaction (nil when the push was refused as a whole).
  public var state: TenantState?

  public init(outcome: Result<PushOutcome, GongjianError>, writes: [FeedWrite], state: TenantState?) {
    self.outcome = outcome
    self.writes = writes
    self.state = state
  }
}

/// A tenant's counters, read with a lock on the tenant for the transaction and saved at its end.
public struct TenantState: Sendable, Hashable {
  /// The last sequence number given.
  public var head: UInt64
  /// ``RecordChecksum`` over the live records.
  public var checksum: UInt64
  /// Live records.
  public var live: Int64
  /// Entries in the audit chain, and the hash of the last.
  public var auditCount: Int64
  public var auditHead: Data
  /// Bytes of the live records' payloads.
  public var bytes: Int64

  public init(head: UInt64, checksum: UInt64, live: Int64, auditCount: Int64, auditHead: Data, bytes: Int64) {
    self.head = head
    self.checksum = checksum
    self.live = live
    self.auditCount = auditCount
    self.auditHead = auditHead
    self.bytes = bytes
  }
}

/// A record of a tenant.
public struct RecordKey: Hashable, Sendable {
  public var tenantID: String
  public var kind: String
  public var id: String

  public init(tenantID: String, kind: String, id: String) {
    self.tenantID = tenantID
    self.kind = kind
    self.id = id
  }

  // A push hashes each key several times (reads, snapshot, overlay): the id alone tells records
  // apart well enough, and hashing the tenant and kind as well was a tenth of the planning.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(self.id)
  }
}

/// A unique key of a kind in a tenant (at most one live record holds it).
public struct UniqueKeySlot: Hashable, Sendable {
  public var tenantID: String
  public var kind: String
  public var key: String

  public init(tenantID: String, kind: String, key: String) {
    self.tenantID = tenantID
    self.kind = kind
    self.key = key
  }
}

/// A client's mutation id.
public struct MutationKey: Hashable, Sendable {
  public var clientID: String
  public var mutationID: String

  public init(clientID: String, mutationID: String) {
    self.clientID = clientID
    self.mutationID = mutationID
  }

  // As with ``RecordKey``: mutation ids are unique per client, and clients are few.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(self.mutationID)
  }
}

/// What the planner needs read before it can go on.
public struct FeedReads: Sendable, Equatable {
  /// The office each client id is bound to.
  public var clients: Set<String> = []
  /// Tenant states, locked for the rest of the transaction.
  public var tenants: Set<String> = []
  /// Stored answers of mutation ids.
  public var results: Set<MutationKey> = []
  /// Current versions of records (tombstones included).
  public var records: Set<RecordKey> = []
  /// The id of the live record holding a unique key.
  public var keyHolders: Set<UniqueKeySlot> = []

  public init() {}

  public var isEmpty: Bool {
    self.clients.isEmpty && self.tenants.isEmpty && self.results.isEmpty && self.records.isEmpty && self.keyHolders.isEmpty
  }
}

/// What a backend has read for the planner, in the planner's transaction. A key present with a
/// nil value was read and found absent.
public struct FeedSnapshot: Sendable {
  public var clientOwners: [String: String?] = [:]
  public var tenantStates: [String: TenantState?] = [:]
  public var results: [MutationKey: Data?] = [:]
  public var records: [RecordKey: StoredRecord?] = [:]
  public var keyHolders: [UniqueKeySlot: String?] = [:]

  public init() {}
}

/// A row a planned push writes.
public enum FeedWrite: Sendable {
  /// Binds a client id to the office that first pushed with it.
  case bindClient(clientID: String, officeID: String, at: Date)
  /// Appends a version to the change feed.
  case change(StoredRecord)
  /// Makes a version the record's current one, with its unique key (nil when deleted or none).
  case record(StoredRecord, uniqueKey: String?)
  /// Appends an entry to the tenant's audit chain, with its hash (computed once, by the planner).
  case audit(AuditEntry, hash: Data)
  /// Keeps a mutation's answer for replays.
  case result(MutationKey, tenantID: String, result: Data, at: Date)
}
