import ArgumentParser
import Foundation
import GongjianClient

/// `gongjian status`.
struct Status: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show the local mirror per tenant: cursor, head, last sync, pending writes, conflicts, checksum.",
    discussion: """
      Reads only the local mirror: it works offline.

      Examples:
        gongjian status
        gongjian status --json
      """
  ).exits(.usage, .server, .local, note: "70 when a tenant's mirror still differs from the server after a refetch")

  @OptionGroup var connection: ConnectionOptions

  @Option(help: "Only this tenant.")
  var tenant: String?

  func run() async throws {
    try await self.connection.run {
      let endpoint = try self.connection.endpoint()
      let mirror = try ConnectionOptions.openMirror(at: endpoint.mirrorPath)
      let statuses = try mirror.status(tenantID: self.tenant)
      if self.connection.json {
        for status in statuses { printJSON(status) }
        return
      }
      printLine("profile \(endpoint.profile) · \(endpoint.server) · mirror \(mirror.path)")
      guard !statuses.isEmpty else {
        printLine("the mirror is empty: run `gongjian sync`")
        return
      }
      printTable(
        ["TENANT", "CURSOR", "HEAD", "RECORDS", "LAST SYNC", "PENDING", "CONFLICTS", "REJECTED", "CHECKSUM"],
        statuses.map { status in
          [
            status.tenantID, group(status.cursor), group(status.head), group(status.liveRecords),
            status.lastSync.map(Self.age) ?? "never", String(status.pending), String(status.conflicts), String(status.rejected),
            status.verified.map { $0 ? "verified" : "MISMATCH" } ?? "not yet",
          ]
        }
      )
      for status in statuses where !status.note.isEmpty {
        printLine("\(status.tenantID): \(status.note)")
      }
    }
  }

  /// "2026-11-27 14:03 (5 min ago)".
  static func age(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    let seconds = Int(Date().timeIntervalSince(date))
    let ago: String
    switch seconds {
    case ..<60: ago = "just now"
    case ..<3600: ago = "\(seconds / 60) min ago"
    case ..<86400: ago = "\(seconds / 3600) h ago"
    default: ago = "\(seconds / 86400) days ago"
    }
    return "\(formatter.string(from: date)) (\(ago))"
  }
}
