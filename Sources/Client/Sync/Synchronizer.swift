internal import Foundation
internal import GongjianProtocol
internal import GRPCCore

/// Keeps a ``Mirror`` and the server in step: pushes the outbox (retrying with the same mutation
/// ids), pulls each tenant's feed into the mirror page by page, verifies the checksum, refetches
/// a tenant on a reset or a mismatch, and follows the live feed.
public struct Synchronizer: Sendable {
  /// Sizes and retry policy.
  public struct Configuration: Sendable {
    /// Records per pulled page. Default 5,000 (the server's default maximum).
    public var pageSize: UInt32
    /// Mutations per push. Default 500 (the server's default maximum).
    public var pushBatchSize: Int
    /// Backoff between attempts that got no answer.
    public var retry: RetryPolicy
    /// How often `watch` pushes writes queued meanwhile. Default 1 s.
    public var outboxPollInterval: Duration
    /// Pulled records written per transaction (whole pages). Default 50,000.
    public var recordsPerTransaction: Int = 50_000

    /// A configuration; see the properties for the defaults.
    public init(pageSize: UInt32, pushBatchSize: Int, retry: RetryPolicy, outboxPollInterval: Duration) {
      self.pageSize = pageSize
      self.pushBatchSize = pushBatchSize
      self.retry = retry
      self.outboxPollInterval = outboxPollInterval
    }

    /// The defaults above.
    public static var defaults: Configuration {
      Configuration(pageSize: 5000, pushBatchSize: 500, retry: .defaults, outboxPollInterval: .seconds(1))
    }
  }

  /// One tenant's outcome of ``sync(client:tenantIDs:officeID:progress:)``.
  public struct Report: Sendable {
    public var tenantID: String
    public var pushed = PushTally()
    public var pulled = 0
    /// The checksum comparison at the end.
    public var verification: Mirror.Verification = .notYet
    /// Why the tenant was refetched from 0, if it was.
    public var refetched: String?
    /// Why the server refused to sync this tenant (the office lost access), if it did.
    public var refused: String?
  }

  /// What a sync is doing, for progress displays.
  public struct Progress: Sendable {
    public enum Phase: Sendable, Equatable { case pushing, pulling, caughtUp, live, waiting(String) }
    public var tenantID: String
    public var phase: Phase
    public var pushed = 0
    public var pulled = 0
    public var cursor: UInt64 = 0
    public var head: UInt64 = 0
    /// When this tenant's sync started.
    public var started: ContinuousClock.Instant
  }

  public let mirror: Mirror
  public let configuration: Configuration

  /// A synchronizer of `mirror`.
  public init(mirror: Mirror, configuration: Configuration = .defaults) {
    self.mirror = mirror
    self.configuration = configuration
  }

  // MARK: Push

  /// Pushes every pending write of a tenant, in order, in batches; retries a batch that got no
  /// answer with the same mutation ids, so that a retry is at most a replay.
  ///
  /// - Throws: ``GongjianClientError`` (`connection`) when the retries are used up; the writes
  ///   stay pending.
  public func push(
    client: GongjianClient, tenantID: String, officeID: String, onBatch: @Sendable (PushTally) -> Void = { _ in }
  ) async throws -> PushTally {
    let clientID = try self.mirror.clientID()
    var total = PushTally()
    var batchSize = self.configuration.pushBatchSize
    while true {
      var batch = try self.mirror.pending(tenantID: tenantID, limit: batchSize)
      if batch.isEmpty { return total }
      // A move's writes go alone and all or nothing; other writes up to the next move.
      let group = batch[0].group
      batch = Array(batch.prefix { $0.group == group })
      let response: Gongjian_V1_PushResponse
      do {
        response = try await self.configuration.retry.run {
          try await client.push(tenantID: tenantID, clientID: clientID, mutations: batch.map(\.mutation), atomic: group != nil)
        } onRetry: { error in
          try? self.mirror.recordFailedAttempt(batch, message: error.message)
        }
      } catch let error as GongjianClientError where error.code == .resourceExhausted && batch.count > 1 && group == nil {
        batchSize = max(1, batch.count / 2)
        continue
      } catch let error as GongjianClientError where error.code == .permissionDenied || error.kind == .rejected {
        // The whole push was refused (e.g. the office lost its membership): the writes become
        // visible items instead of being retried for ever.
        let results = batch.map { entry in
          Gongjian_V1_MutationResult.with {
            $0.mutationID = entry.mutationID
            $0.rejected = .with { $0.code = Int32((error.code ?? .unknown).rawValue); $0.message = error.message }
          }
        }
        let tally = try self.mirror.settle(batch, results: results, officeID: officeID)
        total.rejected += tally.rejected
        onBatch(total)
        continue
      } catch let error as GongjianClientError {
        try? self.mirror.recordFailedAttempt(batch, message: error.message)
        throw error
      }
      let tally = try self.mirror.settle(batch, results: response.results, officeID: officeID)
      total.add(tally)
      onBatch(total)
    }
  }

