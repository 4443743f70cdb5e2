public import Foundation
public import GongjianProtocol
public import Logging
internal import NIOCore
internal import SwiftProtobuf
internal import Synchronization

/// The one write path and the change feed.
///
/// Every change, whether a raw sync push or a typed domain call, goes through ``push(_:caller:)``:
/// authorise → validate each typed payload → (in the store's transaction) check the base
/// version and write record, change, audit and idempotency entries → publish to subscribers
/// after commit.
public final class SyncEngine: Sendable {
  private let store: any GongjianStore
  private let authorizer: Authorizer
  private let kinds: KindRegistry
  private let limits: ServerConfiguration.Limits
  private let syncConfiguration: ServerConfiguration.Sync
  private let validation: ServerConfiguration.Validation
  private let storedBytesQuota: Int64
  private let hub: ChangeHub
  let readAhead: PullReadAhead
  private let committer: GroupCommitter<PushBatch, PushOutcome>
  /// Since when commits fail and how many rounds have: an outage is logged once, not per round.
  private final class CommitOutage: Sendable {
    let state = Mutex<(since: ContinuousClock.Instant, rounds: Int)?>(nil)
  }
  /// Live subscriptions per office.
  private let subscriptionsByOffice = Mutex<[String: Int]>([:])
  /// The latest event date and the UTC hour it was computed in (see ``latestEventDate(at:)``).
  private let eventHorizon = Mutex<(hour: Double, day: String)?>(nil)
  private let logger: Logger

  /// Creates the engine.
  ///
  /// - Parameters:
  ///   - store: Where records live.
  ///   - authorizer: Membership checks.
  ///   - kinds: Registered kinds and validators.
  ///   - configuration: Limits and feed settings.
  ///   - logger: Where the engine logs.
  public init(
    store: any GongjianStore, authorizer: Authorizer, kinds: KindRegistry = .standard,
    configuration: ServerConfiguration, logger: Logger
  ) {
    self.store = store
    self.authorizer = authorizer
    self.kinds = kinds
    self.limits = configuration.limits
    self.syncConfiguration = configuration.sync
    self.validation = configuration.validation
    self.storedBytesQuota = Int64(configuration.quotas.tenantStoredBytes)
    let hub = ChangeHub(
      recentLimit: configuration.sync.recentChangesPerTenant,
      maxSubscribersPerTenant: configuration.limits.maxSubscriptionsPerTenant
    )
    self.hub = hub
    self.readAhead = PullReadAhead(capacity: configuration.sync.pullReadAheadPages)
    self.logger = logger
    let deadline = configuration.sync.commitDeadline
    let failures = CommitOutage()
    self.committer = GroupCommitter(maxBatch: configuration.sync.maxPushesPerCommit, deadline: deadline) {
      var error = GongjianError(
        .unavailable,
        "the commit did not finish within \(deadline): whether it was applied is unknown; retry with the same mutation ids (a replay answers the first outcome)"
      )
      error.retryAfter = .seconds(1)
      return error
    } body: { batches in
      do {
        let started = ContinuousClock.now
        let results = try await store.commit(batches, planner: PushApplier())
        ServerMetrics.commit(pushes: batches.count, duration: ContinuousClock.now - started)
        if let outage = failures.state.withLock({ state in defer { state = nil }; return state }) {
          logger.notice("commits succeed again", metadata: [
            "failed_rounds": "\(outage.rounds)", "outage": "\(ContinuousClock.now - outage.since)",
          ])
        }
        for (batch, result) in zip(batches, results) {
          if case .success(let outcome) = result {
            hub.publish(tenantID: batch.tenantID, records: outcome.committed, head: outcome.writeCheckpoint)
          }
        }
        return results.map { $0.mapError { $0 as any Error } }
      } catch {
        // Said once per outage; the end of it is said when a commit succeeds again.
        let first = failures.state.withLock { state in
          if state == nil { state = (.now, 1); return true }
          state?.rounds += 1
          return false
        }
        if first { logger.error("commits fail; pushes are answered UNAVAILABLE until one succeeds", metadata: ["error": "\(error)"]) }
        var failure = error as? GongjianError ?? GongjianError(.unavailable, "the store could not commit: \(error)", cause: error)
        if failure.code == .unavailable, failure.retryAfter == nil { failure.retryAfter = .seconds(1) }
        return batches.map { _ in .failure(failure) }
      }
    }
  }

