import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension Conflicts {
  struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Resolve a conflict: keep mine (pushed on the server's version), keep theirs, or push an edited file.",
      discussion: """
        Examples:
          gongjian conflicts resolve 3 --keep mine
          gongjian conflicts resolve 3 --keep theirs
          gongjian conflicts resolve 3 --file merged.yaml
        """
    ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")
    enum Side: String, ExpressibleByArgument, CaseIterable { case mine, theirs }

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The conflict's number (from `gongjian conflicts`).") var number: Int64
    @Option(help: "Which version wins.") var keep: Side?
    @Option(help: ArgumentHelp("A JSON or YAML file with the record's fields to push instead.", valueName: "file"), completion: .file(extensions: ["yaml", "yml", "json"]))
    var file: String?
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func validate() throws {
      guard (self.keep == nil) != (self.file == nil) else {
        throw ValidationError("give --keep mine, --keep theirs, or --file F")
      }
    }

    func run() async throws {
      try await self.connection.run {
        let mirror = try self.connection.mirror()
        guard let entry = try mirror.entry(number: self.number) else {
          throw GongjianClientError(.usage, "conflict \(self.number): no such item (see `gongjian conflicts`)")
        }
        switch (self.keep, self.file) {
        case (.mine?, _): try mirror.resolve(number: self.number, .keepMine)
        case (.theirs?, _): try mirror.resolve(number: self.number, .keepTheirs)
        case (nil, let path?):
          let records = try RecordFile.load(path: path, kind: entry.kind)
          guard records.count == 1 else { throw GongjianClientError(.usage, "\(path): expected one \(entry.kind) record") }
          try mirror.resolve(number: self.number, .replace(records[0].payload))
        case (nil, nil): return
        }
        if self.keep == .theirs {
          if self.connection.json {
            printJSON(ResolutionLine(number: self.number, resolution: "theirs", result: "kept theirs"))
          } else {
            printLine("#\(self.number): kept the server's version")
          }
          return
        }
        try await Outbox.deliver(tenantID: entry.tenantID, mirror: mirror, connection: self.connection, wait: self.wait)
        guard self.wait else { return }
        let after = try mirror.entry(number: self.number)
        let outcome: String
        var status = ExitStatus.success
        switch after?.state {
        case nil: outcome = "applied"
        case .pending?: outcome = "queued"
        case .conflict?: outcome = "conflict again: \(after!.message)"; status = .conflict
        case .rejected?: outcome = "rejected: \(after!.message)"; status = .rejected
        }
        if self.connection.json {
          printJSON(ResolutionLine(number: self.number, resolution: self.keep?.rawValue ?? "file", result: outcome))
        } else {
          printLine("#\(self.number): \(outcome)")
        }
        if status != .success { throw status.exitCode }
      }
    }

    /// A resolution in `--json` form (`number` as in `gongjian conflicts --json`).
    struct ResolutionLine: Encodable {
      var number: Int64
      var resolution: String
      var result: String
    }
  }
}
