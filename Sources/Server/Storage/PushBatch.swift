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

    /// Creates a validated mutation.
    public init(mutationID: String, kind: String, recordID: String, baseVersion: UInt64, change: Change) {
      self.mutationID = mutationID
      self.kind = kind
      self.recordID = recordID
      self.baseVersion = baseVersion
      self.change = change
    }
  }

  public var tenantID: String
  public var officeID: String
  public var clientID: String
  public var mutations: [Mutation]
  public var receivedAt: Date

  /// Creates a batch.
  public init(tenantID: String, officeID: String, clientID: String, mutations: [Mutation], receivedAt: Date) {
    self.tenantID = tenantID
    self.officeID = officeID
    self.clientID = clientID
    self.mutations = mutations
    self.receivedAt = receivedAt
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