  // MARK: Push

  /// Applies a push: one answer per mutation.
  ///
  /// - Parameters:
  ///   - request: The push.
  ///   - caller: The authenticated caller.
  /// - Throws: `invalidArgument` / `resourceExhausted` for a malformed push as a whole,
  ///   `permissionDenied` without the contributor role.
  public func push(_ request: Gongjian_V1_PushRequest, caller: Caller) async throws -> Gongjian_V1_PushResponse {
    let membership = try await self.authorizer.require(.role(.contributor), tenant: request.tenantID, caller: caller, action: "push")
    if request.clientID.isEmpty || request.clientID.count > 128 {
      throw GongjianError.invalidField("client_id", "required, at most 128 characters")
    }
    if request.mutations.isEmpty {
      throw GongjianError.invalidField("mutations", "at least one mutation is required")
    }
    if request.mutations.count > self.limits.maxMutationsPerPush {
      throw GongjianError(
        .resourceExhausted,
        "mutations: \(request.mutations.count) mutations in one push; the limit is \(self.limits.maxMutationsPerPush)",
        violations: [.init(field: "mutations", description: "at most \(self.limits.maxMutationsPerPush) per push")]
      )
    }
    let payloadBytes = request.mutations.reduce(0) { total, mutation in
      if case .payload(let any) = mutation.change { return total + any.value.count }
      return total
    }
    if payloadBytes > self.limits.maxRequestBytes {
      throw GongjianError(
        .resourceExhausted,
        "mutations: payloads total \(payloadBytes) bytes; the limit per push is \(self.limits.maxRequestBytes)",
        violations: [.init(field: "mutations", description: "at most \(self.limits.maxRequestBytes) payload bytes per push")]
      )
    }
    var context = KindRule.WriteContext(
      officeID: caller.office.id, side: membership?.side ?? caller.office.side, role: membership?.role ?? .contributor
    )
    context.cityTenant = request.tenantID == self.authorizer.operatorTenant
    context.futureHorizonDays = self.validation.futureHorizonDays
    context.latestEventDate = self.latestEventDate(at: Date())
    context.ranges = self.validation.plausibleRanges
    // Only payloads that name offices need the directory.
    if request.mutations.contains(where: { $0.kind == RecordKind.exchangeActivity.name }) {
      context.knownOffices = Set(try await self.store.offices().map(\.id))
    }
    var mutations = request.mutations.enumerated().map { self.prepare($1, at: "mutations[\($0)]", context: context) }
    try await self.authorizeForeignReferences(&mutations, tenantID: request.tenantID, caller: caller)
    var batch = PushBatch(
      tenantID: request.tenantID,
      officeID: caller.office.id,
      // Scoped by the office, so that no office can claim (and block) another's client id.
      clientID: "\(caller.office.id)/\(request.clientID)",
      mutations: mutations,
      receivedAt: Date(),
      atomic: request.atomic
    )
    batch.storedBytesQuota = self.storedBytesQuota
    ServerMetrics.push(mutations: request.mutations.count, tenant: request.tenantID)
    let outcome = try await self.committer.submit(batch)
    return Gongjian_V1_PushResponse.with {
      $0.results = outcome.results
      $0.writeCheckpoint = outcome.writeCheckpoint
    }
  }

  /// The latest date an event may carry, `futureHorizonDays` after `now` in China's time.
  /// China's offset is whole hours, so every instant of a UTC hour has the same date there: one
  /// calendar computation per hour, not per push (it was a tenth of preparing a push).
  private func latestEventDate(at now: Date) -> String {
    let horizon = now.addingTimeInterval(Double(self.validation.futureHorizonDays) * 86_400)
    let hour = (horizon.timeIntervalSince1970 / 3_600).rounded(.down)
    if let cached = self.eventHorizon.withLock({ $0 }), cached.hour == hour { return cached.day }
    let day = AgendaWorkflow.Actor.day(of: horizon)
    self.eventHorizon.withLock { $0 = (hour, day) }
    return day
  }

