internal import Synchronization

/// Tells live subscribers that a tenant's feed moved, and keeps the most recent changes of each
/// tenant in memory so that subscribers rarely read the database.
///
/// A subscriber holds a one-slot signal, never a queue of changes: a slow subscriber only
/// falls behind (and later reads what it missed), it never stalls the writer or other
/// subscribers, and its memory does not grow.
final class ChangeHub: Sendable {
  /// A subscriber's wake-up signal.
  typealias Signal = AsyncStream<Void>

  private struct Feed {
    var subscribers: [Int: Signal.Continuation] = [:]
    /// Consecutive recent changes, oldest first.
    var recent: [StoredRecord] = []
    var head: UInt64 = 0
  }

  private struct State {
    var feeds: [String: Feed] = [:]
    var nextID = 0
  }

  private let state = Mutex(State())
  private let recentLimit: Int
  private let maxSubscribers: Int

  init(recentLimit: Int, maxSubscribersPerTenant: Int) {
    self.recentLimit = max(recentLimit, 0)
    self.maxSubscribers = maxSubscribersPerTenant
  }

  /// Registers a subscriber; nil when the tenant is at its limit.
  func subscribe(tenantID: String) -> (id: Int, signal: Signal)? {
    let (signal, continuation) = Signal.makeStream(bufferingPolicy: .bufferingNewest(1))
    let id: Int? = self.state.withLock { state in
      var feed = state.feeds[tenantID] ?? Feed()
      guard feed.subscribers.count < self.maxSubscribers else { return nil }
      let id = state.nextID
      state.nextID += 1
      feed.subscribers[id] = continuation
      state.feeds[tenantID] = feed
      return id
    }
    guard let id else { return nil }
    return (id, signal)
  }

  func unsubscribe(tenantID: String, id: Int) {
    let continuation = self.state.withLock { state in
      state.feeds[tenantID]?.subscribers.removeValue(forKey: id)
    }
    continuation?.finish()
  }

  /// Number of live subscribers of a tenant.
  func subscriberCount(tenantID: String) -> Int {
    self.state.withLock { $0.feeds[tenantID]?.subscribers.count ?? 0 }
  }

  /// Records committed changes (in sequence order) and wakes the tenant's subscribers.
  func publish(tenantID: String, records: [StoredRecord], head: UInt64) {
    let continuations: [Signal.Continuation] = self.state.withLock { state in
      var feed = state.feeds[tenantID] ?? Feed()
      if let first = records.first {
        if let last = feed.recent.last, last.sequence + 1 == first.sequence {
          feed.recent.append(contentsOf: records)
        } else {
          feed.recent = records
        }
        if feed.recent.count > self.recentLimit {
          feed.recent.removeFirst(feed.recent.count - self.recentLimit)
        }
      }
      feed.head = max(feed.head, head)
      state.feeds[tenantID] = feed
      return Array(feed.subscribers.values)
    }
    for continuation in continuations {
      continuation.yield()
    }
  }

  /// Changes after `cursor` from memory, or nil when memory does not cover the cursor.
  func recent(tenantID: String, after cursor: UInt64, limit: Int) -> [StoredRecord]? {
    self.state.withLock { state in
      guard let feed = state.feeds[tenantID], let first = feed.recent.first else { return nil }
      guard cursor + 1 >= first.sequence else { return nil }
      guard let last = feed.recent.last, cursor < last.sequence else {
        return cursor >= feed.head ? [] : nil
      }
      let start = Int(cursor + 1 - first.sequence)
      return Array(feed.recent[start..<min(feed.recent.count, start + limit)])
    }
  }
}
