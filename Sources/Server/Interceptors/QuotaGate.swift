internal import Foundation
internal import Synchronization

/// Request rates per tenant and per office, as token buckets: a tenant or an office that
/// floods is refused (RESOURCE_EXHAUSTED, with when to retry) while the others go on.
public final class QuotaGate: Sendable {
  /// A rate with a burst.
  public struct Rate: Sendable, Equatable {
    /// Requests per second, sustained.
    public var perSecond: Double
    /// Requests allowed at once above the rate.
    public var burst: Double

    public init(perSecond: Double, burst: Double) {
      self.perSecond = perSecond
      self.burst = burst
    }
  }

  private struct Bucket {
    var tokens: Double
    var updated: ContinuousClock.Instant
  }

  private let perTenant: Rate?
  private let perOffice: Rate?
  private let buckets = Mutex<[String: Bucket]>([:])

  /// Creates a gate; a nil rate is not limited.
  public init(perTenant: Rate?, perOffice: Rate?) {
    self.perTenant = perTenant
    self.perOffice = perOffice
  }

  /// Takes one request of `key` at `rate`; when none is left, how long until one is.
  private func take(_ key: String, _ rate: Rate, now: ContinuousClock.Instant) -> Duration? {
    self.buckets.withLock { buckets in
      var bucket = buckets[key] ?? Bucket(tokens: rate.burst, updated: now)
      let elapsed = now - bucket.updated
      let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      bucket.tokens = min(rate.burst, bucket.tokens + seconds * rate.perSecond)
      bucket.updated = now
      defer { buckets[key] = bucket }
      guard bucket.tokens >= 1 else {
        return .milliseconds(Int(((1 - bucket.tokens) / rate.perSecond * 1000).rounded(.up)))
      }
      bucket.tokens -= 1
      return nil
    }
  }

  /// Admits one request of `office`, naming `tenant` if it does.
  ///
  /// - Throws: `resourceExhausted` naming the quota and when to retry.
  public func admit(office: String, tenant: String?) throws {
    let now = ContinuousClock.now
    if let rate = self.perOffice, let wait = self.take("office/\(office)", rate, now: now) {
      throw Self.refusal("office \(office)", rate, wait)
    }
    if let tenant, let rate = self.perTenant, let wait = self.take("tenant/\(tenant)", rate, now: now) {
      throw Self.refusal("tenant \(tenant)", rate, wait)
    }
  }

  private static func refusal(_ who: String, _ rate: Rate, _ wait: Duration) -> GongjianError {
    let milliseconds = wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
    var error = GongjianError(
      .resourceExhausted,
      "\(who) is over its quota of \(Self.format(rate.perSecond)) requests per second (burst \(Self.format(rate.burst))); retry in \(milliseconds) ms"
    )
    error.retryAfter = wait
    return error
  }

  private static func format(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }
}
