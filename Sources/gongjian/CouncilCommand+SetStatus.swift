import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct SetStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "set-status",
      abstract: "Move a meeting on (secretariat): published (the agenda goes out as version 1), held, minutes-approved.",
      discussion: "Example: gongjian council set-status --meeting c0c0000c-0000-4000-8000-000000002026 --status held --tenant city --wait"
    ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")
    /// A status the secretariat moves a meeting to, named as the packet labels it in either
    /// language (`agenda published`, `议程已发布`) or as before (`published`, `minutes-approved`).
    struct Status: ExpressibleByArgument {
      var proto: Gongjian_V1_MeetingStatus

      init?(argument: String) {
        guard let status = PacketEdition.value(
          named: argument, among: [Gongjian_V1_MeetingStatus.agendaPublished, .held, .minutesApproved], label: { $0.label($1) },
          aliases: ["published": .agendaPublished]
        ) else { return nil }
        self.proto = status
      }

      static var allValueStrings: [String] { ["published", "held", "minutes-approved"] }
    }

    @OptionGroup var options: Options
    @Option(help: "The meeting id.") var meeting: String
    @Option(help: "The new status.") var status: Status
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func run() async throws {
      try await self.options.connection.run {
        let writes = try await CouncilCommand.writes(self.options) { try $0.setStatus(meetingID: self.meeting, status: self.status.proto) }
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
      }
    }
  }
}
