public import Foundation
internal import NIOCore
internal import Synchronization

/// The office behind each open mutual-TLS connection, established once, when its certificate is
/// verified during the handshake, and looked up by every call on that connection.
///
/// Calls find their connection by the peer address the transport puts in `ServerContext`
/// (`ipv4:HOST:PORT`), which is unique among open connections. Keeping the identity here means a
/// call costs one dictionary lookup instead of the transport's per-stream event-loop hop and
/// X.509 parse of the peer certificate.
public final class ConnectionIdentities: Sendable {
  /// What a verified client certificate established.
  public struct Identity: Sendable, Equatable {
    /// The office named by the certificate's SAN URI.
    public var officeID: String
    /// The certificate's serial, lower-case hex.
    public var serial: String
    /// The end of the certificate's validity.
    public var notAfter: Date
  }

  private struct Entry {
    var token: UInt64
    var identity: Identity
  }

  private let entries = Mutex<[String: Entry]>([:])
  private let tokens = Atomic<UInt64>(0)

  /// Creates an empty registry.
  public init() {}

  /// The identity of the connection a call came in on, by the call's `remotePeer`.
  public func identity(peer: String) -> Identity? {
    self.entries.withLock { $0[peer]?.identity }
  }

  /// How many connections are registered.
  public var count: Int {
    self.entries.withLock { $0.count }
  }

  /// Registers a connection's identity; returns the token that removes exactly this entry.
  func register(peer: String, identity: Identity) -> UInt64 {
    let token = self.tokens.add(1, ordering: .relaxed).newValue
    self.entries.withLock { $0[peer] = Entry(token: token, identity: identity) }
    return token
  }

  /// Removes a connection's entry unless a newer connection from the same address replaced it.
  func remove(peer: String, token: UInt64) {
    self.entries.withLock { entries in
      if entries[peer]?.token == token { entries[peer] = nil }
    }
  }

  /// The key a connection is registered under: the transport's format of `ServerContext.remotePeer`.
  static func key(for address: SocketAddress?) -> String? {
    switch address {
    case .v4(let v4)?: return "ipv4:\(v4.host):\(address!.port!)"
    case .v6(let v6)?: return "ipv6:[\(v6.host)]:\(address!.port!)"
    default: return nil
    }
  }
}