  /// Validates one mutation; a bad one becomes a rejection that is still recorded for replays.
  private func prepare(_ mutation: Gongjian_V1_Mutation, at path: String, context: KindRule.WriteContext) -> PushBatch.Mutation {
    let role = context.role
    var violations: [GongjianError.FieldViolation] = []
    var code = GongjianError.Code.invalidArgument
    func fail(_ field: String, _ description: String) {
      violations.append(.init(field: "\(path).\(field)", description: description))
    }
    let recordID = mutation.recordID.lowercased()
    if mutation.mutationID.isEmpty || (mutation.mutationID.utf8.count > 128 && mutation.mutationID.count > 128) {
      fail("mutation_id", "required, at most 128 characters")
    }
    if !RecordID.isUUID(mutation.recordID) {
      fail("record_id", "must be a UUID (got '\(mutation.recordID)')")
    }
    var change = PushBatch.Mutation.Change.delete
    var prepared: KindRule.Prepared?
    if let rule = self.kinds[mutation.kind] {
      switch mutation.change {
      case .payload(let any):
        if any.typeURL != rule.kind.typeURL {
          fail("payload", "kind \(mutation.kind) takes \(rule.kind.typeURL), got '\(any.typeURL)'")
        } else if any.value.count > self.limits.maxPayloadBytes {
          fail("payload", "\(any.value.count) bytes; the limit is \(self.limits.maxPayloadBytes)")
        } else {
          let result = rule.prepare(any.value, at: "\(path).payload", context: context)
          violations += result.violations
          change = .put(result.payload)
          prepared = result
        }
      case .delete(true):
        if !rule.deletable {
          let hint = mutation.kind == RecordKind.transferredProject.name ? "; set status CANCELLED instead" : ""
          fail("delete", "\(mutation.kind) records are not deleted\(hint)")
          code = .failedPrecondition
        }
        change = .delete
      case .delete(false), nil:
        fail("change", "set payload, or delete: true")
      }
      if violations.isEmpty, !role.includes(rule.writeRole) {
        fail("kind", "writing \(mutation.kind) needs role \(rule.writeRole.displayName); this office is \(role.displayName)")
        code = .permissionDenied
      }
    } else {
      fail("kind", "unknown kind '\(mutation.kind)'; known: \(self.kinds.kindNames.joined(separator: ", "))")
    }
    if !violations.isEmpty {
      change = .rejected(.invalid(code: code, violations))
    }
    return PushBatch.Mutation(
      mutationID: mutation.mutationID, kind: mutation.kind, recordID: recordID,
      baseVersion: mutation.baseVersion, change: change,
      uniqueKey: prepared?.uniqueKey, references: prepared?.references ?? [], check: prepared?.check,
      warnings: violations.isEmpty ? prepared?.warnings ?? [] : []
    )
  }

  /// Refuses mutations that add a reference to a record of a tenant the writer cannot read, as
  /// the typed calls do: the rule holds on the raw sync path too. A reference the record already
  /// has at the mutation's base version (the secretariat accepting a proposal with links) is
  /// carried as it is (the commit's version check makes sure that is still the current one), and
  /// not checked again. The store then checks, in its transaction, that the other records exist.
  private func authorizeForeignReferences(_ mutations: inout [PushBatch.Mutation], tenantID: String, caller: Caller) async throws {
    var readable: [String: Bool] = [tenantID: true]
    for index in mutations.indices where mutations[index].references.contains(where: { $0.tenantID != nil }) {
      var violations: [GongjianError.FieldViolation] = []
      var carried: Set<String>?
      var checked: [PushBatch.Reference] = []
      for var reference in mutations[index].references {
        if let other = reference.tenantID, other == tenantID {
          reference.tenantID = nil
        } else if let other = reference.tenantID {
          if readable[other] == nil {
            readable[other] = await self.authorizer.allows(.read, tenant: other, caller: caller)
          }
          if readable[other] == false {
            if carried == nil { carried = try await self.currentForeignReferences(of: mutations[index], tenantID: tenantID) }
            // A carried link was checked when it was added; checking it again would tell this
            // writer whether the record still exists.
            if carried?.contains("\(other)/\(reference.kind)/\(reference.id)") == true { continue }
            violations.append(.init(
              field: reference.field.replacingOccurrences(of: ".id", with: ".tenant_id", options: [.anchored, .backwards]),
              description: "office \(caller.office.id) cannot read tenant \(other); a link into a tenant needs read access to it"
            ))
          }
        }
        checked.append(reference)
      }
      mutations[index].references = checked
      if !violations.isEmpty {
        mutations[index].change = .rejected(.invalid(code: .permissionDenied, violations))
      }
    }
  }

