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
  }

  /// Every tenant and office with the members of each tenant: the names a client shows.
  public struct Listing: Sendable {
    public var tenants: [Gongjian_V1_Tenant]
    public var offices: [Gongjian_V1_Office]
    /// Office ids by tenant id.
    public var members: [String: Set<String>]
  }

  private let store: any GongjianStore
  private let timeToLive: Duration
  private let entries = Mutex<[String: Entry]>([:])
  private let cachedListing = Mutex<(listing: Listing, expires: ContinuousClock.Instant)?>(nil)

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
    let now = ContinuousClock.now
    if let cached = self.entries.withLock({ $0[officeID] }), cached.expires > now {
      return cached
    }
    let entry = Entry(
      office: try await self.store.office(id: officeID),
      memberships: try await self.store.memberships(officeID: officeID),
      expires: now + self.timeToLive
    )
    if self.timeToLive > .zero {
      self.entries.withLock { $0[officeID] = entry }
    }
    return entry
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
    let now = ContinuousClock.now
    if let cached = self.cachedListing.withLock({ $0 }), cached.expires > now {
      return cached.listing
    }
    let tenants = try await self.store.tenants()
    var members: [String: Set<String>] = [:]
    for tenant in tenants {
      members[tenant.id] = Set(try await self.store.memberships(tenantID: tenant.id).map(\.officeID))
    }
    let listing = Listing(tenants: tenants, offices: try await self.store.offices(), members: members)
    if self.timeToLive > .zero {
      self.cachedListing.withLock { $0 = (listing, now + self.timeToLive) }
    }
    return listing
  }

  /// Forgets everything (after a directory change).
  public func invalidate() {
    self.entries.withLock { $0.removeAll() }
    self.cachedListing.withLock { $0 = nil }
  }
}
