import ArgumentParser
import GongjianProtocol
import GongjianServer
import Logging

/// `gongjian-server`: runs and administers a Gongjian server.
@main
struct GongjianServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gongjian-server",
    abstract: "The Gongjian co-construction sync server (gRPC over mutual TLS).",
    discussion: """
      With no subcommand: serves on 127.0.0.1:7443 from ./gongjian-data, creating a development
      data directory there (CA, server certificate, sample offices) on first start.
      """,
    version: GongjianVersion.current,
    subcommands: [Quickstart.self, Serve.self, Init.self, Tenants.self, Offices.self, Members.self, Overseers.self, Certs.self, Audit.self, Backup.self, Restore.self, Config.self, Compact.self],
    defaultSubcommand: Quickstart.self
  )
}

/// Options shared by every subcommand.
struct CommonOptions: ParsableArguments {
  @Option(
    name: .customLong("data-dir"),
    help: ArgumentHelp("The data directory, database and PKI (default: the configuration file's data_dir, else ./gongjian-data).", valueName: "data-dir")
  )
  var dataDirOption: String?

  @Option(
    help: ArgumentHelp(
      "A JSON configuration file (`gongjian-server config defaults` prints one): its data_dir and storage apply where --data-dir and --storage are not given; serve reads all of it.",
      valueName: "file"
    ),
    completion: .file(extensions: ["json"])
  )
  var config: String?

  @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error (debug logs every call).")
  var logLevel: String = "info"

  @Option(name: .long, help: "Log format: text, or json (one object per line).")
  var logFormat: LogFormat = .text

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Where the records live: postgres://USER@HOST:PORT/DB[?sslmode=…&pool=N] (recorded by init; several nodes share it), or sqlite (default: what init recorded, else <data-dir>/gongjian.sqlite).",
      valueName: "url"
    )
  )
  var storage: String?

  @Flag(name: .long, help: "Open a PostgreSQL database whose fsync, synchronous_commit or full_page_writes is off, or a role that bypasses row-level security (tests only).")
  var allowUnsafeStorage = false

  enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

  func validate() throws {
    if let storage = self.storage {
      do { _ = try StorageLocation(url: storage) } catch let error as GongjianError { throw ValidationError("--\(error.message)") }
    }
    // The file's data_dir and storage are read before anything else; its other settings (and the
    // storage URL's own checks) are serve's, which reports every error of the file at once.
    if let file = self.config {
      do {
        _ = try ConfigFile.locations(file)
      } catch let error as ConfigFile.ConfigError {
        throw Self.configError(file, error.message)
      }
    }
    try self.refuseForeignOwner()
  }

  /// A configuration file's error: said naming the file, exit 65 as `config check` does.
  static func configError(_ file: String, _ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("gongjian-server: \(file): \(message)\n".utf8))
    return ExitCode(65)
  }

  /// Where the data directory is when neither `--data-dir` nor a configuration file says.
  static let defaultDataDir = "./gongjian-data"

  /// The data directory: `--data-dir`, else the configuration file's `data_dir`, else ``defaultDataDir``.
  var dataDir: String {
    if let path = self.dataDirOption { return path }
    return Self.dataDir(configuration: self.config)
  }

  /// The data directory a configuration file names, else ``defaultDataDir``.
  static func dataDir(configuration file: String?) -> String {
    file.flatMap { try? ConfigFile.locations($0).dataDir } ?? Self.defaultDataDir
  }

  /// `--storage`, else the configuration file's `storage`, parsed.
  var storageLocation: StorageLocation? {
    get throws {
      if let storage = self.storage { return try StorageLocation(url: storage) }
      guard let file = self.config, let storage = try? ConfigFile.locations(file).storage else { return nil }
      do {
        return try StorageLocation(url: storage)
      } catch let error as GongjianError {
        throw Self.configError(file, error.message)
      }
    }
  }

  /// Root may not write into a data directory that belongs to another user (the packaged
  /// server's `gongjian`): files it made there (a database's -wal and -shm, a certificate) would
  /// be root's, and the server could not open them.
  func refuseForeignOwner() throws {
    guard geteuid() == 0,
      let attributes = try? FileManager.default.attributesOfItem(atPath: self.dataDir),
      let owner = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value, owner != 0
    else { return }
    let name = (attributes[.ownerAccountName] as? String) ?? "\(owner)"
    throw ValidationError(
      "\(self.dataDir) belongs to user \(name): run this as that user (sudo -u \(name) gongjian-server …), so that the server can read what it writes"
    )
  }

  /// Runs `body` with the data directory's store open (SQLite, or the PostgreSQL database).
  func withStore<Result: Sendable>(logger: Logger, _ body: (any GongjianStore) async throws -> Result) async throws -> Result {
    do {
      return try await DataDirectory(path: self.dataDir).withStore(
        try self.storageLocation, allowUnsafe: self.allowUnsafeStorage, logger: logger, body
      )
    } catch let error as GongjianError {
      throw error.exit()
    }
  }

  func makeLogger() -> Logger {
    let json = self.logFormat == .json
    LoggingSystem.bootstrap { label in
      if json {
        var handler = JSONLogHandler(label: label)
        handler.logLevel = .trace
        return handler
      }
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = .trace
      return handler
    }
    var logger = Logger(label: "gongjian")
    logger.logLevel = Logger.Level(rawValue: self.logLevel) ?? .info
    return logger
  }
}

/// Parses the health probe port: `HOST:PORT` on a loopback address (it serves without TLS).
func parseHealthListen(_ text: String) throws -> ServerConfiguration.Listen {
  let listen = try parseListen(text)
  guard listen.host == "::1" || listen.host.hasPrefix("127.") else {
    throw ValidationError("--health-listen: a loopback address such as 127.0.0.1:8081 (the port has no TLS; got '\(text)')")
  }
  return listen
}

/// Parses `HOST:PORT` (`[::1]:7443` for IPv6).
func parseListen(_ text: String) throws -> ServerConfiguration.Listen {
  var host = text
  var portText = ""
  if let colon = text.lastIndex(of: ":") {
    host = String(text[..<colon])
    portText = String(text[text.index(after: colon)...])
  }
  host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
  guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else {
    throw ValidationError("--listen: expected HOST:PORT, e.g. 127.0.0.1:7443 (got '\(text)')")
  }
  return ServerConfiguration.Listen(host: host, port: port)
}

import Foundation
