public import Foundation

/// Each tenant's records and change feed: the write path's commit and the reads of sync.
/// Every query carries its tenant; callers authorise before calling.
public protocol FeedStore: Sendable {
  /// Commits pushes in one durable transaction, driving `planner` through each (see
  /// ``CommitPlanner``); one result per push, in order.
  func commit(_ batches: [PushBatch], planner: any CommitPlanner) async throws -> [Result<PushOutcome, GongjianError>]
  /// Changes of a tenant after a cursor, at most `limit`, with the snapshot's checkpoint.
  func changes(tenantID: String, after cursor: UInt64, limit: Int) async throws -> ChangePage
  /// ``changes(tenantID:after:limit:)`` as a pull sends them: each change written as a
  /// `PullResponse.records` field. By default from ``changes(tenantID:after:limit:)``; a store can
  /// write them straight from its rows.
  func encodedChanges(tenantID: String, after cursor: UInt64, limit: Int) async throws -> EncodedChangePage
  /// A record's current version (tombstones included).
  func record(tenantID: String, kind: String, id: String) async throws -> StoredRecord?
  /// The live (not deleted) records of one kind in a tenant, by id.
  func liveRecords(tenantID: String, kind: String) async throws -> [StoredRecord]
  /// A tenant's current checkpoint.
  func checkpoint(tenantID: String) async throws -> TenantCheckpoint
  /// Removes superseded versions, tombstones and idempotency entries older than `cutoff`.
  func compact(before cutoff: Date) async throws -> CompactionReport
}

extension FeedStore {
  public func encodedChanges(tenantID: String, after cursor: UInt64, limit: Int) async throws -> EncodedChangePage {
    let page = try await self.changes(tenantID: tenantID, after: cursor, limit: limit)
    return EncodedChangePage(
      records: StoredRecord.pullFields(page.records), count: page.records.count, lastSequence: page.records.last?.sequence, hasMore: page.hasMore,
      checkpoint: page.checkpoint
    )
  }
}
