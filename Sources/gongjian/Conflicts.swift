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

}

