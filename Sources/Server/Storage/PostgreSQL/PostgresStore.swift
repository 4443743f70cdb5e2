internal import Foundation
internal import GongjianProtocol
public import Logging
internal import NIOCore
internal import PostgresNIO

/// The store for deployments that outgrow one machine: PostgreSQL, through PostgresNIO, shared
/// by any number of server nodes.
///
/// - Each tenant's sequence is a counter row (`tenant_state`) locked by the committing
///   transaction, so sequences are gapless for readers whatever the number of nodes.
/// - Row-level security keeps each tenant's rows behind a second wall: a transaction sees only the
///   tenants it names (``transaction(tenants:readOnly:_:)``), so a query that forgets its tenant
///   filter reads nothing of another tenant.
/// - Commits are announced with `NOTIFY` (``feedChannel``), so subscribers on every node hear
///   of them.
///
/// A store lives inside ``withStore(_:logger:_:)``, which runs the connection pool around it:
///
/// ```swift
/// try await PostgresStore.withStore(try .init(url: "postgres://gongjian@db:5432/gongjian"), logger: logger) { store in
///   let server = try await GongjianServer(configuration: config, dataDirectory: data, store: store, logger: logger)
///   try await ServiceGroup(services: [server], logger: logger).run()
/// }
/// ```
public final class PostgresStore: GongjianStore {
  let pool: PostgresPool
  let lease: PostgresLease
  let logger: Logger

  /// The connection pool in use (renewed after an outage; see ``PostgresPool``).
  var client: PostgresClient { self.pool.client }
  public let configuration: Configuration

  /// The channel on which commits are announced, as `TENANT:HEAD:NODE`.
  public static let feedChannel = "gongjian_feed"
  /// The channel on which directory and certificate changes are announced.
  public static let directoryChannel = "gongjian_directory"

  /// This store's name in its announcements (random per process), so that its own listener can
  /// pass over its own commits: the node has published them to its subscribers already, or is
  /// about to, and taking them for another node's would send every live subscriber back to
  /// reading the table (the notification often arrives before the committing task resumes).
  let nodeID: String

  private init(configuration: Configuration, pool: PostgresPool, logger: Logger) {
    self.configuration = configuration
    self.pool = pool
    self.lease = PostgresLease(configuration: configuration, logger: logger)
    self.logger = logger
    self.nodeID = UUID().uuidString
  }

