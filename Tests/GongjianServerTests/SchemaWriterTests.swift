import Foundation
import GongjianProtocol
@testable import GongjianServer
import GRDB
import Logging
import Testing

/// A binary older than its database refuses it, naming both releases, on either store; the
/// version it names comes from VERSION, the one place it is kept.
@Suite("Schema writer")
struct SchemaWriterTests {
  @Test("The binaries' version is VERSION's")
  func versionFile() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let file = try String(contentsOf: root.appendingPathComponent("VERSION"), encoding: .utf8)
    #expect(GongjianVersion.current == file.trimmingCharacters(in: .whitespacesAndNewlines), "run dev/version.sh")
  }

  @Test("SQLite: a database a newer release migrated is refused, naming both versions")
  func sqlite() async throws {
    try await withTemporaryDirectory { folder in
      let path = folder.appendingPathComponent("store.sqlite").path
      // This release records itself beside the migrations it applies; reopening is fine.
      _ = try SQLiteStore(path: path, logger: Logger(label: "test"))
      _ = try SQLiteStore(path: path, logger: Logger(label: "test"))
      let queue = try DatabaseQueue(path: path)
      let recorded = try await queue.read { try String.fetchOne($0, sql: "SELECT version FROM migration_software WHERE identifier = 'v1'") }
      #expect(recorded == GongjianVersion.current)
      // As a later release would leave it: a migration this binary does not know.
      try await queue.write { db in
        try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-later')")
        try db.execute(sql: "INSERT INTO migration_software (identifier, version) VALUES ('v99-later', '99.1.0')")
      }
      try queue.close()
      let error = #expect(throws: GongjianError.self) { try SQLiteStore(path: path, logger: Logger(label: "test")) }
      #expect(error?.code == .failedPrecondition)
      #expect(error?.message.contains("gongjian-server 99.1.0") == true, "\(String(describing: error))")
      #expect(error?.message.contains("this gongjian-server \(GongjianVersion.current)") == true)
      #expect(error?.message.contains("v99-later") == true && error?.message.contains(path) == true)
    }
  }

  @Test("PostgreSQL: a database a newer release migrated is refused, naming both versions")
  func postgres() async throws {
    try await TestPostgres.withDatabase { configuration in
      try await PostgresStore.withStore(configuration, logger: Logger(label: "test")) { _ in }
      _ = try await TestPostgres.withClient(configuration) { client in
        try await client.query("INSERT INTO schema_migration (version, name, applied_by) VALUES (999, 'later', '99.1.0')")
      }
      let error = await #expect(throws: GongjianError.self) {
        try await PostgresStore.withStore(configuration, logger: Logger(label: "test")) { _ in }
      }
      #expect(error?.code == .failedPrecondition)
      #expect(error?.message.contains("gongjian-server 99.1.0") == true, "\(String(describing: error))")
      #expect(error?.message.contains("this gongjian-server \(GongjianVersion.current)") == true)
      #expect(error?.message.contains("999-later") == true)
    }
  }

  @Test("Versions compare by number, not text")
  func order() {
    #expect(SchemaWriter.isOlder("0.9.0", "0.10.0"))
    #expect(!SchemaWriter.isOlder("1.0.0", "0.10.0"))
    #expect(!SchemaWriter.isOlder("1.0.0", "1.0"))
  }
}
