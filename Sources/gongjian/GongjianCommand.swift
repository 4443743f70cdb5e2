import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol

/// `gongjian`: the office's command line for the Gongjian server.
@main
struct GongjianCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gongjian",
    abstract: "Keep an office's copy of its partnerships' records, work offline, and sync with the server.",
    discussion: """
      Daily use: `gongjian profile add NAME --server HOST:PORT --credentials DIR`, then
      `gongjian sync`, `gongjian submit KIND --tenant T --file F` (queued offline, delivered by
      sync), `gongjian status`, `gongjian conflicts`, `gongjian export KIND --tenant T --format csv --out F`.

      \(ExitStatus.help)
      """,
    version: GongjianVersion.current,
    subcommands: [
      ProfileCommand.self, Sync.self, Status.self, Conflicts.self, Submit.self, Push.self, List.self, Get.self,
      Export.self, Import.self, Pull.self, Watch.self, WhoAmI.self, Targets.self, Evaluation.self, CouncilCommand.self,
      AuditCommand.self,
    ]
  )
}

/// Options every command takes: which server and credentials (directly or by profile), and
/// the output form.
struct ConnectionOptions: ParsableArguments {
  @Option(help: "Use this profile (see `gongjian profile list`) instead of the current one.")
  var profile: String?

  @Option(help: "Server address HOST:PORT (env GONGJIAN_SERVER; default: the profile's, else 127.0.0.1:7443).")
  var server: String?

  @Option(
    help: ArgumentHelp("The office's credential folder with ca.pem, cert.pem, key.pem (env GONGJIAN_CREDENTIALS).", valueName: "dir"),
    completion: .directory
  )
  var credentials: String?

  @Flag(help: "Machine-readable output (JSON; one object per line for lists).")
  var json = false

  /// Where to connect and which mirror to use.
  struct Endpoint {
    var server: String
    var credentials: String
    /// The profile whose mirror this is (`adhoc-…` for flags that match no profile).
    var profile: String
    var mirrorPath: String { Paths.mirror(profile: self.profile) }
  }

  /// Flags first, then `--profile`, then the environment, then the current profile.
  func endpoint() throws -> Endpoint {
    let file = try ProfileFile.load()
    var named: Profile?
    if let name = self.profile {
      guard let profile = file.profiles[name] else {
        throw GongjianClientError(.usage, "profile \(name): no such profile (known: \(file.profiles.keys.sorted().joined(separator: ", ")); add one with `gongjian profile add`)")
      }
      named = profile
    }
    let environment = ProcessInfo.processInfo.environment
    let current = named == nil ? file.current.flatMap { file.profiles[$0] } : nil
    let server = self.server ?? named?.server ?? environment["GONGJIAN_SERVER"] ?? current?.server ?? "127.0.0.1:7443"
    guard let credentials = self.credentials ?? named?.credentials ?? environment["GONGJIAN_CREDENTIALS"] ?? current?.credentials else {
      throw GongjianClientError(
        .usage, "credentials: add a profile (`gongjian profile add NAME --server HOST:PORT --credentials DIR`), pass --credentials DIR, or set GONGJIAN_CREDENTIALS"
      )
    }
    let absolute = URL(fileURLWithPath: credentials).standardizedFileURL.path
    let match = file.profiles
      .filter { $0.value.server == server && URL(fileURLWithPath: $0.value.credentials).standardizedFileURL.path == absolute }
      .keys.sorted()
    let profile = self.profile ?? (match.contains(file.current ?? "") ? file.current! : match.first) ?? Self.adhocName(server: server, credentials: absolute)
    return Endpoint(server: server, credentials: credentials, profile: profile)
  }

  /// A stable mirror name for a server and credential folder that no profile names.
  static func adhocName(server: String, credentials: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in "\(server)|\(credentials)".utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    return "adhoc-" + String(hash, radix: 16)
  }

  /// Opens the endpoint's mirror.
  func mirror() throws -> Mirror {
    try Self.openMirror(at: try self.endpoint().mirrorPath)
  }

  /// Opens a mirror, saying once that an earlier version's files were made owner-only.
  static func openMirror(at path: String) throws -> Mirror {
    let mirror = try Mirror(path: path)
    if !mirror.tightened.isEmpty {
      printError("gongjian: made \(mirror.tightened.joined(separator: ", ")) readable by you only (other local users could read the records)")
    }
    return mirror
  }

  /// Connects and runs `body`; prints a failure and exits with its code.
  func withClient(_ body: (GongjianClient) async throws -> Void) async throws {
    do {
      try await self.connect(body)
    } catch let error as GongjianClientError {
      throw error.exit()
    }
  }

  /// Connects and runs `body`, leaving failures to the caller.
  func connect<R: Sendable>(_ body: (GongjianClient) async throws -> R) async throws -> R {
    let endpoint = try self.endpoint()
    let credentials = try ClientCredentials(folder: endpoint.credentials)
    return try await GongjianClient.withClient(server: endpoint.server, credentials: credentials, body)
  }

  /// Asks the server, or computes from the mirror with `--offline` or when the server is
  /// unreachable (saying so, and how old the mirror is, on stderr).
  func online<R: Sendable>(
    or read: ReadOptions, _ online: (GongjianClient) async throws -> R, offline: (OfflineReports) throws -> R
  ) async throws -> R {
    if !read.offline {
      do {
        return try await self.connect(online)
      } catch let error as GongjianClientError where error.kind == .connection {
        printError("gongjian: \(error.message); using the local mirror")
      }
    }
    let mirror = try self.mirror()
    let result = try offline(OfflineReports(mirror: mirror))
    let statuses = try mirror.status()
    let oldest = statuses.compactMap(\.lastSync).min()
    printError("from the mirror: \(statuses.count) tenants, oldest sync \(oldest.map(Status.age) ?? "never")")
    return result
  }

  /// Runs `body` against the server unless `--offline`; false when the caller should read the
  /// mirror instead (offline, or the server unreachable, which is said on stderr).
  func tryOnline(_ read: ReadOptions, _ body: (GongjianClient) async throws -> Void) async throws -> Bool {
    guard !read.offline else { return false }
    do {
      try await self.connect(body)
      return true
    } catch let error as GongjianClientError where error.kind == .connection {
      printError("gongjian: \(error.message); using the local mirror")
      return false
    }
  }

  /// Runs `body`, printing a ``GongjianClientError`` and exiting with its code.
  func run(_ body: () async throws -> Void) async throws {
    do {
      try await body()
    } catch let error as GongjianClientError {
      throw error.exit()
    }
  }
}

func printError(_ line: String) {
  try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
}

/// Writes a line to stdout; a closed pipe (`gongjian list ... | head`) ends the program quietly.
func printLine(_ line: String) {
  do {
    try FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
  } catch {
    exit(0)
  }
}

/// One JSON object on a line, keys sorted, for `--json`.
func printJSON<T: Encodable>(_ value: T) {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  encoder.dateEncodingStrategy = .iso8601
  guard let data = try? encoder.encode(value) else { return }
  printLine(String(decoding: data, as: UTF8.self))
}
