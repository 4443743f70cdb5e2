internal import Foundation
internal import NIOCore
internal import NIOSSL
internal import PostgresNIO

extension PostgresStore {
  /// Where the database is and how to use it, from a URL:
  /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require&pool=N]`.
  public struct Configuration: Sendable, Hashable {
    public var host: String
    /// Default 5432.
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// `disable`, `prefer` (the default) or `require`.
    public var sslMode: SSLMode
    /// Most connections this node opens (default 10); concurrent pushes share one transaction
    /// (group commit), so a handful is enough for writes.
    public var poolSize: Int
    /// Starts even when the database could lose acknowledged commits or the role bypasses
    /// row-level security (default false; for tests only).
    public var allowUnsafe: Bool
    /// A commit's statements are cancelled by PostgreSQL after this long (`statement_timeout`,
    /// URL parameter `statement_timeout` in milliseconds). Default 4 s, within the server's
    /// commit deadline (5 s).
    public var statementTimeout: Duration = .seconds(4)
    /// A commit waiting this long for a row lock gives up (`lock_timeout`, URL parameter
    /// `lock_timeout` in milliseconds). Default 2 s.
    public var lockTimeout: Duration = .seconds(2)

    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
      case disable, prefer, require
    }

    public init(
      host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
      sslMode: SSLMode = .prefer, poolSize: Int = 10, allowUnsafe: Bool = false
    ) {
      self.host = host
      self.port = port
      self.username = username
      self.password = password
      self.database = database
      self.sslMode = sslMode
      self.poolSize = poolSize
      self.allowUnsafe = allowUnsafe
    }

    /// Parses a `postgres://` (or `postgresql://`) URL.
    ///
    /// - Throws: `invalidArgument` naming what is missing or wrong.
    public init(url text: String) throws {
      guard let url = URLComponents(string: text), let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme) else {
        throw GongjianError(.invalidArgument, "storage: expected postgres://USER@HOST:PORT/DATABASE (got '\(text)')")
      }
      guard let host = url.host, !host.isEmpty else {
        throw GongjianError(.invalidArgument, "storage: \(text) names no host (postgres://USER@HOST:PORT/DATABASE)")
      }
      guard let user = url.user, !user.isEmpty else {
        throw GongjianError(.invalidArgument, "storage: \(text) names no user (postgres://USER@HOST:PORT/DATABASE)")
      }
      let database = String(url.path.drop(while: { $0 == "/" }))
      guard !database.isEmpty else {
        throw GongjianError(.invalidArgument, "storage: \(text) names no database (postgres://USER@HOST:PORT/DATABASE)")
      }
      self.init(host: host, port: url.port ?? 5432, username: user, password: url.password, database: database)
      for item in url.queryItems ?? [] {
        switch item.name {
        case "sslmode":
          guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
            throw GongjianError(.invalidArgument, "storage: sslmode must be disable, prefer or require (got '\(item.value ?? "")')")
          }
          self.sslMode = mode
        case "pool":
          guard let size = item.value.flatMap(Int.init), (1...1000).contains(size) else {
            throw GongjianError(.invalidArgument, "storage: pool must be a number of connections from 1 to 1000 (got '\(item.value ?? "")')")
          }
          self.poolSize = size
        case "statement_timeout", "lock_timeout":
          guard let milliseconds = item.value.flatMap(Int.init), (1...600_000).contains(milliseconds) else {
            throw GongjianError(.invalidArgument, "storage: \(item.name) must be milliseconds from 1 to 600000 (got '\(item.value ?? "")')")
          }
          if item.name == "statement_timeout" { self.statementTimeout = .milliseconds(milliseconds) } else { self.lockTimeout = .milliseconds(milliseconds) }
        default:
          throw GongjianError(.invalidArgument, "storage: unknown URL parameter '\(item.name)' (known: sslmode, pool, statement_timeout, lock_timeout)")
        }
      }
    }

    /// The URL that ``init(url:)`` reads back (with the password, if any).
    public var url: String {
      var components = URLComponents()
      components.scheme = "postgres"
      components.user = self.username
      components.password = self.password
      components.host = self.host
      components.port = self.port
      components.path = "/" + self.database
      var items: [URLQueryItem] = []
      if self.sslMode != .prefer { items.append(URLQueryItem(name: "sslmode", value: self.sslMode.rawValue)) }
      if self.poolSize != 10 { items.append(URLQueryItem(name: "pool", value: String(self.poolSize))) }
      if self.statementTimeout != .seconds(4) { items.append(URLQueryItem(name: "statement_timeout", value: String(Self.milliseconds(self.statementTimeout)))) }
      if self.lockTimeout != .seconds(2) { items.append(URLQueryItem(name: "lock_timeout", value: String(Self.milliseconds(self.lockTimeout)))) }
      components.queryItems = items.isEmpty ? nil : items
      return components.string ?? self.displayURL
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
      duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// The URL without its password, for logs and messages.
    public var displayURL: String {
      "postgres://\(self.username)@\(self.host):\(self.port)/\(self.database)"
    }

    /// A connection of its own, outside the pool: the start-up probe, the watch for the
    /// database's return, the housekeeping lease.
    func connectionConfiguration(connectTimeout: TimeAmount? = nil) throws -> PostgresConnection.Configuration {
      let tls: PostgresConnection.Configuration.TLS =
        switch self.sslMode {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
      var configuration = PostgresConnection.Configuration(
        host: self.host, port: self.port, username: self.username, password: self.password, database: self.database, tls: tls
      )
      if let connectTimeout { configuration.options.connectTimeout = connectTimeout }
      return configuration
    }

    var clientConfiguration: PostgresClient.Configuration {
      let tls: PostgresClient.Configuration.TLS =
        switch self.sslMode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
      var configuration = PostgresClient.Configuration(
        host: self.host, port: self.port, username: self.username, password: self.password, database: self.database, tls: tls
      )
      configuration.options.maximumConnections = self.poolSize
      return configuration
    }
  }
}
