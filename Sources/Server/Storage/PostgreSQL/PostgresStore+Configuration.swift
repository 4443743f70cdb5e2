internal import Foundation
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
        default:
          throw GongjianError(.invalidArgument, "storage: unknown URL parameter '\(item.name)' (known: sslmode, pool)")
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
      components.queryItems = items.isEmpty ? nil : items
      return components.string ?? self.displayURL
    }

    /// The URL without its password, for logs and messages.
    public var displayURL: String {
      "postgres://\(self.username)@\(self.host):\(self.port)/\(self.database)"
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
