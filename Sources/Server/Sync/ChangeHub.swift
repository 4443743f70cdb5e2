internal import GongjianProtocol
internal import Synchronization

/// Tells live subscribers that a tenant's feed moved, and keeps the most recent changes of each
/// tenant in memory so that subscribers rarely read the database.
///
/// A subscriber holds a wake-up stream of at most two pending wakes, never a queue of changes: a
/// slow subscriber only falls behind (and later reads what it missed), it never stalls the
/// writer or other subscribers, and its memory does not grow. Each change is turned into its
/// wire form once, when it is published, not once per subscriber.
package final class ChangeHub: Sendable {
  /// Why a subscriber wakes: a commit, or its own heartbeat timer.
  enum Wake: Sendable {
    case commit
    case heartbeat
  }


  /// A recent change: its sequence and its wire form, a `ChangeBatch.records` field.
  package struct Change: Sendable {
    package var sequence: UInt64
    package var recordsField: [UInt8]

    package init(sequence: UInt64, recordsField: [UInt8]) {
      self.sequence = sequence
      self.recordsField = recordsField
    }
  }

  private struct Feed {
    var subscribers: [Int: WakeSignal] = [:]
    /// Consecutive recent changes, oldest first.
    var recent: [Change] = []
    var head: UInt64 = 0
  }

  private struct State {
    var feeds: [String: Feed] = [:]
    var nextID = 0
    var closed = false
  }

  private let state = Mutex(State())
  private let recentLimit: Int
  private let maxSubscribers: Int

  init(recentLimit: Int, maxSubscribersPerTenant: Int) {
    self.recentLimit = max(recentLimit, 0)
    self.maxSubscribers = maxSubscribersPerTenant
  }

  /// Why a subscription was not registered.
  enum Refusal: Error {
    case tenantAtLimit
    case closed
  }

  /// Registers a subscriber. Its signal finishes when the hub closes; the subscriber yields its
  /// own heartbeat wakes to it too.
  func subscribe(tenantID: String) -> Result<(id: Int, signal: WakeSignal), Refusal> {
    let signal = WakeSignal()
    let id: Result<Int, Refusal> = self.state.withLock { state in
      if state.closed { return .failure(.closed) }
      guard (state.feeds[tenantID]?.subscribers.count ?? 0) < self.maxSubscribers else { return .failure(.tenantAtLimit) }
      let id = state.nextID
      state.nextID += 1
      state.feeds[tenantID, default: Feed()].subscribers[id] = signal
      ServerMetrics.subscribers(state.feeds.values.reduce(0) { $0 + $1.subscribers.count })
      return .success(id)
    }
    return id.map { ($0, signal) }
  }

  /// Ends every subscription (graceful shutdown) and refuses new ones.
  func close() {
    let continuations = self.state.withLock { state in
      state.closed = true
      return state.feeds.values.flatMap { $0.subscribers.values }
    }
    for continuation in continuations { continuation.finish() }
  }

  func unsubscribe(tenantID: String, id: Int) {
    let continuation = self.state.withLock { state in
      defer { ServerMetrics.subscribers(state.feeds.values.reduce(0) { $0 + $1.subscribers.count }) }
      return state.feeds[tenantID]?.subscribers.removeValue(forKey: id)
    }
    continuation?.finish()
  }

  /// Number of live subscribers of a tenant.
  func subscriberCount(tenantID: String) -> Int {
    self.state.withLock { $0.feeds[tenantID]?.subscribers.count ?? 0 }
  }

  /// Records committed changes (in sequence order) and wakes the tenant's subscribers.
  func publish(tenantID: String, records: [StoredRecord], head: UInt64) {
    // Encoded only for a tenant someone follows: the push path pays nothing otherwise. Changes
    // left out of memory (no subscriber yet, or one that failed to encode, which a record without
    // required fields cannot) are read from the store by whoever needs them; `recent` sees the gap.
    let followed = self.state.withLock { $0.feeds[tenantID]?.subscribers.isEmpty == false }
    let encoded = followed ? records.compactMap { record in
      (try? SubscribeFrame.recordsField(record.proto)).map { Change(sequence: record.sequence, recordsField: $0) }
    } : []
    let records = encoded.count == records.count ? encoded : []
    let limit = self.recentLimit
    let continuations: [WakeSignal] = self.state.withLock { state in
      // In place: a copy of the feed would copy its whole recent array on every publish.
      Self.append(records, head: head, limit: limit, to: &state.feeds[tenantID, default: Feed()])
    }
    for continuation in continuations {
      continuation.yield(.commit)
    }
  }

  /// Notes that another node committed the tenant's feed up to `head`, and wakes its
  /// subscribers when that is news to this node: they read those changes from the store.
  func advance(tenantID: String, head: UInt64) {
    let continuations: [WakeSignal] = self.state.withLock { state in
      // No feed: nobody here follows the tenant, and a new subscriber reads the store first.
      guard let known = state.feeds[tenantID]?.head, head > known else { return [] }
      state.feeds[tenantID]?.head = head
      return state.feeds[tenantID].map { Array($0.subscribers.values) } ?? []
    }
    for continuation in continuations { continuation.yield(.commit) }
  }

  /// Wakes every subscriber to catch up from the store (commits of other nodes may have gone
  /// unheard).
  func wakeAll() {
    let continuations = self.state.withLock { state in state.feeds.values.flatMap { $0.subscribers.values } }
    for continuation in continuations { continuation.yield(.commit) }
  }

  private static func append(_ records: [Change], head: UInt64, limit: Int, to feed: inout Feed) -> [WakeSignal] {
    if let first = records.first {
      if let last = feed.recent.last, last.sequence + 1 == first.sequence {
        feed.recent.append(contentsOf: records)
      } else {
        feed.recent = records
      }
      // Trimmed in bulk, so the shift of the array is paid once per half a limit of changes.
      if feed.recent.count > limit + limit / 2 {
        feed.recent.removeFirst(feed.recent.count - limit)
      }
    }
    feed.head = max(feed.head, head)
    return Array(feed.subscribers.values)
  }

  /// Changes after `cursor` from memory, or nil when memory does not cover the cursor.
  func recent(tenantID: String, after cursor: UInt64, limit: Int) -> ArraySlice<Change>? {
    self.state.withLock { state in
      guard let feed = state.feeds[tenantID], let first = feed.recent.first else { return nil }
      guard cursor + 1 >= first.sequence else { return nil }
      guard let last = feed.recent.last, cursor < last.sequence else {
        return cursor >= feed.head ? [] : nil
      }
      let start = Int(cursor + 1 - first.sequence)
      return feed.recent[start..<min(feed.recent.count, start + limit)]
    }
  }
}
