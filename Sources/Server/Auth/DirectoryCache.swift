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

  private let store: any GongjianStore
  private let timeToLive: Duration
  private let entries = Mutex<[String: Entry]>([:])

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

  /// Forgets everything (after a directory change).
  public func invalidate() {
    self.entries.withLock { $0.removeAll() }
  }
}
