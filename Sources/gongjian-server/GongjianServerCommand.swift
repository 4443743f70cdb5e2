import ArgumentParser
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
    subcommands: [Quickstart.self, Serve.self, Init.self, Tenants.self, Offices.self, Members.self, Overseers.self, Certs.self, Audit.self, Backup.self, Restore.self, Config.self, Compact.self],
    defaultSubcommand: Quickstart.self
  )
}

/// Options shared by every subcommand.
struct CommonOptions: ParsableArguments {
  @Option(name: .long, help: "The data directory (database and PKI).")
  var dataDir: String = "./gongjian-data"

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
  }

  /// `--storage`, parsed.
  var storageLocation: StorageLocation? {
    get throws { try self.storage.map(StorageLocation.init(url:)) }
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
