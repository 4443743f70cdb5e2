import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Meetings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the council's meetings (from the mirror when the server is unreachable).", discussion: "Example: gongjian council meetings --tenant city"
    ).exits(.usage, .rejected, .local, .auth, note: "when the server is unreachable the mirror answers")
    @OptionGroup var options: Options
    @OptionGroup var read: ReadOptions
    @OptionGroup var labels: LabelOptions

    func run() async throws {
      try await self.options.connection.run {
        let list = try await self.options.connection.online(or: self.read) { client in
          try await client.listMeetings(.with { $0.tenantID = self.options.tenant })
        } offline: { try $0.meetings(tenantID: self.options.tenant) }
        if self.options.connection.json {
          for meeting in list.meetings { printLine(try meeting.jsonString(options: TypedRecordFormatting.options)) }
          return
        }
        printTable(
          ["ID", "DATE", "STATUS", "AGENDA", "MEETING", "COUNCIL"],
          list.meetings.map { [$0.id, $0.meeting.heldOn, self.labels.edition.label($0.meeting.status), "v\($0.meeting.agendaVersion)", $0.meeting.title, $0.councilName] }
        )
      }
    }
  }
}