  /// Connects, runs the pool for the duration of `body`, migrates the schema (one node at a time)
  /// and checks that the database keeps what it acknowledges.
  ///
  /// - Throws: `failedPrecondition` when `fsync`, `synchronous_commit` or `full_page_writes` is
  ///   off, or the role bypasses row-level security, unless ``Configuration/allowUnsafe``;
  ///   `unavailable` when the database cannot be reached.
  public static func withStore<Result: Sendable>(
    _ configuration: Configuration, logger: Logger, _ body: (PostgresStore) async throws -> Result
  ) async throws -> Result {
    let pool = PostgresPool(configuration: configuration, logger: logger)
    defer { pool.shutDown() }
    return try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { await pool.watch() }
      defer { group.cancelAll() }
      let store = PostgresStore(configuration: configuration, pool: pool, logger: logger)
      do {
        try await store.probe()
        try await store.migrate()
      } catch let error as PSQLError {
        throw GongjianError(.unavailable, "PostgreSQL at \(configuration.displayURL): \(Self.describe(error))", cause: error)
      }
      logger.info("opened PostgreSQL store", metadata: ["url": "\(configuration.displayURL)", "pool": "\(configuration.poolSize)"])
      do {
        let result = try await body(store)
        await store.lease.release()
        return result
      } catch {
        await store.lease.release()
        throw error
      }
    }
  }

  /// Reads from the database within five seconds: the pool waits for a connection as long as the
  /// database is down, and the health probe must say so instead.
  public func ping() async throws {
    try await self.mapErrors {
      try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
          _ = try await self.client.query("SELECT count(*) FROM tenant", logger: self.logger).collect()
          return true
        }
        group.addTask {
          try await Task.sleep(for: .seconds(5))
          return false
        }
        defer { group.cancelAll() }
        guard try await group.next() == true else {
          self.pool.suspectOutage()
          throw GongjianError(.unavailable, "PostgreSQL at \(self.configuration.displayURL) did not answer within 5 s")
        }
      }
    }
  }

  /// Connects once on a connection of its own, outside the pool (which would retry a refused
  /// connection for ever), so that a wrong address or password fails at once with the reason;
  /// then checks the database's settings on it.
  private func probe() async throws {
    let connection = try await PostgresConnection.connect(
      configuration: try self.configuration.connectionConfiguration(), id: 0, logger: self.logger
    )
    do {
      try await self.checkSafety(connection)
      try await connection.close()
    } catch {
      try? await connection.close()
      throw error
    }
  }

  /// Refuses a database that could lose acknowledged commits, or a role that sees every tenant.
  private func checkSafety(_ connection: PostgresConnection) async throws {
    let rows = try await connection.query(
      """
      SELECT current_setting('fsync'), current_setting('synchronous_commit'), current_setting('full_page_writes'),
        (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user)
      """,
      logger: self.logger
    ).collect()
    guard let row = rows.first else { return }
    let (fsync, synchronousCommit, fullPageWrites, bypassesRLS) = try row.decode((String, String, String, Bool).self)
    var problems: [String] = []
    if fsync != "on" { problems.append("fsync=\(fsync)") }
    if synchronousCommit == "off" { problems.append("synchronous_commit=\(synchronousCommit)") }
    if fullPageWrites != "on" { problems.append("full_page_writes=\(fullPageWrites)") }
    if !problems.isEmpty {
      let message = "PostgreSQL at \(self.configuration.displayURL) runs with \(problems.joined(separator: ", ")): a crash could lose acknowledged pushes; turn them on (or, for tests only, pass --allow-unsafe-storage)"
      guard self.configuration.allowUnsafe else { throw GongjianError(.failedPrecondition, message) }
      self.logger.warning("\(message)")
    }
    if bypassesRLS {
      let message = "PostgreSQL role \(self.configuration.username) is a superuser or bypasses row-level security, so tenants are not walled off in the database; connect as an ordinary role that owns the database (CREATE ROLE gongjian LOGIN; CREATE DATABASE gongjian OWNER gongjian)"
      guard self.configuration.allowUnsafe else { throw GongjianError(.failedPrecondition, message) }
      self.logger.warning("\(message)")
    }
  }

  // MARK: Transactions

  /// Runs `body` in one transaction that may see the rows of `tenants` only (row-level security).
  ///
  /// - Parameters:
  ///   - tenants: The tenants whose rows the transaction reads or writes.
  ///   - readOnly: A read-only transaction with one snapshot for all its statements (a page and its
  ///     checkpoint agree); otherwise read committed, with locks where the caller takes them.
  @discardableResult
  func transaction<Result: Sendable>(
    tenants: [String], readOnly: Bool = false, _ body: (PostgresConnection) async throws -> Result
  ) async throws -> Result {
    try await self.mapErrors {
      try await self.client.withConnection { connection in
        try await self.inTransaction(connection, tenants: tenants, readOnly: readOnly, body)
      }
    }
  }

  /// ``transaction(tenants:readOnly:_:)`` on a connection the caller holds, with PostgreSQL's
  /// errors as they are (a commit retries some of them). With no tenants, `body` names them
  /// itself (a commit round does, with its bounds and its first reads).
  nonisolated(nonsending) func inTransaction<Result: Sendable>(
    _ connection: PostgresConnection, tenants: [String], readOnly: Bool = false,
    _ body: (PostgresConnection) async throws -> Result
  ) async throws -> Result {
    // The pool may hand out a connection that died a moment ago; a statement sent on it would
    // never be answered.
    guard !connection.isClosed else { throw ClosedConnection() }
    if readOnly {
      try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: self.logger)
    } else {
      _ = try await connection.execute(PostgresCommitStatements.Begin(), logger: self.logger)
    }
    do {
      if !tenants.isEmpty {
        try await connection.query("SELECT set_config('gongjian.tenants', \(tenants)::text, true)", logger: self.logger)
      }
      let result = try await body(connection)
      _ = try await connection.execute(PostgresCommitStatements.Commit(), logger: self.logger)
      return result
    } catch {
      // A connection that failed took its transaction with it (the server rolls it back), and a
      // statement sent on a closed connection is never answered: PostgresNIO writes it without
      // a promise. Rolling back there is what wedged commits after a database restart.
      if Self.isReadOnly(error) {
        // A standby (behind a balancer while the primary is down, or still there after it came
        // back): this connection will never write, so it goes, and the pool opens another.
        try? await connection.close()
      } else if !connection.isClosed, !Self.isConnectionFailure(error) {
        _ = try? await connection.query("ROLLBACK", logger: self.logger)
      }
      throw error
    }
  }

  /// A connection found closed before anything was sent on it: nothing happened, a retry on
  /// another connection may succeed.
  struct ClosedConnection: Error {}

  /// Whether the server refused a write because it is a standby (SQLSTATE 25006).
  static func isReadOnly(_ error: any Error) -> Bool {
    (error as? PSQLError)?.serverInfo?[.sqlState] == "25006"
  }

  /// Whether an error means the connection itself is gone.
  static func isConnectionFailure(_ error: any Error) -> Bool {
    guard let error = error as? PSQLError else { return false }
    return [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown].contains(error.code)
  }

  /// PostgreSQL's errors as the store's: what failed, without the query's text.
  func mapErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
      return try await body()
    } catch {
      throw self.failure(error, committing: false)
    }
  }

  /// An error of the database's as the store says it: UNAVAILABLE with RetryInfo, saying
  /// whether a commit may have been applied. A failure that suggests the database is away starts
  /// the pool's watch for its return.
  func failure(_ error: any Error, committing: Bool) -> any Error {
    let message: String
    switch error {
    case is GongjianError, is CancellationError:
      return error
    case let error as PSQLError:
      if error.code != .server { self.pool.suspectOutage() }
      message =
        switch (committing, Self.isConnectionFailure(error)) {
        case (true, true):
          "the connection to PostgreSQL was lost during the commit (\(Self.describe(error))): whether it was applied is unknown; retry with the same mutation ids (a replay answers the first outcome)"
        case (true, false): "PostgreSQL could not commit (\(Self.describe(error))): nothing was committed; retry later"
        case (false, _): "PostgreSQL: \(Self.describe(error))"
        }
    case is ClosedConnection:
      self.pool.suspectOutage()
      message = "PostgreSQL: no open connection\(committing ? " to commit on: nothing was committed" : ""); retry later"
    default:
      // The pool could not lend a connection (backing off, or replaced after an outage).
      self.pool.suspectOutage()
      message = "PostgreSQL: no connection (\(error))\(committing ? ": nothing was committed" : ""); retry later"
    }
    var failure = GongjianError(.unavailable, message, cause: error)
    failure.retryAfter = .seconds(1)
    return failure
  }

  static func describe(_ error: PSQLError) -> String {
    if let message = error.serverInfo?[.message] {
      return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
    }
    if let underlying = error.underlying { return "\(error.code): \(underlying)" }
    return "\(error.code)"
  }

  /// A retry of the whole transaction can succeed: a deadlock, a serialisation failure, or a
  /// unique row another node inserted meanwhile (a client id, a mutation id).
  static func isRetryable(_ error: PSQLError) -> Bool {
    guard let state = error.serverInfo?[.sqlState] else { return false }
    return state == "40001" || state == "40P01" || state == "23505"
  }
}
