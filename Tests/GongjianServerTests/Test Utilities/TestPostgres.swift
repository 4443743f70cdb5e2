import Foundation
import GongjianServer
import Logging
import PostgresNIO

/// Fresh databases on the test cluster that `dev/postgres.sh` starts (dev/test.sh exports its URL
/// as `GONGJIAN_TEST_POSTGRES_URL`): one database per test, so tests run in parallel.
enum TestPostgres {
  struct Missing: Error, CustomStringConvertible {
    var description: String {
      "GONGJIAN_TEST_POSTGRES_URL is not set: run the tests with dev/test.sh, or start a cluster with `dev/postgres.sh start DIR` and export the URL it prints"
    }
  }

  /// The test cluster's database for the role `gongjian`.
  static func clusterConfiguration() throws -> PostgresStore.Configuration {
    guard let url = ProcessInfo.processInfo.environment["GONGJIAN_TEST_POSTGRES_URL"] else { throw Missing() }
    return try PostgresStore.Configuration(url: url)
  }

  /// Runs `body` with a new, empty database owned by `gongjian`, dropped afterwards.
  static func withDatabase<Result: Sendable>(_ body: (PostgresStore.Configuration) async throws -> Result) async throws -> Result {
    let cluster = try Self.clusterConfiguration()
    let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try await Self.execute(cluster, "CREATE DATABASE \(name) OWNER gongjian")
    var configuration = cluster
    configuration.database = name
    do {
      let result = try await body(configuration)
      try? await Self.execute(cluster, "DROP DATABASE \(name) WITH (FORCE)")
      return result
    } catch {
      try? await Self.execute(cluster, "DROP DATABASE \(name) WITH (FORCE)")
      throw error
    }
  }

  /// Runs statements outside any store, on a connection of their own.
  static func execute(_ configuration: PostgresStore.Configuration, username: String? = nil, _ statements: String...) async throws {
    try await Self.withClient(configuration, username: username) { client in
      for statement in statements { try await client.query(PostgresQuery(unsafeSQL: statement)) }
    }
  }

  /// A raw PostgresNIO client on a database, as `username` (default: the configuration's).
  static func withClient<Result: Sendable>(
    _ configuration: PostgresStore.Configuration, username: String? = nil, _ body: (PostgresClient) async throws -> Result
  ) async throws -> Result {
    let client = PostgresClient(
      configuration: .init(
        host: configuration.host, port: configuration.port, username: username ?? configuration.username,
        password: configuration.password, database: configuration.database, tls: .disable
      ),
      backgroundLogger: Logger(label: "test-postgres")
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { await client.run() }
      defer { group.cancelAll() }
      return try await body(client)
    }
  }
}
