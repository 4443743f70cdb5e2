import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import GongjianServer

/// Where a directory command acts: offline on a data directory (the default, as `certs` does),
/// or online through a running server's Admin service with an operator admin's credentials.
/// Both apply the same checks (``DirectoryAdmin``) and print the same messages.
struct DirectoryTarget: ParsableArguments {
  @OptionGroup var common: CommonOptions

  @Option(help: ArgumentHelp("Administer a running server through its Admin service (with --credentials).", valueName: "host:port"))
  var server: String?

  @Option(help: ArgumentHelp("An operator admin's credential folder or bundle (with --server).", valueName: "path"))
  var credentials: String?

  func validate() throws {
    if (self.server == nil) != (self.credentials == nil) {
      throw ValidationError("--server and --credentials go together (online); without both, the command works on --data-dir")
    }
  }

  /// Who the audit records for an offline change.
  static var offlineActor: String { "operator:\(ProcessInfo.processInfo.userName)" }

  /// Runs `offline` on the data directory's store, or `online` against the server; errors of
  /// either are printed as one line naming the field, with the CLI's exit codes.
  func run<R: Sendable>(
    offline: (DirectoryAdmin, any GongjianStore) async throws -> R,
    online: (GongjianClient) async throws -> R
  ) async throws -> R {
    do {
      if let server = self.server, let credentials = self.credentials {
        return try await GongjianClient.withClient(server: server, credentials: try ClientCredentials(folder: credentials)) { try await online($0) }
      }
      let directory = DataDirectory(path: self.common.dataDir)
      guard directory.isInitialised else {
        throw GongjianError(.failedPrecondition, "\(directory.url.path) is not a data directory (run `gongjian-server init --data-dir \(self.common.dataDir) --admin-office ID --name NAME`)")
      }
      var logger = self.common.makeLogger()
      logger.logLevel = .warning
      return try await self.common.withStore(logger: logger) { store in
        try await offline(DirectoryAdmin(store: store, actor: Self.offlineActor), store)
      }
    } catch let error as GongjianError {
      throw error.exit()
    } catch let error as GongjianClientError {
      FileHandle.standardError.write(Data("gongjian-server: \(error.message)\n".utf8))
      switch error.kind {
      case .usage, .rejected, .conflict: throw ExitCode(65)
      case .auth: throw ExitCode(77)
      case .connection: throw ExitCode(69)
      default: throw ExitCode(70)
      }
    }
  }

  static func exitCode(_ code: GongjianError.Code) -> Int32 {
    switch code {
    case .invalidArgument, .notFound, .alreadyExists, .failedPrecondition: 65
    case .permissionDenied, .unauthenticated: 77
    case .unavailable: 69
    default: 70
    }
  }
}

/// An office's side on the command line.
enum SideArgument: String, ExpressibleByArgument, CaseIterable {
  case suzhou, suqian

  var proto: Gongjian_V1_Side { self == .suzhou ? .suzhou : .suqian }
}

/// A membership's role on the command line.
enum RoleArgument: String, ExpressibleByArgument, CaseIterable {
  case viewer, contributor, secretariat, admin

  var proto: Gongjian_V1_Role {
    switch self {
    case .viewer: .viewer
    case .contributor: .contributor
    case .secretariat: .secretariat
    case .admin: .admin
    }
  }
}

extension GongjianError {
  /// Prints the error as one line on stderr and gives the exit code its kind calls for.
  func exit() -> ExitCode {
    FileHandle.standardError.write(Data("gongjian-server: \(self.message)\n".utf8))
    return ExitCode(DirectoryTarget.exitCode(self.code))
  }
}
