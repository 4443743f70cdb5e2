import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Actions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List action items (from the mirror when the server is unreachable).", discussion: "Example: gongjian council actions --open --tenant city"
    ).exits(.usage, .rejected, .local, .auth, note: "when the server is unreachable the mirror answers")
    @OptionGroup var options: Options
    @OptionGroup var read: ReadOptions
    @OptionGroup var labels: LabelOptions
    @Flag(help: "Only open ones.") var open = false

    func run() async throws {
      try await self.options.connection.run {
        let list = try await self.options.connection.online(or: self.read) { client in
          try await client.listActions(.with { $0.tenantID = self.options.tenant; $0.openOnly = self.open })
        } offline: { try $0.actions(tenantID: self.options.tenant, openOnly: self.open, today: AgendaWorkflow.Actor.day()) }
        if self.options.connection.json {
          for action in list.actions { printLine(try action.jsonString(options: TypedRecordFormatting.options)) }
          return
        }
        printTable(
          ["ID", "DUE", "STATUS", "OWNER", "ACTION"],
          list.actions.map { [$0.id, $0.action.dueOn, self.labels.edition.label($0.action.status, overdue: $0.overdue), $0.action.ownerUnit, $0.action.title] }
        )
      }
    }
  }
}
