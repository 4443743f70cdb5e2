/// Where a deployment's records live: the data directory's SQLite file (the default), or a
/// PostgreSQL database that several server nodes share.
public enum StorageLocation: Sendable, Hashable {
  /// `gongjian.sqlite` in the data directory.
  case sqlite
  /// A PostgreSQL database.
  case postgres(PostgresStore.Configuration)

  /// `sqlite`, or a `postgres://USER@HOST:PORT/DATABASE` URL.
  ///
  /// - Throws: `invalidArgument` naming what is wrong.
  public init(url: String) throws {
    if url == "sqlite" {
      self = .sqlite
    } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
      self = .postgres(try PostgresStore.Configuration(url: url))
    } else {
      throw GongjianError(.invalidArgument, "storage: 'sqlite' or postgres://USER@HOST:PORT/DATABASE (got '\(url)')")
    }
  }
}
