import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

/// `gongjian conflicts`.
struct Conflicts: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List writes that conflicted with the server's version or that the server refused.",
    discussion: """
      Both versions are kept: nothing is overwritten until you choose. Resolve one with
      `gongjian conflicts resolve NUMBER --keep mine|theirs` or `--file F` (an edited version).

      Examples:
        gongjian conflicts
        gongjian conflicts --json
        gongjian conflicts resolve 3 --keep theirs
      """,
    subcommands: [ListConflicts.self, Resolve.self],
    defaultSubcommand: ListConflicts.self
  )

  struct ListConflicts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List open conflicts and rejections (the default).")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Only this tenant.") var tenant: String?

    func run() async throws {
      try await self.connection.run {
        let entries = try self.connection.mirror().unresolved(tenantID: self.tenant)
        if self.connection.json {
          for entry in entries { printLine(try ConflictLine.json(entry)) }
          return
        }
        guard !entries.isEmpty else {
          printLine("no conflicts")
          return
        }
        for entry in entries {
          printLine("#\(entry.number)  \(entry.state == .conflict ? "CONFLICT" : "REJECTED")  \(entry.tenantID)  \(entry.kind) \(entry.recordID)")
          printLine("  \(entry.message)")
          for violation in entry.violations { printLine("  · \(violation)") }
          printLine("  mine:   \(entry.delete ? "(delete)" : try RecordText.json(kind: entry.kind, payload: entry.payload)) on v\(entry.baseVersion)")
          if let theirs = entry.theirs {
            printLine("  theirs: \(theirs.deleted ? "(deleted)" : try RecordText.json(kind: theirs.kind, payload: theirs.payload)) v\(theirs.version) by \(theirs.officeID)")
          } else if entry.state == .conflict {
            printLine("  theirs: (no such record on the server)")
          }
        }
      }
    }
  }

  /// A conflict in `--json` form: stable field names, both versions as objects.
  enum ConflictLine {
    static func json(_ entry: OutboxEntry) throws -> String {
      var object: [String: Any] = [
        "number": entry.number, "state": entry.state.rawValue, "tenant_id": entry.tenantID, "kind": entry.kind,
        "record_id": entry.recordID, "message": entry.message, "violations": entry.violations,
        "base_version": entry.baseVersion, "mine_deleted": entry.delete, "attempts": entry.attempts,
      ]
      if !entry.delete { object["mine"] = try RecordText.object(kind: entry.kind, payload: entry.payload) }
      if let theirs = entry.theirs {
        object["their_version"] = theirs.version
        object["their_office"] = theirs.officeID
        object["their_deleted"] = theirs.deleted
        if !theirs.deleted { object["theirs"] = try RecordText.object(kind: theirs.kind, payload: theirs.payload) }
      }
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
      return String(decoding: data, as: UTF8.self)
    }
  }

  struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Resolve a conflict: keep mine (pushed on the server's version), keep theirs, or push an edited file.",
      discussion: """
        Examples:
          gongjian conflicts resolve 3 --keep mine
          gongjian conflicts resolve 3 --keep theirs
          gongjian conflicts resolve 3 --file merged.yaml
        """
    )
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
            printJSON(["number": String(self.number), "resolution": "theirs"])
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
          printJSON(["number": String(self.number), "resolution": self.keep?.rawValue ?? "file", "result": outcome])
        } else {
          printLine("#\(self.number): \(outcome)")
        }
        if status != .success { throw status.exitCode }
      }
    }
  }
}

