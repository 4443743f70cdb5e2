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
    ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")
    /// An action item's status, named as the packet labels it in either language (`in progress`,
    /// `已完成`) or as before (`open`, `done`, `dropped`).
    struct Status: ExpressibleByArgument {
      var proto: Gongjian_V1_ActionStatus

      init?(argument: String) {
        guard let status = PacketEdition.value(
          named: argument, among: [Gongjian_V1_ActionStatus.open, .done, .dropped], label: { $0.label($1, overdue: false) },
          aliases: ["open": .open]
        ) else { return nil }
        self.proto = status
      }

      static var allValueStrings: [String] { ["open", "done", "dropped"] }
    }

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
        let status = self.status?.proto ?? .unspecified
        let writes = try await CouncilCommand.writes(self.options) { try $0.updateAction(actionID: self.action, status: status, note: self.note) }
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
      }
    }
  }
}
