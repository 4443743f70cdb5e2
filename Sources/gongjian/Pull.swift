import ArgumentParser
import GongjianProtocol

/// `gongjian pull`.
struct Pull: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print a tenant's changes after a cursor, in order (JSON lines with --json); the mirror is not touched.",
    discussion: "Examples:\n  gongjian pull --tenant sip-suqian\n  gongjian pull --tenant sip-suqian --since 120 --json"
  ).exits(.usage, .rejected, .unreachable, .server, .auth)

  @OptionGroup var connection: ConnectionOptions

  @Option(help: "The tenant (partnership), e.g. sip-suqian.")
  var tenant: String

  @Option(help: "The last sequence you have; 0 from scratch.")
  var since: UInt64 = 0

  @Option(help: "Records per page (the server's limit applies).")
  var pageSize: UInt32 = 0

  func run() async throws {
    try await self.connection.withClient { client in
      var cursor = self.since
      var rows: [[String]] = []
      var checkpoint = Gongjian_V1_Checkpoint()
      while true {
        let page = try await client.pull(tenantID: self.tenant, cursor: cursor, pageSize: self.pageSize)
        if page.hasReset {
          printError("gongjian: \(page.reset.reason)")
          throw ExitCode(65)
        }
        for record in page.records {
          if self.connection.json {
            printLine(try RecordFormatting.json(record))
          } else {
            rows.append(RecordFormatting.row(record))
          }
        }
        cursor = page.nextCursor
        checkpoint = page.checkpoint
        if !page.more { break }
      }
      if !self.connection.json {
        printTable(RecordFormatting.header, rows)
        printLine("")
        printLine("cursor \(cursor); tenant head \(checkpoint.headSequence), \(checkpoint.liveRecords) live records, checksum \(String(checkpoint.checksum, radix: 16))")
      }
    }
  }
}
