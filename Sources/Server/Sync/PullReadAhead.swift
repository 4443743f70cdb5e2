internal import Synchronization

/// The next page of a pull, read and encoded while the client takes the page it was sent.
///
/// A first sync pulls page after page, asking for the next only once it has the last: without
/// this the server reads and encodes while the client waits, and the client decodes while the
/// server idles. After a page with more to follow, ``SyncEngine`` starts reading the next one
/// (from the page's next cursor, at the same size); the client's next request takes it, waiting
/// for it if it is still being read. The engine serves it only if the tenant's checkpoint is
/// still the one the page was read at, so a pull never misses a change committed before it
/// asked (a page read ahead of a commit is dropped and read again).
///
/// At most `capacity` pages are held, each for at most `lifetime`: a client that stops pulling
/// leaves behind one page for a short while, no more.
final class PullReadAhead: Sendable {
  /// Which page: the same tenant, cursor and page size as the request that takes it.
  struct Key: Hashable, Sendable {
    var tenantID: String
    var cursor: UInt64
    var limit: Int
  }

  /// A page read ahead, with the checkpoint of the snapshot it was read from.
  struct Page: Sendable {
    var frame: PullFrame
    var checkpoint: TenantCheckpoint
    /// The cursor of the page after it, when more follow.
    var next: UInt64?
  }

  private struct Entry {
    var key: Key
    var read: Task<Page?, Never>
    var started: ContinuousClock.Instant
  }

  private struct State {
    /// Oldest first.
    var entries: [Entry] = []
    var taken = 0
    var closed = false
  }

  private let state = Mutex(State())
  private let capacity: Int
  private let lifetime: Duration

  /// - Parameters:
  ///   - capacity: Pages held at once; 0 reads nothing ahead.
  ///   - lifetime: How long a page is kept for the request that would take it.
  init(capacity: Int, lifetime: Duration = .seconds(5)) {
    self.capacity = max(capacity, 0)
    self.lifetime = lifetime
  }

  /// Starts reading the page of `key`, unless it is held already, `capacity` pages are held
  /// (more pulls at once than that go without: none is dropped for another, which would waste
  /// its read), or nothing is read ahead.
  func start(_ key: Key, read: @escaping @Sendable () async throws -> Page) {
    guard self.capacity > 0 else { return }
    let expired: [Entry] = self.state.withLock { state in
      let expired = self.expire(&state)
      guard !state.closed, state.entries.count < self.capacity, !state.entries.contains(where: { $0.key == key }) else {
        return expired
      }
      // A failed read is no page: the request reads for itself and gets the error.
      state.entries.append(Entry(key: key, read: Task { try? await read() }, started: .now))
      return expired
    }
    for entry in expired { entry.read.cancel() }
  }

  /// The page read ahead for `key`, taken (a second request for it reads for itself).
  func take(_ key: Key) -> Task<Page?, Never>? {
    guard self.capacity > 0 else { return nil }
    let (taken, dropped): (Entry?, [Entry]) = self.state.withLock { state in
      let dropped = self.expire(&state)
      guard let index = state.entries.firstIndex(where: { $0.key == key }) else { return (nil, dropped) }
      state.taken += 1
      return (state.entries.remove(at: index), dropped)
    }
    for entry in dropped { entry.read.cancel() }
    return taken?.read
  }

  /// Pages held now, and pages taken so far (tests).
  var counts: (held: Int, taken: Int) {
    self.state.withLock { ($0.entries.count, $0.taken) }
  }

  /// Drops every page and reads no more (shutdown).
  func close() {
    let dropped = self.state.withLock { state in
      state.closed = true
      defer { state.entries.removeAll() }
      return state.entries
    }
    for entry in dropped { entry.read.cancel() }
  }

  private func expire(_ state: inout State) -> [Entry] {
    let oldest = ContinuousClock.now - self.lifetime
    guard let keep = state.entries.firstIndex(where: { $0.started >= oldest }) else {
      defer { state.entries.removeAll() }
      return state.entries
    }
    defer { state.entries.removeFirst(keep) }
    return Array(state.entries.prefix(keep))
  }
}
