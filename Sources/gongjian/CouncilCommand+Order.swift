import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Order: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Order the accepted items (secretariat): list every accepted item id.",
      discussion: "Example: gongjian council order --meeting 7c0e… 3f2a… 9b41… --tenant city"
    ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")
    @OptionGroup var options: Options
    @Option(help: "The meeting id.") var meeting: String
    @Argument(help: "Accepted item ids in the new order.") var items: [String]
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func run() async throws {
      try await self.options.connection.run {
        let writes = try await CouncilCommand.writes(self.options) { try $0.order(meetingID: self.meeting, itemIDs: self.items) }
        guard !writes.isEmpty else {
          printLine("the agenda is already in this order")
          return
        }
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
      }
    }
  }
}
