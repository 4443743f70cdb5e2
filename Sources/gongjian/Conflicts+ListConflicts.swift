import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension Conflicts {
  struct ListConflicts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List open conflicts and rejections (the default).",
      discussion: "Examples:\n  gongjian conflicts\n  gongjian conflicts --tenant sip-suqian --json"
    ).exits(.usage, .local)
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
          for violation in entry.unsaidViolations { printLine("  · \(violation)") }
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
}
