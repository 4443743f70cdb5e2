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
    )
    enum Status: String, ExpressibleByArgument, CaseIterable {
      case published, held
      case minutesApproved = "minutes-approved"

      var proto: Gongjian_V1_MeetingStatus {
        switch self {
        case .published: .agendaPublished
        case .held: .held
        case .minutesApproved: .minutesApproved
        }
      }
    }

    @OptionGroup var options: Options
    @Option(help: "The meeting id.") var meeting: String
    @Option(help: "The new status.") var status: Status
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func run() async throws {
      try await self.options.connection.run {
        let writes = try CouncilWrites(mirror: try self.options.connection.mirror(), tenantID: self.options.tenant)
          .setStatus(meetingID: self.meeting, status: self.status.proto)
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
      }
    }
  }
}
