import ArgumentParser
import Foundation
import GongjianClient

/// `gongjian`: the office's command line for the Gongjian server.
@main
struct GongjianCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gongjian",
    abstract: "Submit, pull and follow a co-construction partnership's records.",
    discussion: """
      Exit codes: 0 success, 64 usage or bad input file, 65 rejected by the server, 67 conflict,
      69 server unreachable, 70 other server error, 77 not authenticated or not permitted.
      """,
    subcommands: [WhoAmI.self, Pull.self, Push.self, Watch.self, Submit.self, List.self, Get.self, Targets.self, Evaluation.self, CouncilCommand.self]
  )
}

/// Options every command takes.
struct ConnectionOptions: ParsableArguments {
  @Option(help: "Server address HOST:PORT (env GONGJIAN_SERVER; default 127.0.0.1:7443).")
  var server: String?

  @Option(help: "The office's credential folder with ca.pem, cert.pem, key.pem (env GONGJIAN_CREDENTIALS).")
  var credentials: String?

  @Flag(help: "Machine-readable output (JSON, one object per line).")
  var json = false

  var serverAddress: String {
    self.server ?? ProcessInfo.processInfo.environment["GONGJIAN_SERVER"] ?? "127.0.0.1:7443"
  }

  func credentialFolder() throws -> String {
    guard let folder = self.credentials ?? ProcessInfo.processInfo.environment["GONGJIAN_CREDENTIALS"] else {
      throw GongjianClientError(.usage, "credentials: pass --credentials DIR or set GONGJIAN_CREDENTIALS")
    }
    return folder
  }

  /// Connects and runs `body`; maps failures to exit codes with a message on stderr.
  func withClient(_ body: (GongjianClient) async throws -> Void) async throws {
    do {
      let credentials = try ClientCredentials(folder: try self.credentialFolder())
      try await GongjianClient.withClient(server: self.serverAddress, credentials: credentials, body)
    } catch let error as GongjianClientError {
      printError("gongjian: \(error.message)")
      throw ExitCode(error.kind.exitCode)
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
