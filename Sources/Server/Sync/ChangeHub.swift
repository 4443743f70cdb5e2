internal import GongjianProtocol
internal import NIOCore
internal import Synchronization

/// Tells live subscribers that a tenant's feed moved, and keeps the most recent changes of each
/// tenant in memory so that subscribers rarely read the database.
///
/// A subscriber holds a wake-up stream of at most two pending wakes, never a queue of changes: a
/// slow subscriber only falls behind (and later reads what it missed), it never stalls the
/// writer or other subscribers, and its memory does not grow. Each change is turned into its
/// wire form once, when it is published, not once per subscriber.
///
/// A live subscriber whose transport offers its stream (``LiveSubscription``) is not woken for
/// each commit: once it has caught up, the hub writes each commit's changes to its stream
/// itself, framed once for all subscribers on an event loop, until the subscriber falls behind.
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

  private struct Subscriber {
    var signal: WakeSignal
    var live: LiveSubscription?
    /// While the hub writes the subscriber's changes itself: the last sequence handed to it.
    var liveCursor: UInt64?

    /// Ends the hub's deliveries; the subscriber's task, woken, takes over.
    mutating func leaveLive() -> WakeSignal {
      self.liveCursor = nil
      return self.signal
    }
  }

  private struct Feed {
    var subscribers: [Int: Subscriber] = [:]
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
  ///
  /// - Parameter live: Makes the subscriber's ``LiveSubscription`` from its id, if the hub may
  ///   write its changes itself once it is live (``goLive(tenantID:id:cursor:)``).
  func subscribe(
    tenantID: String, live: ((_ id: Int) -> LiveSubscription)? = nil
  ) -> Result<(id: Int, signal: WakeSignal, live: LiveSubscription?), Refusal> {
    let signal = WakeSignal()
    return self.state.withLock { state in
      if state.closed { return .failure(.closed) }
      guard (state.feeds[tenantID]?.subscribers.count ?? 0) < self.maxSubscribers else { return .failure(.tenantAtLimit) }
      let id = state.nextID
      state.nextID += 1
      let subscription = live?(id)
      state.feeds[tenantID, default: Feed()].subscribers[id] = Subscriber(signal: signal, live: subscription)
      ServerMetrics.subscribers(state.feeds.values.reduce(0) { $0 + $1.subscribers.count })
      return .success((id, signal, subscription))
    }
  }

  /// Ends every subscription (graceful shutdown) and refuses new ones.
  func close() {
    let continuations = self.state.withLock { state in
      state.closed = true
      return state.feeds.values.flatMap { $0.subscribers.values.map(\.signal) }
    }
    for continuation in continuations { continuation.finish() }
  }

  func unsubscribe(tenantID: String, id: Int) {
    let continuation = self.state.withLock { state in
      defer { ServerMetrics.subscribers(state.feeds.values.reduce(0) { $0 + $1.subscribers.count }) }
      return state.feeds[tenantID]?.subscribers.removeValue(forKey: id)?.signal
    }
    continuation?.finish()
  }

  /// Hands a caught-up subscriber's cursor over to its ``LiveSubscription``, when nothing after
  /// `cursor` has been published: from then on the hub writes its changes itself. False when
  /// the subscriber has no live stream or must catch up first.
  func goLive(tenantID: String, id: Int, cursor: UInt64) -> Bool {
    self.state.withLock { state in
      guard let feed = state.feeds[tenantID], let subscriber = feed.subscribers[id], let live = subscriber.live,
        subscriber.liveCursor == nil, feed.head == cursor
      else { return false }
      state.feeds[tenantID]?.subscribers[id]?.liveCursor = cursor
      // Queued under the lock, as deliveries are: the loop sees the cursor before any of them.
      live.eventLoop.execute { live.resume(at: cursor) }
      return true
    }
  }

  /// Whether the hub still writes the subscriber's changes itself.
  func isLive(tenantID: String, id: Int) -> Bool {
    self.state.withLock { $0.feeds[tenantID]?.subscribers[id]?.liveCursor != nil }
  }

  /// A live subscriber's stream could not take a change: its task is woken to catch up.
  func fellBehind(tenantID: String, id: Int) {
    let signal = self.state.withLock { state in state.feeds[tenantID]?.subscribers[id]?.leaveLive() }
    signal?.yield(.commit)
  }

  /// Number of live subscribers of a tenant.
  func subscriberCount(tenantID: String) -> Int {
    self.state.withLock { $0.feeds[tenantID]?.subscribers.count ?? 0 }
  }

  /// Records committed changes (in sequence order), writes them to the live subscribers and
  /// wakes the others.
  func publish(tenantID: String, records: [StoredRecord], head: UInt64) {
    // Encoded only for a tenant someone follows: the push path pays nothing otherwise. Changes
    // left out of memory (no subscriber yet, or one that failed to encode, which a record without
    // required fields cannot) are read from the store by whoever needs them; `recent` sees the gap.
    let followed = self.state.withLock { $0.feeds[tenantID]?.subscribers.isEmpty == false }
    let encoded = followed ? records.compactMap { record in
      (try? SubscribeFrame.recordsField(record.proto)).map { Change(sequence: record.sequence, recordsField: $0) }
    } : []
    let changes = encoded.count == records.count ? encoded : []
    // The live subscribers' message, made once.
    let message: (bytes: [UInt8], first: UInt64, last: UInt64)?
    if let first = changes.first, let last = changes.last, case .encoded(let bytes) = SubscribeFrame.changes(changes[...], cursor: last.sequence) {
      message = (bytes, first.sequence, last.sequence)
    } else {
      message = nil
    }
    let limit = self.recentLimit
    let woken: [WakeSignal] = self.state.withLock { state in
      // In place: a copy of the feed would copy its whole recent array on every publish.
      Self.append(changes, head: head, limit: limit, to: &state.feeds[tenantID, default: Feed()])
      let published: Published = records.isEmpty ? .nothing : message.map { .changes(first: $0.first, last: $0.last) } ?? .unknown
      let (woken, live) = Self.route(published, in: &state.feeds[tenantID]!)
      // Queued under the lock, so that each loop sees deliveries in sequence order and after a
      // subscriber's hand-over (``goLive(tenantID:id:cursor:)``).
      if let message {
        for subscriptions in live.values {
          subscriptions[0].eventLoop.execute {
            let framed = subscriptions[0].stream.frame(message.bytes)
            for subscription in subscriptions { subscription.deliver(framed, first: message.first, last: message.last) }
            for subscription in subscriptions { subscription.stream.flush() }
          }
        }
      }
      return woken
    }
    for signal in woken {
      signal.yield(.commit)
    }
  }

  /// Notes that another node committed the tenant's feed up to `head`, and wakes its
  /// subscribers when that is news to this node: they read those changes from the store.
  func advance(tenantID: String, head: UInt64) {
    let continuations: [WakeSignal] = self.state.withLock { state in
      // No feed: nobody here follows the tenant, and a new subscriber reads the store first.
      guard let known = state.feeds[tenantID]?.head, head > known else { return [] }
      state.feeds[tenantID]?.head = head
      return Self.leaveLive(&state.feeds[tenantID]!)
    }
    for continuation in continuations { continuation.yield(.commit) }
  }

  /// Wakes every subscriber to catch up from the store (commits of other nodes may have gone
  /// unheard).
  func wakeAll() {
    let continuations = self.state.withLock { state in
      state.feeds.keys.flatMap { Self.leaveLive(&state.feeds[$0]!) }
    }
    for continuation in continuations { continuation.yield(.commit) }
  }

  /// Every subscriber of a feed to be woken, the live ones no longer live: the hub has no
  /// changes to hand them (another node's commits are read from the store).
  private static func leaveLive(_ feed: inout Feed) -> [WakeSignal] {
    Self.route(.unknown, in: &feed).woken
  }

  /// What a commit brought, as far as live subscribers go.
  private enum Published {
    /// The changes `first...last`, encoded.
    case changes(first: UInt64, last: UInt64)
    /// No change (a push of replays and conflicts).
    case nothing
    /// Changes the hub cannot hand over: not encoded here, or another node's.
    case unknown
  }

  /// Who gets what was published: the live subscribers the changes follow on from, by event
  /// loop, their cursors moved on; and the signals of the others to wake, the live ones among
  /// them no longer live (unless nothing changed).
  private static func route(
    _ published: Published, in feed: inout Feed
  ) -> (woken: [WakeSignal], live: [ObjectIdentifier: [LiveSubscription]]) {
    var woken: [WakeSignal] = []
    var live: [ObjectIdentifier: [LiveSubscription]] = [:]
    // By index, changing values in place: iterating keys or values would hold a copy of the
    // dictionary, which each change would then copy whole.
    var index = feed.subscribers.values.startIndex
    while index != feed.subscribers.values.endIndex {
      defer { feed.subscribers.values.formIndex(after: &index) }
      guard let cursor = feed.subscribers.values[index].liveCursor else {
        woken.append(feed.subscribers.values[index].signal)
        continue
      }
      switch published {
      case .nothing:
        continue
      case .changes(let first, let last) where cursor + 1 == first:
        guard let subscription = feed.subscribers.values[index].live else { continue }
        feed.subscribers.values[index].liveCursor = last
        live[ObjectIdentifier(subscription.eventLoop), default: []].append(subscription)
      case .changes, .unknown:
        // Not next, or not in memory: the task reads what it missed.
        woken.append(feed.subscribers.values[index].leaveLive())
      }
    }
    return (woken, live)
  }

  private static func append(_ records: [Change], head: UInt64, limit: Int, to feed: inout Feed) {
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
