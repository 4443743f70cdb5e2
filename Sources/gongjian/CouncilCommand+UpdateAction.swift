import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct UpdateAction: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "update-action",
      abstract: "Set an action item's status or add a progress note.",
      discussion: "Example: gongjian council update-action 5d0c… --status done --note \"已完成\""
    )
    enum Status: String, ExpressibleByArgument, CaseIterable { case open, done, dropped }

    @OptionGroup var options: Options
    @Argument(help: "The action item id.") var action: String
    @Option(help: "The new status.") var status: Status?
    @Option(help: "A progress note.") var note: String = ""
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func validate() throws {
      guard self.status != nil || !self.note.isEmpty else { throw ValidationError("give --status or --note") }
    }

    func run() async throws {
      try await self.options.connection.run {
        let status: Gongjian_V1_ActionStatus = switch self.status {
        case .open?: .open
        case .done?: .done
        case .dropped?: .dropped
        case nil: .unspecified
        }
        let writes = try CouncilWrites(mirror: try self.options.connection.mirror(), tenantID: self.options.tenant)
          .updateAction(actionID: self.action, status: status, note: self.note)
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
      }
    }
  }
}
