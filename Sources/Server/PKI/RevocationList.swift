internal import Synchronization

/// Serials of revoked certificates, shared by the TLS verifier and the authentication interceptor.
///
/// Updated at once by the Admin service and periodically from the database (revocations made
/// by the offline CLI), so a revocation needs no restart.
public final class RevocationList: Sendable {
  private let serials: Mutex<Set<String>>

  /// Creates a list.
  ///
  /// - Parameter serials: Lower-case hex serials.
  public init(_ serials: Set<String> = []) {
    self.serials = Mutex(serials)
  }

  /// Whether a serial is revoked.
  public func contains(_ serial: String) -> Bool {
    self.serials.withLock { $0.contains(serial) }
  }

  /// Adds a serial.
  public func insert(_ serial: String) {
    _ = self.serials.withLock { $0.insert(serial) }
  }

  /// Replaces the whole list (revocations are never undone, so this only grows in practice).
  public func replace(with serials: Set<String>) {
    self.serials.withLock { $0 = serials }
  }
}
