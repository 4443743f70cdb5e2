import ArgumentParser
import GongjianProtocol

/// `gongjian watch`.
struct Watch: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Follow a tenant's changes live (catches up from --since first); `sync --watch` keeps the mirror instead.",
    discussion: "Example: gongjian watch --tenant city"
  ).exits(.usage, .rejected, .unreachable, .server, .auth)

  @OptionGroup var connection: ConnectionOptions

  @Option(help: "The tenant (partnership).")
  var tenant: String

  @Option(help: "The last sequence you have; 0 from scratch.")
  var since: UInt64 = 0

  func run() async throws {
    let json = self.connection.json
    if !json { printLine(RecordFormatting.alignedRow(RecordFormatting.header)) }
    try await self.connection.withClient { client in
      try await client.subscribe(tenantID: self.tenant, cursor: self.since) { event in
        switch event.event {
        case .changes(let batch):
          for record in batch.records {
            printLine(json ? try RecordFormatting.json(record) : RecordFormatting.alignedRow(RecordFormatting.row(record)))
          }
        case .heartbeat(let beat):
          if json {
            printLine("{\"heartbeat\":{\"head_sequence\":\(beat.headSequence),\"caught_up\":\(beat.caughtUp)}}")
          } else if beat.caughtUp {
            printError("… live at sequence \(beat.headSequence)")
          }
        case .reset(let reset):
          printError("gongjian: \(reset.reason)")
          return false
        case nil:
          break
        }
        return true
      }
    }
  }
}