  // MARK: Pull

  /// Pulls a tenant's feed from the mirror's cursor until caught up, one transaction per page;
  /// on a reset answer or a checksum mismatch refetches the tenant from 0 (once).
  ///
  /// - Returns: Records pulled, the final verification, and why it refetched if it did.
  public func pull(
    client: GongjianClient, tenantID: String, onPage: @Sendable (Int, UInt64, UInt64) -> Void = { _, _, _ in }
  ) async throws -> (pulled: Int, verification: Mirror.Verification, refetched: String?) {
    var pulled = 0
    var refetched: String?
    var cursor = try self.mirror.cursor(tenantID: tenantID)
    // A mirror without any record (a first sync) is loaded in bulk until the caught-up page.
    var bulk = cursor == 0 ? try self.mirror.beginBulkLoad() : false
    let retry = self.configuration.retry
    let pageSize = self.configuration.pageSize
    let mirror = self.mirror
    // Pages wait here until enough records for one transaction, or the caught-up page.
    var buffered: [Gongjian_V1_PullResponse] = []
    var bufferedRecords = 0
    // The previous full batch, being written to the mirror while the next one is fetched. Batches
    // are written in order: one starts only after the one before it is in the mirror.
    var writing: (task: Task<Void, any Error>, records: Int, cursor: UInt64, head: UInt64)?
    func written() async throws {
      guard let batch = writing else { return }
      writing = nil
      try await batch.task.value
      pulled += batch.records
      onPage(pulled, batch.cursor, batch.head)
    }
    do {
      while true {
        let page = try await retry.run { try await client.pull(tenantID: tenantID, cursor: cursor, pageSize: pageSize) }
        if page.hasReset {
          guard refetched == nil else {
            throw GongjianClientError(.server, "tenant \(tenantID): the server keeps answering with a reset: \(page.reset.reason)")
          }
          try await written()
          refetched = page.reset.reason
          try mirror.reset(tenantID: tenantID, note: "refetched: \(page.reset.reason)")
          cursor = 0
          buffered = []
          bufferedRecords = 0
          continue
        }
        buffered.append(page)
        bufferedRecords += page.records.count
        // A caught-up page covers everything up to the snapshot's head, even a purged tombstone's.
        cursor = page.more ? page.nextCursor : max(page.nextCursor, page.checkpoint.headSequence)
        if page.more && bufferedRecords < self.configuration.recordsPerTransaction { continue }
        try await written()
        let batch = buffered
        let records = bufferedRecords
        buffered = []
        bufferedRecords = 0
        if page.more {
          let inBulk = bulk
          writing = (Task { try mirror.apply(pages: batch, tenantID: tenantID, bulk: inBulk) }, records, cursor, page.checkpoint.headSequence)
          continue
        }
        // The caught-up batch is written here: its checksum comparison decides what follows.
        let verification = try mirror.apply(pages: batch, tenantID: tenantID, bulk: bulk)
        bulk = false
        pulled += records
        onPage(pulled, cursor, page.checkpoint.headSequence)
        switch verification {
        case .notYet:
          continue
        case .matched:
          if refetched == nil { try mirror.setNote("", tenantID: tenantID) }
          return (pulled, verification, refetched)
        case .mismatch(let mine, let theirs):
          let reason = "checksum mismatch at sequence \(cursor): mirror \(String(mine, radix: 16)), server \(String(theirs, radix: 16))"
          guard refetched == nil else {
            try mirror.setNote("\(reason), again after a refetch", tenantID: tenantID)
            return (pulled, verification, refetched)
          }
          refetched = reason
          try mirror.reset(tenantID: tenantID, note: "refetched after a \(reason)")
          cursor = 0
        }
      }
    } catch {
      // Nothing may write to the mirror behind the caller's back once this returns, and the
      // mirror keeps its key index.
      if let batch = writing { _ = try? await batch.task.value }
      if bulk { try? mirror.finishBulkLoad() }
      throw error
    }
  }

  // MARK: Sync

