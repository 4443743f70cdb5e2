import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Agenda: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a meeting's agenda: accepted items in order, then the others.", discussion: "Example: gongjian council agenda --meeting 7c0e… --tenant city"
    ).exits(.usage, .rejected, .local, .auth, note: "when the server is unreachable the mirror answers")
    @OptionGroup var options: Options
    @OptionGroup var read: ReadOptions
    @OptionGroup var labels: LabelOptions
    @Option(help: "The meeting id.") var meeting: String

    func run() async throws {
      try await self.options.connection.run {
        let agenda = try await self.options.connection.online(or: self.read) { client in
          try await client.getAgenda(.with { $0.tenantID = self.options.tenant; $0.meetingID = self.meeting })
        } offline: { try $0.agenda(tenantID: self.options.tenant, meetingID: self.meeting) }
        if self.options.connection.json {
          printLine(try agenda.jsonString(options: TypedRecordFormatting.options))
          return
        }
        printLine("\(agenda.meeting.meeting.title) — \(agenda.meeting.meeting.heldOn) — \(self.labels.edition.label(agenda.meeting.meeting.status)), agenda v\(agenda.meeting.meeting.agendaVersion)")
        printTable(
          ["#", "STATUS", "ID", "TITLE", "PROPOSED BY", "SIDE", "RESPONSIBLE UNITS"],
          agenda.items.map {
            [$0.item.order > 0 ? String($0.item.order) : "", self.labels.edition.label($0.item.status), $0.id, $0.item.title,
             $0.item.proposingOffice, self.labels.edition.label($0.item.proposingSide), $0.item.responsibleUnits.joined(separator: "、")]
          }
        )
      }
    }
  }
}
