public import GongjianProtocol
internal import Synchronization

/// Offices and their memberships, read once per office for a short time instead of on every
/// call. Changes through the Admin service clear it at once; changes made by the offline CLI
/// apply within the time to live.
public final class DirectoryCache: Sendable {
  private struct Entry {
    var office: Gongjian_V1_Office?
    var memberships: [Gongjian_V1_Membership]
    var expires: ContinuousClock.Instant
    /// Answers made from this entry and the listing (``answer(officeID:variant:make:)``), by
    /// variant, with the listing they were made from.
    var answers: [String: (listing: Int, bytes: [UInt8])] = [:]
  }

  /// Every tenant and office with the members of each tenant: the names a client shows.
  public struct Listing: Sendable {
    public var tenants: [Gongjian_V1_Tenant]
    public var offices: [Gongjian_V1_Office]
    /// Office ids by tenant id.
    public var members: [String: Set<String>]
  }

  /// What is cached and what is being read. A read is shared by every call that misses while
  /// it runs: when an entry expires under load, one read refreshes it instead of one per call
  /// (160 concurrent `WhoAmI`s each re-reading every tenant's members took a quarter of the
  /// server's CPU).
  private struct State {
    var entries: [String: Entry] = [:]
    var loadingEntries: [String: Task<Entry, any Error>] = [:]
    var listing: (value: Listing, expires: ContinuousClock.Instant)?
    var loadingListing: Task<Listing, any Error>?
    /// Bumped whenever the listing is replaced: answers made from an older one are made again.
    var listingStamp = 0
    /// Bumped by ``invalidate()``: a read begun before it is not cached after it.
    var generation = 0
  }

  private enum Lookup<Value: Sendable> {
    case cached(Value)
    case loading(Task<Value, any Error>)
  }

  private let store: any GongjianStore
  private let timeToLive: Duration
  private let state = Mutex(State())

  /// Creates a cache.
  ///
  /// - Parameters:
  ///   - store: Where offices and memberships live.
  ///   - timeToLive: How long an entry is used; zero disables caching.
  public init(store: any GongjianStore, timeToLive: Duration) {
    self.store = store
    self.timeToLive = timeToLive
  }

  private func entry(_ officeID: String) async throws -> Entry {
    guard self.timeToLive > .zero else { return try await self.loadEntry(officeID, expires: .now) }
    let lookup: Lookup<Entry> = self.state.withLock { state in
      let now = ContinuousClock.now
      if let cached = state.entries[officeID], cached.expires > now { return .cached(cached) }
      if let loading = state.loadingEntries[officeID] { return .loading(loading) }
      let generation = state.generation
      let task = Task {
        do {
          let entry = try await self.loadEntry(officeID, expires: now + self.timeToLive)
          self.state.withLock { state in
            guard state.generation == generation else { return }
            state.entries[officeID] = entry
            state.loadingEntries[officeID] = nil
          }
          return entry
        } catch {
          self.state.withLock { state in
            if state.generation == generation { state.loadingEntries[officeID] = nil }
          }
          throw error
        }
      }
      state.loadingEntries[officeID] = task
      return .loading(task)
    }
    switch lookup {
    case .cached(let entry): return entry
    case .loading(let task): return try await task.value
    }
  }

  private func loadEntry(_ officeID: String, expires: ContinuousClock.Instant) async throws -> Entry {
    Entry(
      office: try await self.store.office(id: officeID),
      memberships: try await self.store.memberships(officeID: officeID),
      expires: expires
    )
  }

  /// What is cached of an office, if it is cached and fresh: the office (nil if it is not
  /// registered) and its memberships.
  func cached(officeID: String) -> (office: Gongjian_V1_Office?, memberships: [Gongjian_V1_Membership])? {
    guard self.timeToLive > .zero else { return nil }
    return self.state.withLock { state in
      guard let entry = state.entries[officeID], entry.expires > .now else { return nil }
      return (entry.office, entry.memberships)
    }
  }

  /// A registered office, if the cache can tell without reading: `.some(nil)` for one known
  /// not to be registered, nil when the store must be read.
  func cachedOffice(id: String) -> Gongjian_V1_Office?? {
    self.cached(officeID: id).map(\.office)
  }

  /// The listing, if it is cached and fresh.
  func cachedListing() -> Listing? {
    guard self.timeToLive > .zero else { return nil }
    return self.state.withLock { state in
      guard let cached = state.listing, cached.expires > .now else { return nil }
      return cached.value
    }
  }

  /// An answer made only from what is cached of an office and the listing, made once and kept
  /// with them while both stay fresh; nil when either must be read first.
  ///
  /// `WhoAmI` answers every connection's first call this way: building and encoding its
  /// response was a fifth of the server's CPU for the call.
  ///
  /// - Parameters:
  ///   - variant: What else the answer depends on (the caller's certificate).
  ///   - make: The answer's bytes from the office's entry and the listing.
  func answer(
    officeID: String, variant: String,
    make: (_ office: Gongjian_V1_Office?, _ memberships: [Gongjian_V1_Membership], _ listing: Listing) throws -> [UInt8]
  ) rethrows -> [UInt8]? {
    guard self.timeToLive > .zero else { return nil }
    return try self.state.withLock { state in
      let now = ContinuousClock.now
      guard let expires = state.listing?.expires, expires > now, let entry = state.entries[officeID], entry.expires > now else {
        return nil
      }
      if let made = entry.answers[variant], made.listing == state.listingStamp { return made.bytes }
      let bytes = try make(entry.office, entry.memberships, state.listing!.value)
      state.entries[officeID]?.answers[variant] = (state.listingStamp, bytes)
      return bytes
    }
  }

  /// A registered office.
  public func office(id: String) async throws -> Gongjian_V1_Office? {
    try await self.entry(id).office
  }

  /// An office's memberships.
  public func memberships(officeID: String) async throws -> [Gongjian_V1_Membership] {
    try await self.entry(officeID).memberships
  }

  /// Every tenant and office and who belongs to which (`WhoAmI` answers from it on every
  /// connection, so it is read once per time to live, not per call).
  public func listing() async throws -> Listing {
    guard self.timeToLive > .zero else { return try await self.loadListing() }
    let lookup: Lookup<Listing> = self.state.withLock { state in
      let now = ContinuousClock.now
      if let cached = state.listing, cached.expires > now { return .cached(cached.value) }
      if let loading = state.loadingListing { return .loading(loading) }
      let generation = state.generation
      let task = Task {
        do {
          let listing = try await self.loadListing()
          self.state.withLock { state in
            guard state.generation == generation else { return }
            state.listing = (listing, now + self.timeToLive)
            state.listingStamp += 1
            state.loadingListing = nil
          }
          return listing
        } catch {
          self.state.withLock { state in
            if state.generation == generation { state.loadingListing = nil }
          }
          throw error
        }
      }
      state.loadingListing = task
      return .loading(task)
    }
    switch lookup {
    case .cached(let listing): return listing
    case .loading(let task): return try await task.value
    }
  }

  private func loadListing() async throws -> Listing {
    let tenants = try await self.store.tenants()
    var members: [String: Set<String>] = [:]
    for tenant in tenants {
      members[tenant.id] = Set(try await self.store.memberships(tenantID: tenant.id).map(\.officeID))
    }
    return Listing(tenants: tenants, offices: try await self.store.offices(), members: members)
  }

  /// Forgets everything (after a directory change).
  public func invalidate() {
    self.state.withLock { state in
      state.generation += 1
      state.entries.removeAll()
      state.loadingEntries.removeAll()
      state.listing = nil
      state.loadingListing = nil
    }
  }
}
