public import Foundation
public import GongjianProtocol

/// One validated push, ready for the store to commit.
public struct PushBatch: Sendable {
  /// One mutation after validation.
  public struct Mutation: Sendable {
    /// What the mutation does, or why it was rejected before reaching the store.
    public enum Change: Sendable {
      /// Write this serialized payload.
      case put(Data)
      /// Write a tombstone.
      case delete
      /// Validation refused it; the store records this answer for replays.
      case rejected(Gongjian_V1_MutationResult.Rejected)
    }

    public var mutationID: String
    public var kind: String
    public var recordID: String
    public var baseVersion: UInt64
    public var change: Change
    /// At most one live record of the kind per tenant has this key.
    public var uniqueKey: String?
    /// Records that must exist, live, in the tenant.
    public var references: [Reference]
    /// Checks the write against the current payload and other records of the tenant (state
    /// machines, workflow rules); runs inside the store's transaction.
    public var check: (@Sendable (_ current: Data?, _ lookup: (_ kind: String, _ id: String) -> Data?) -> [GongjianError.FieldViolation])?
    /// Values outside their plausible range, answered with the applied write.
    public var warnings: [GongjianError.FieldViolation]

    /// Creates a validated mutation.
    public init(
      mutationID: String, kind: String, recordID: String, baseVersion: UInt64, change: Change,
      uniqueKey: String? = nil, references: [Reference] = [],
      check: (@Sendable (_ current: Data?, _ lookup: (_ kind: String, _ id: String) -> Data?) -> [GongjianError.FieldViolation])? = nil,
      warnings: [GongjianError.FieldViolation] = []
    ) {
      self.warnings = warnings
      self.mutationID = mutationID
      self.kind = kind
      self.recordID = recordID
      self.baseVersion = baseVersion
      self.change = change
      self.uniqueKey = uniqueKey
      self.references = references
      self.check = check
    }
  }

  /// A payload field that names another record.
  public struct Reference: Sendable {
    public var kind: String
    public var id: String
    /// The field's path, for the violation.
    public var field: String
    /// The tenant the record lives in; nil for the push's own tenant. The engine has already
    /// checked that the writer may read it.
    public var tenantID: String?

    public init(kind: String, id: String, field: String, tenantID: String? = nil) {
      self.kind = kind
      self.id = id
      self.field = field
      self.tenantID = tenantID
    }
  }

  public var tenantID: String
  public var officeID: String
  public var clientID: String
  public var mutations: [Mutation]
  public var receivedAt: Date
  /// All or nothing: unless every mutation is applied, none of them is committed and no answer
  /// is stored for replay.
  public var atomic: Bool
  /// Most bytes the tenant's live records may take; 0 for no limit.
  public var storedBytesQuota: Int64 = 0

  /// Creates a batch.
  public init(tenantID: String, officeID: String, clientID: String, mutations: [Mutation], receivedAt: Date, atomic: Bool = false) {
    self.tenantID = tenantID
    self.officeID = officeID
    self.clientID = clientID
    self.mutations = mutations
    self.receivedAt = receivedAt
    self.atomic = atomic
  }
}

/// What the store did with one push.
public struct PushOutcome: Sendable {
  /// One answer per mutation, in order.
  public var results: [Gongjian_V1_MutationResult]
  /// The tenant's head after this push: pulling up to it returns every change of the push.
  public var writeCheckpoint: UInt64
  /// The versions this push wrote, in sequence order (for live subscribers).
  public var committed: [StoredRecord]
}