  /// Pushes then pulls each tenant.
  ///
  /// - Parameters:
  ///   - client: A connected client.
  ///   - tenantIDs: The tenants to sync.
  ///   - officeID: The calling office (for the mirror's copies of applied writes).
  ///   - progress: Called as pages and batches complete.
  public func sync(
    client: GongjianClient, tenantIDs: [String], officeID: String, progress: @Sendable (Progress) -> Void = { _ in }
  ) async throws -> [Report] {
    var reports: [Report] = []
    for tenantID in tenantIDs {
      var report = Report(tenantID: tenantID)
      let started = ContinuousClock.now
      progress(Progress(tenantID: tenantID, phase: .pushing, started: started))
      let pull: (pulled: Int, verification: Mirror.Verification, refetched: String?)
      do {
        report.pushed = try await self.push(client: client, tenantID: tenantID, officeID: officeID) { tally in
          progress(Progress(tenantID: tenantID, phase: .pushing, pushed: tally.applied + tally.conflicts + tally.rejected, started: started))
        }
        let pushed = report.pushed.applied + report.pushed.conflicts + report.pushed.rejected
        pull = try await self.pull(client: client, tenantID: tenantID) { pulled, cursor, head in
          progress(Progress(tenantID: tenantID, phase: .pulling, pushed: pushed, pulled: pulled, cursor: cursor, head: head, started: started))
        }
      } catch let error as GongjianClientError where error.code == .permissionDenied {
        // One tenant the office may no longer read does not stop the others.
        report.refused = error.message
        try self.mirror.setNote("refused: \(error.message)", tenantID: tenantID)
        reports.append(report)
        continue
      }
      let pushed = report.pushed.applied + report.pushed.conflicts + report.pushed.rejected
      report.pulled = pull.pulled
      report.verification = pull.verification
      report.refetched = pull.refetched
      let cursor = try self.mirror.cursor(tenantID: tenantID)
      progress(Progress(tenantID: tenantID, phase: .caughtUp, pushed: pushed, pulled: pull.pulled, cursor: cursor, head: cursor, started: started))
      reports.append(report)
    }
    return reports
  }

  // MARK: Watch

  /// Syncs, then follows each tenant's live feed into the mirror and pushes writes queued
  /// meanwhile, until cancelled. After a disconnect (a server restart) it waits with backoff,
  /// catches up by pulling from the mirror's cursor and subscribes again.
  public func watch(
    client: GongjianClient, tenantIDs: [String], officeID: String, progress: @Sendable @escaping (Progress) -> Void = { _ in }
  ) async throws {
    var failures = 0
    while !Task.isCancelled {
      do {
        _ = try await self.sync(client: client, tenantIDs: tenantIDs, officeID: officeID, progress: progress)
        failures = 0
        try await withThrowingTaskGroup(of: Void.self) { group in
          for tenantID in tenantIDs {
            group.addTask { try await self.follow(client: client, tenantID: tenantID, progress: progress) }
          }
          group.addTask {
            while !Task.isCancelled {
              try await Task.sleep(for: self.configuration.outboxPollInterval)
              for tenantID in tenantIDs where try !self.mirror.pending(tenantID: tenantID, limit: 1).isEmpty {
                _ = try await self.push(client: client, tenantID: tenantID, officeID: officeID)
              }
            }
          }
          try await group.next()
          group.cancelAll()
        }
      } catch let error as GongjianClientError where error.kind == .connection {
        failures += 1
        let delay = self.configuration.retry.delay(attempt: failures)
        for tenantID in tenantIDs {
          progress(Progress(tenantID: tenantID, phase: .waiting(error.message), started: .now))
        }
        try await Task.sleep(for: delay)
      }
    }
  }

  /// Follows one tenant's feed from the mirror's cursor; returns on a reset after refetching.
  private func follow(client: GongjianClient, tenantID: String, progress: @Sendable @escaping (Progress) -> Void) async throws {
    let started = ContinuousClock.now
    while !Task.isCancelled {
      let cursor = try self.mirror.cursor(tenantID: tenantID)
      let mirror = self.mirror
      do {
        try await client.subscribe(tenantID: tenantID, cursor: cursor) { event in
        switch event.event {
        case .changes(let batch):
          try mirror.apply(records: batch.records, cursor: batch.cursor, tenantID: tenantID)
          progress(Progress(tenantID: tenantID, phase: .live, pulled: batch.records.count, cursor: batch.cursor, head: batch.cursor, started: started))
        case .heartbeat(let beat):
          let cursor = try mirror.cursor(tenantID: tenantID)
          progress(Progress(tenantID: tenantID, phase: beat.caughtUp ? .live : .pulling, cursor: cursor, head: beat.headSequence, started: started))
        case .reset:
          throw FeedReset()
        case nil:
          break
        }
        return true
      }
      } catch is FeedReset {
        _ = try await self.pull(client: client, tenantID: tenantID)
        continue
      }
      // The server ended the stream (shutting down): reconnect as after a failure.
      throw GongjianClientError(.connection, "server unreachable: the live feed of \(tenantID) ended")
    }
  }

  private struct FeedReset: Error {}
}
