internal import Foundation
public import Logging
internal import Synchronization

/// Counts open connections and connections still in their TLS handshake, in all and per source
/// address, and refuses a new connection over any cap.
///
/// Without it, connections that never finish their handshake were held forever: 1,124 of them
/// exhausted a 1,024 file-descriptor limit and locked every office out, with no log line. The
/// caps bound what any one address (and all of them together) can hold before proving who it
/// is; the handshake timeout (``ConnectionAuthenticator``) bounds for how long.
public final class ConnectionGate: Sendable {
  /// Which cap refused a connection.
  public enum Cap: String, Sendable {
    case connections = "connections in all"
    case handshakes = "handshakes in all"
    case connectionsPerAddress = "connections per address"
    case handshakesPerAddress = "handshakes per address"
    case connectionsPerOffice = "connections per office"
  }

  private struct Counts {
    var connections = 0
    var handshakes = 0
  }

  private struct State {
    var total = Counts()
    var byAddress: [String: Counts] = [:]
    var byOffice: [String: Int] = [:]
    /// Refusals not yet logged, per cap, and when each cap last logged.
    var unlogged: [Cap: Int] = [:]
    var lastLogged: [Cap: ContinuousClock.Instant] = [:]
  }

  private let limits: ServerConfiguration.Connections
  private let state = Mutex(State())
  private let logger: Logger

  /// Creates a gate.
  ///
  /// - Parameters:
  ///   - limits: The caps.
  ///   - logger: Where refusals are logged, at most once a second per cap.
  public init(limits: ServerConfiguration.Connections, logger: Logger) {
    self.limits = limits
    self.logger = logger
  }

  /// Admits a new connection from `address` (its handshake starts), or names the cap it is over.
  func admit(address: String) -> Cap? {
    let now = ContinuousClock.now
    let (refused, report) = self.state.withLock { state -> (Cap?, (Cap, Int)?) in
      let mine = state.byAddress[address] ?? Counts()
      let cap: Cap? =
        if state.total.connections >= self.limits.maxConnections {
          .connections
        } else if state.total.handshakes >= self.limits.maxHandshakes {
          .handshakes
        } else if mine.connections >= self.limits.maxConnectionsPerAddress {
          .connectionsPerAddress
        } else if mine.handshakes >= self.limits.maxHandshakesPerAddress {
          .handshakesPerAddress
        } else {
          nil
        }
      guard let cap else {
        state.total.connections += 1
        state.total.handshakes += 1
        state.byAddress[address, default: Counts()].connections += 1
        state.byAddress[address, default: Counts()].handshakes += 1
        ServerMetrics.connections(open: state.total.connections, handshaking: state.total.handshakes)
        return (nil, nil)
      }
      ServerMetrics.refused(reason: cap.rawValue)
      state.unlogged[cap, default: 0] += 1
      if let last = state.lastLogged[cap], now - last < .seconds(1) { return (cap, nil) }
      state.lastLogged[cap] = now
      let count = state.unlogged[cap] ?? 1
      state.unlogged[cap] = 0
      return (cap, (cap, count))
    }
    if let (cap, count) = report {
      self.logger.warning(
        "connection refused: cap reached",
        metadata: [
          "cap": "\(cap.rawValue)", "limit": "\(self.limit(cap))", "peer": "\(address)",
          "refused": "\(count) since the last such line",
        ]
      )
    }
    return refused
  }

  /// A connection's handshake ended (completed or failed) while it stays open.
  func handshakeEnded(address: String) {
    self.state.withLock { state in
      state.total.handshakes -= 1
      state.byAddress[address]?.handshakes -= 1
      ServerMetrics.connections(open: state.total.connections, handshaking: state.total.handshakes)
    }
  }

  /// An admitted connection closed; `handshaking` when its handshake had not ended.
  func closed(address: String, handshaking: Bool) {
    self.state.withLock { state in
      state.total.connections -= 1
      if handshaking { state.total.handshakes -= 1 }
      ServerMetrics.connections(open: state.total.connections, handshaking: state.total.handshakes)
      guard var mine = state.byAddress[address] else { return }
      mine.connections -= 1
      if handshaking { mine.handshakes -= 1 }
      state.byAddress[address] = mine.connections == 0 ? nil : mine
    }
  }

  /// A connection's certificate names `office`: admitted unless the office is at its cap.
  func officeConnected(_ office: String) -> Bool {
    let admitted = self.state.withLock { state in
      guard state.byOffice[office, default: 0] < self.limits.maxConnectionsPerOffice else { return false }
      state.byOffice[office, default: 0] += 1
      return true
    }
    if !admitted {
      ServerMetrics.refused(reason: Cap.connectionsPerOffice.rawValue)
      self.logger.warning(
        "connection refused: cap reached",
        metadata: ["cap": "\(Cap.connectionsPerOffice.rawValue)", "limit": "\(self.limits.maxConnectionsPerOffice)", "office": "\(office)"]
      )
    }
    return admitted
  }

  /// A connection of `office` that ``officeConnected(_:)`` admitted closed.
  func officeDisconnected(_ office: String) {
    self.state.withLock { state in
      let left = state.byOffice[office, default: 1] - 1
      state.byOffice[office] = left > 0 ? left : nil
    }
  }

  private func limit(_ cap: Cap) -> Int {
    switch cap {
    case .connectionsPerOffice: self.limits.maxConnectionsPerOffice
    case .connections: self.limits.maxConnections
    case .handshakes: self.limits.maxHandshakes
    case .connectionsPerAddress: self.limits.maxConnectionsPerAddress
    case .handshakesPerAddress: self.limits.maxHandshakesPerAddress
    }
  }
}
