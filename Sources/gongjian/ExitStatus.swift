import ArgumentParser
import GongjianClient

/// The exit codes of `gongjian`, one per kind of failure (after sysexits.h).
enum ExitStatus: Int32, CaseIterable {
  /// Done; for writes without `--wait`, queued in the outbox.
  case success = 0
  /// Bad arguments or a bad input file (EX_USAGE).
  case usage = 64
  /// The server refused the input (EX_DATAERR).
  case rejected = 65
  /// A write conflicted with the server's version; see `gongjian conflicts`.
  case conflict = 67
  /// The server could not be reached (EX_UNAVAILABLE); queued writes stay queued.
  case unreachable = 69
  /// Any other server error (EX_SOFTWARE).
  case server = 70
  /// The local mirror or a local file failed (EX_IOERR).
  case local = 74
  /// Not authenticated or not permitted, including a refused certificate (EX_NOPERM).
  case auth = 77

  init(_ kind: GongjianClientError.Kind) {
    switch kind {
    case .usage: self = .usage
    case .rejected: self = .rejected
    case .conflict: self = .conflict
    case .connection: self = .unreachable
    case .auth: self = .auth
    case .local: self = .local
    default: self = .server
    }
  }

  var exitCode: ExitCode { ExitCode(self.rawValue) }

  /// The code's meaning, as the per-command lines say it.
  var meaning: String {
    switch self {
    case .success: "done"
    case .usage: "bad arguments or input file"
    case .rejected: "invalid data"
    case .conflict: "conflict"
    case .unreachable: "server unreachable"
    case .server: "server error"
    case .local: "local mirror or file"
    case .auth: "not permitted"
    }
  }

  /// The line in a command's `--help` that lists the codes it returns.
  static func line(_ statuses: [ExitStatus], note: String) -> String {
    let codes = ([.success] + statuses).sorted { $0.rawValue < $1.rawValue }.map { "\($0.rawValue) \($0.meaning)" }
    return "Exit codes: " + codes.joined(separator: ", ") + (note.isEmpty ? "." : "; \(note).")
  }

  /// The table in `gongjian --help`.
  static var help: String {
    "Exit codes: 0 success (writes: queued), 64 usage or bad input file, 65 rejected by the server, 67 conflict, "
      + "69 server unreachable, 70 other server error, 74 local mirror or file error, 77 not authenticated or not permitted."
  }
}

extension CommandConfiguration {
  /// The configuration with the exit codes the command returns said at the end of its help.
  func exits(_ statuses: ExitStatus..., note: String = "") -> CommandConfiguration {
    var copy = self
    copy.discussion += (copy.discussion.isEmpty ? "" : "\n\n") + ExitStatus.line(statuses, note: note)
    return copy
  }
}

extension GongjianClientError {
  /// Prints the message and returns the matching exit code to throw.
  func exit() -> ExitCode {
    printError("gongjian: \(self.message)")
    return ExitStatus(self.kind).exitCode
  }
}
