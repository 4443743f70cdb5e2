import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct CreateMeeting: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "create-meeting",
      abstract: "Create a council meeting (secretariat); the council's deferred items move on to it in the same push.",
      discussion: """
        Example: gongjian council create-meeting --title 2027年苏宿两市联合协调理事会会议 --held-on 2027-12-15 --place 宿迁市政府会议中心 \\
          --starts-at 09:30 --chair 宿迁市人民政府分管副市长 --unit 宿迁市发展改革委 --unit 苏州市发展改革委 --tenant city --wait
        """
    ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")
    @OptionGroup var options: Options
    @Option(help: "The council id (default: the tenant's only council).") var council: String?
    @Option(help: "The meeting's title.") var title: String
    @Option(name: .customLong("held-on"), help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "date")) var heldOn: String
    @Option(help: "Where it is held.") var place: String
    @Option(name: .customLong("starts-at"), help: ArgumentHelp("The opening time, HH:MM.", valueName: "time")) var startsAt: String = ""
    @Option(help: "Who chairs it.") var chair: String = ""
    @Option(name: .customLong("unit"), help: ArgumentHelp("A participating unit (repeat for each).", valueName: "unit")) var units: [String] = []
    @Option(help: "The secretariat that issues the packet.") var secretariat: String = ""
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func run() async throws {
      try await self.options.connection.run {
        let mirror = try self.options.connection.mirror()
        let councilID: String
        if let council = self.council {
          councilID = council
        } else {
          var councils = try mirror.records(tenantID: self.options.tenant, kind: RecordKind.council.name)
          if councils.isEmpty {
            // A cold mirror: the tenant's council comes with a sync (when the server answers).
            try? await CouncilCommand.catchUp(tenantID: self.options.tenant, connection: self.options.connection, mirror: mirror)
            councils = try mirror.records(tenantID: self.options.tenant, kind: RecordKind.council.name)
          }
          guard councils.count == 1 else {
            throw GongjianClientError(
              .usage, "--council: the tenant \(self.options.tenant) has \(councils.count) councils in the mirror; name one: \(councils.map(\.id).joined(separator: ", "))"
            )
          }
          councilID = councils[0].id
        }
        let request = Gongjian_V1_CreateMeetingRequest.with {
          $0.tenantID = self.options.tenant
          $0.councilID = councilID
          $0.title = self.title
          $0.heldOn = self.heldOn
          $0.place = self.place
          $0.startsAt = self.startsAt
          $0.chair = self.chair
          $0.participatingUnits = self.units
          $0.secretariat = self.secretariat
        }
        let created = try await CouncilCommand.writes(self.options) { try $0.createMeeting(request) }
        printError("meeting \(created.meetingID)")
        try await CouncilCommand.submit(created.mutations, options: self.options, wait: self.wait)
      }
    }
  }
}