  /// The foreign references of the record a mutation updates, as `tenant/kind/id`, when its
  /// current version is the mutation's base version.
  private func currentForeignReferences(of mutation: PushBatch.Mutation, tenantID: String) async throws -> Set<String> {
    guard mutation.baseVersion > 0, let rule = self.kinds[mutation.kind],
      let current = try await self.store.record(tenantID: tenantID, kind: mutation.kind, id: mutation.recordID),
      !current.deleted, current.version == mutation.baseVersion
    else { return [] }
    return Set(rule.references(in: current.payload).filter { !$0.tenantID.isEmpty }.map { "\($0.tenantID)/\($0.kind.name)/\($0.id.lowercased())" })
  }

  // MARK: Reads

  /// One page of a tenant's change feed.
  ///
  /// - Parameters:
  ///   - request: Tenant, cursor and page size.
  ///   - caller: The authenticated caller.
  /// - Throws: `permissionDenied` without read access; `invalidArgument` for a bad page size.
  public func pull(_ request: Gongjian_V1_PullRequest, caller: Caller) async throws -> Gongjian_V1_PullResponse {
    try await self.pullFrame(request, caller: caller).decoded()
  }

  /// ``pull(_:caller:)`` as the transport sends it: a page is written straight from the rows.
  ///
  /// A page with more to follow starts the read of the next one (``PullReadAhead``), which the
  /// client's next request takes when nothing was committed to the tenant in between.
  public func pullFrame(_ request: Gongjian_V1_PullRequest, caller: Caller) async throws -> PullFrame {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: caller, action: "pull")
    let key = PullReadAhead.Key(tenantID: request.tenantID, cursor: request.cursor, limit: try self.pageSize(request.pageSize))
    var page: PullReadAhead.Page?
    if let ahead = self.readAhead.take(key), let read = await ahead.value,
      try await self.store.checkpoint(tenantID: key.tenantID) == read.checkpoint
    {
      page = read
    }
    let served: PullReadAhead.Page
    if let page {
      served = page
    } else {
      served = try await self.readPage(key)
    }
    if let next = served.next {
      self.readAhead.start(PullReadAhead.Key(tenantID: key.tenantID, cursor: next, limit: key.limit)) { [self] in
        try await self.readPage(PullReadAhead.Key(tenantID: key.tenantID, cursor: next, limit: key.limit))
      }
    }
    return served.frame
  }

  /// Reads and encodes one page of the feed.
  private func readPage(_ key: PullReadAhead.Key) async throws -> PullReadAhead.Page {
    let page = try await self.store.encodedChanges(tenantID: key.tenantID, after: key.cursor, limit: key.limit)
    if let reset = Self.reset(cursor: key.cursor, checkpoint: page.checkpoint) {
      let frame = PullFrame.message(.with {
        $0.checkpoint = page.checkpoint.proto
        $0.reset = reset
        $0.nextCursor = 0
        $0.more = true
      })
      return PullReadAhead.Page(frame: frame, checkpoint: page.checkpoint, next: nil)
    }
    let nextCursor = page.lastSequence ?? key.cursor
    return PullReadAhead.Page(
      frame: .page(records: page.records, nextCursor: nextCursor, more: page.hasMore, checkpoint: page.checkpoint),
      checkpoint: page.checkpoint,
      next: page.hasMore ? nextCursor : nil
    )
  }

  /// One record's current version.
  ///
  /// - Throws: `notFound` (only to readers of the tenant), `permissionDenied`.
  public func record(_ request: Gongjian_V1_GetRecordRequest, caller: Caller) async throws -> Gongjian_V1_Record {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: caller, action: "get")
    guard let record = try await self.store.record(
      tenantID: request.tenantID, kind: request.kind, id: request.id.lowercased()
    ) else {
      throw GongjianError(.notFound, "no \(request.kind) record \(request.id) in tenant \(request.tenantID)")
    }
    return record.proto
  }

  private func pageSize(_ requested: UInt32) throws -> Int {
    if requested == 0 { return self.limits.defaultPageSize }
    guard Int(requested) <= self.limits.maxPageSize else {
      throw GongjianError.invalidField("page_size", "at most \(self.limits.maxPageSize) (got \(requested))")
    }
    return Int(requested)
  }

  private static func reset(cursor: UInt64, checkpoint: TenantCheckpoint) -> Gongjian_V1_Reset? {
    if cursor > checkpoint.headSequence {
      return .with {
        $0.compactionHorizon = checkpoint.compactionHorizon
        $0.reason = "cursor \(cursor) is ahead of the tenant's head \(checkpoint.headSequence); pull again from 0"
      }
    }
    if cursor > 0, cursor < checkpoint.compactionHorizon {
      return .with {
        $0.compactionHorizon = checkpoint.compactionHorizon
        $0.reason = "cursor \(cursor) is older than the compaction horizon \(checkpoint.compactionHorizon); pull again from 0"
      }
    }
    return nil
  }

  // MARK: Subscribe

  /// Streams a tenant's changes from a cursor, then live, with heartbeats, until cancelled.
  ///
  /// - Parameters:
  ///   - request: Tenant and cursor.
  ///   - caller: The authenticated caller.
  ///   - send: Writes one event to the subscriber (suspends while the subscriber is slow).
  ///   - stream: The subscriber's stream, when the transport lets the hub write its changes
  ///     itself once it is live (``LiveSubscription``); without it every change wakes this task.
  /// - Throws: `permissionDenied`, `resourceExhausted` at the subscriber limit.
  public func subscribe(
    _ request: Gongjian_V1_SubscribeRequest, caller: Caller,
    send: @escaping @Sendable (SubscribeFrame) async throws -> Void
  ) async throws {
    try await self.subscribe(request, caller: caller, stream: nil, send: send)
  }

  func subscribe(
    _ request: Gongjian_V1_SubscribeRequest, caller: Caller, stream: (any LiveStream)?,
    send: @escaping @Sendable (SubscribeFrame) async throws -> Void
  ) async throws {
    let tenantID = request.tenantID
    try await self.authorizer.require(.read, tenant: tenantID, caller: caller, action: "subscribe")
    let office = caller.office.id
    let admitted = self.subscriptionsByOffice.withLock { counts in
      guard counts[office, default: 0] < self.limits.maxSubscriptionsPerOffice else { return false }
      counts[office, default: 0] += 1
      return true
    }
    guard admitted else {
      throw GongjianError(
        .resourceExhausted,
        "office \(office) has \(self.limits.maxSubscriptionsPerOffice) live subscriptions, the limit; end one first"
      )
    }
    defer {
      self.subscriptionsByOffice.withLock { counts in
        let left = counts[office, default: 1] - 1
        counts[office] = left > 0 ? left : nil
      }
    }
    // Register before the first read, so that no commit falls between catch-up and live.
    let id: Int
    let wakes: WakeSignal
    let live: LiveSubscription?
    let hub = self.hub
    let subscribed = hub.subscribe(tenantID: tenantID, live: stream.map { stream in
      { id in LiveSubscription(stream: stream) { hub.fellBehind(tenantID: tenantID, id: id) } }
    })
    switch subscribed {
    case .success(let subscription):
      (id, wakes, live) = subscription
    case .failure(.tenantAtLimit):
      throw GongjianError(
        .resourceExhausted,
        "tenant \(tenantID) has \(self.limits.maxSubscriptionsPerTenant) live subscriptions, the limit"
      )
    case .failure(.closed):
      throw GongjianError(.unavailable, "the server is shutting down; subscribe again later")
    }
    defer { self.hub.unsubscribe(tenantID: tenantID, id: id) }

    var cursor = request.cursor
    let first = try await self.store.checkpoint(tenantID: tenantID)
    if let reset = Self.reset(cursor: cursor, checkpoint: first) {
      try await send(.message(.with { $0.reset = reset }))
      return
    }
    let heartbeat = self.syncConfiguration.heartbeatInterval
    let pageSize = self.limits.defaultPageSize

    // Sends everything after `cursor`; returns the head it knows of.
    func catchUp() async throws -> UInt64 {
      while true {
        if let recent = self.hub.recent(tenantID: tenantID, after: cursor, limit: pageSize) {
          if recent.isEmpty { return cursor }
          try await send(.changes(recent, cursor: recent.last!.sequence))
          cursor = recent.last!.sequence
          continue
        }
        let page = try await self.store.changes(tenantID: tenantID, after: cursor, limit: pageSize)
        if let reset = Self.reset(cursor: cursor, checkpoint: page.checkpoint) {
          try await send(.message(.with { $0.reset = reset }))
          throw CancellationError()
        }
        if let last = page.records.last {
          try await send(.message(.with { $0.changes = .with { $0.records = page.records.map(\.proto); $0.cursor = last.sequence } }))
          cursor = last.sequence
        }
        if !page.hasMore { return page.checkpoint.headSequence }
      }
    }

    func sendHeartbeat(head: UInt64, caughtUp: Bool) async throws {
      try await send(.message(Self.heartbeat(head: max(head, cursor), caughtUp: caughtUp)))
    }

    do {
      let head = try await catchUp()
      try await sendHeartbeat(head: head, caughtUp: true)
      var isLive = live.map { _ in self.hub.goLive(tenantID: tenantID, id: id, cursor: cursor) } ?? false
      try await withThrowingTaskGroup(of: Void.self) { group in
        // Heartbeats arrive on the same stream as commits: one waiting loop, no forwarding.
        group.addTask {
          while !Task.isCancelled {
            try await Task.sleep(for: heartbeat)
            wakes.yield(.heartbeat)
          }
        }
        // Ends when the hub closes (shutdown) or the call is cancelled.
        for await reason in wakes {
          if isLive, let live {
            if self.hub.isLive(tenantID: tenantID, id: id) {
              // The hub writes the changes; the heartbeat goes after them, for the last one written.
              if reason == .heartbeat {
                live.eventLoop.execute {
                  live.heartbeat { head in (try? Self.heartbeat(head: head, caughtUp: true).serializedBytes()) ?? [] }
                }
              }
              continue
            }
            // The hub stopped (the stream fell behind, or changes came from elsewhere): catch up
            // from the last change it wrote.
            cursor = try await live.eventLoop.submit { live.stop() }.get()
            isLive = false
          }
          let head = try await catchUp()
          if reason == .heartbeat { try await sendHeartbeat(head: head, caughtUp: true) }
          if live != nil { isLive = self.hub.goLive(tenantID: tenantID, id: id, cursor: cursor) }
        }
        group.cancelAll()
      }
    } catch is CancellationError {
      return
    }
  }

  /// A subscription's heartbeat.
  private static func heartbeat(head: UInt64, caughtUp: Bool) -> Gongjian_V1_SubscribeResponse {
    .with {
      $0.heartbeat = .with {
        $0.headSequence = head
        $0.serverTime = .init(date: Date())
        $0.caughtUp = caughtUp
      }
    }
  }

  // MARK: Maintenance

  /// Applies what this node heard of the other nodes sharing the store: their commits wake the
  /// subscribers here, who read the new changes from the store.
  public func apply(_ event: ClusterEvent) {
    switch event {
    case .listening: self.hub.wakeAll()
    case .commit(let tenantID, let head): self.hub.advance(tenantID: tenantID, head: head)
    case .directoryChanged: break
    }
  }

  /// Ends live subscriptions so that a graceful shutdown can complete; pushes, pulls and
  /// subscriptions already past catch-up finish normally.
  public func beginShutdown() {
    self.hub.close()
    self.readAhead.close()
  }

  /// Compacts the feed: removes superseded versions, tombstones and idempotency entries older
  /// than the retention.
  ///
  /// - Parameter now: The current time.
  public func compact(now: Date = Date()) async throws -> CompactionReport {
    let seconds = Double(self.syncConfiguration.retention.components.seconds)
    return try await self.store.compact(before: now.addingTimeInterval(-seconds))
  }
}
