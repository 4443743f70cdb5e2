internal import Foundation

/// Exponential backoff with jitter for calls that got no answer (timeouts, refused connections,
/// a restarting server). Only ``GongjianClientError/Kind/connection`` failures are retried: the
/// server answered every other one.
public struct RetryPolicy: Sendable {
  /// Attempts in all, the first included. Default 6.
  public var attempts: Int
  /// The wait after the first failure. Default 250 ms.
  public var initialBackoff: Duration
  /// The longest wait. Default 8 s.
  public var maximumBackoff: Duration
  /// Each wait is drawn uniformly from `(1 - jitter) × backoff … backoff`. Default 0.5.
  public var jitter: Double

  /// A policy; see the properties for the defaults.
  public init(attempts: Int, initialBackoff: Duration, maximumBackoff: Duration, jitter: Double) {
    self.attempts = max(1, attempts)
    self.initialBackoff = initialBackoff
    self.maximumBackoff = maximumBackoff
    self.jitter = min(max(jitter, 0), 1)
  }

  /// The defaults above.
  public static var defaults: RetryPolicy {
    RetryPolicy(attempts: 6, initialBackoff: .milliseconds(250), maximumBackoff: .seconds(8), jitter: 0.5)
  }

  /// The wait before attempt `attempt + 1`.
  public func delay(attempt: Int) -> Duration {
    let exponent = Double(1 << min(max(attempt - 1, 0), 20))
    let backoff = min(self.initialBackoff * exponent, self.maximumBackoff)
    return backoff * (1 - self.jitter * Double.random(in: 0...1))
  }

  /// Runs `body`, retrying connection failures with backoff.
  ///
  /// - Parameters:
  ///   - body: The call; it must be safe to repeat (a push with the same mutation ids is).
  ///   - onRetry: Told of each failure before the wait.
  func run<R>(
    _ body: () async throws -> R, onRetry: (GongjianClientError) -> Void = { _ in }
  ) async throws -> R {
    var attempt = 0
    while true {
      attempt += 1
      do {
        return try await body()
      } catch let error as GongjianClientError where error.kind == .connection && attempt < self.attempts {
        onRetry(error)
        try await Task.sleep(for: self.delay(attempt: attempt))
      }
    }
  }
}
