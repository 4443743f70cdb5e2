import ArgumentParser
import GongjianProtocol
import SwiftProtobuf

/// `gongjian whoami`.
struct WhoAmI: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "whoami", abstract: "Show the office your certificate names and its memberships.",
    discussion: "Example: gongjian whoami --profile suqian-commerce"
  ).exits(.usage, .rejected, .unreachable, .server, .auth)

  @OptionGroup var connection: ConnectionOptions

  func run() async throws {
    try await self.connection.withClient { client in
      let me = try await client.whoAmI()
      if self.connection.json {
        printLine(try me.jsonString())
        return
      }
      printLine("office:      \(me.office.id)  \(me.office.name)")
      printLine("side:        \(me.office.side.displayName)\(me.office.overseer ? "  (overseer: reads every tenant)" : "")")
      printLine("certificate: \(me.certificateSerial)")
      printLine("")
      printTable(
        ["TENANT", "ROLE", "SIDE"],
        me.memberships.map { [$0.tenantID, $0.role.displayName, $0.side.displayName] }
      )
    }
  }
}

/// Prints rows as aligned columns.
func printTable(_ header: [String], _ rows: [[String]]) {
  var widths = header.map(\.count)
  for row in rows {
    for (index, cell) in row.enumerated() where index < widths.count {
      widths[index] = max(widths[index], displayWidth(cell))
    }
  }
  func line(_ cells: [String]) -> String {
    cells.enumerated().map { index, cell in
      index == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] - displayWidth(cell)) + 2)
    }.joined()
  }
  printLine(line(header))
  for row in rows { printLine(line(row)) }
}

/// Terminal width of a string: CJK characters take two columns.
func displayWidth(_ text: String) -> Int {
  text.unicodeScalars.reduce(0) { $0 + (($1.value >= 0x1100 && ($1.value <= 0x115F || (0x2E80...0xFFDC).contains($1.value))) ? 2 : 1) }
}
