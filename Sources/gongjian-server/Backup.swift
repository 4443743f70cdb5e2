import ArgumentParser
import Foundation
import GongjianServer

/// `gongjian-server backup`: the database, consistent as of one moment, while serving.
struct Backup: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Back up the database into a new file while the server runs (SQLite's online backup).",
    discussion: """
      Prints each tenant's head, live records and checksum in the backup, which `restore` checks.
      The backup holds the database only: keep a copy of the data directory's pki/ as well.
      Example: gongjian-server backup --out /backups/gongjian-2026-11-27.sqlite --data-dir /srv/gongjian
      """
  )

  @OptionGroup var common: CommonOptions

  @Option(help: ArgumentHelp("The new backup file.", valueName: "file"))
  var out: String

  func run() async throws {
    var logger = self.common.makeLogger()
    logger.logLevel = .warning
    let directory = DataDirectory(path: self.common.dataDir)
    do {
      guard directory.isInitialised else {
        throw GongjianError(.failedPrecondition, "\(directory.url.path) is not a data directory")
      }
      if case .postgres(let configuration) = try directory.storage(try self.common.storageLocation) {
        throw GongjianError(
          .failedPrecondition,
          "the records are in PostgreSQL (\(configuration.displayURL)): back them up with pg_basebackup and WAL archiving (docs/deployment.md)"
        )
      }
      try directory.openStore(logger: logger).backup(to: self.out)
      for summary in try SQLiteStore.summaries(ofFile: self.out) { print(summary) }
      print("backed up \(directory.databasePath) into \(self.out)")
    } catch let error as GongjianError {
      throw error.exit()
    }
  }
}

/// `gongjian-server restore`: a backup into a data directory that has no database yet.
struct Restore: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Restore a backup into a data directory without a database, checking it first.",
    discussion: "Example: gongjian-server restore --from /backups/gongjian-2026-11-27.sqlite --data-dir /srv/gongjian-restored"
  )

  @OptionGroup var common: CommonOptions

  @Option(name: .customLong("from"), help: ArgumentHelp("The backup file.", valueName: "file"))
  var from: String

  func run() async throws {
    var logger = self.common.makeLogger()
    logger.logLevel = .warning
    let directory = DataDirectory(path: self.common.dataDir)
    do {
      if case .postgres(let configuration) = try directory.storage(try self.common.storageLocation) {
        throw GongjianError(
          .failedPrecondition,
          "the records of \(directory.url.path) are in PostgreSQL (\(configuration.displayURL)): restore them with PostgreSQL's tools (docs/deployment.md)"
        )
      }
      guard !FileManager.default.fileExists(atPath: directory.databasePath) else {
        throw GongjianError(.alreadyExists, "\(directory.databasePath) exists already; restore into a data directory without a database")
      }
      let summaries = try SQLiteStore.summaries(ofFile: self.from)
      try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: self.from, toPath: directory.databasePath)
      let store = try directory.openStore(logger: logger)
      // The restored chains and checksums must be the backup's.
      for summary in summaries {
        _ = try await store.verifyAuditChain(tenantID: summary.tenantID)
        print(summary)
      }
      _ = try await store.verifyDirectoryAudit()
      print("restored \(self.from) into \(directory.databasePath)")
      if !FileManager.default.fileExists(atPath: directory.caCertificatePath) {
        print("copy pki/ from the original data directory into \(directory.url.path) before serving")
      }
    } catch let error as GongjianError {
      throw error.exit()
    }
  }
}
