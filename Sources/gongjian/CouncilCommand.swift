import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

/// `gongjian council`: meeting preparation.
struct CouncilCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "council",
    abstract: "Joint council: meetings, agenda, decisions, action items and the meeting packet.",
    subcommands: [
      Meetings.self, Agenda.self, Propose.self, Accept.self, Defer.self, Withdraw.self, Order.self, Decide.self,
      Actions.self, Packet.self,
    ]
  )

  /// Options of every council command.
  struct Options: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The tenant whose council it is (default: city).")
    var tenant: String = "city"
  }

  static func status(_ status: Gongjian_V1_AgendaItemStatus) -> String {
    switch status {
    case .proposed: "PROPOSED"
    case .accepted: "ACCEPTED"
    case .deferred: "DEFERRED"
    case .withdrawn: "WITHDRAWN"
    default: "?"
    }
  }

  static func printItem(_ view: Gongjian_V1_AgendaItemView, json: Bool) throws {
    if json {
      printLine(try view.jsonString(options: TypedRecordFormatting.options))
    } else {
      printLine("\(view.id)  \(status(view.item.status))\(view.item.order > 0 ? " #\(view.item.order)" : "")  v\(view.version)  \(view.item.title)")
    }
  }

  struct Meetings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the council's meetings.")
    @OptionGroup var options: Options

    func run() async throws {
      try await self.options.connection.withClient { client in
        let list = try await client.listMeetings(.with { $0.tenantID = self.options.tenant })
        if self.options.connection.json {
          for meeting in list.meetings { printLine(try meeting.jsonString(options: TypedRecordFormatting.options)) }
          return
        }
        printTable(
          ["ID", "DATE", "STATUS", "AGENDA", "MEETING", "COUNCIL"],
          list.meetings.map { [$0.id, $0.meeting.heldOn, String(describing: $0.meeting.status), "v\($0.meeting.agendaVersion)", $0.meeting.title, $0.councilName] }
        )
      }
    }
  }

  struct Agenda: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a meeting's agenda: accepted items in order, then the others.")
    @OptionGroup var options: Options
    @Option(help: "The meeting id.") var meeting: String

    func run() async throws {
      try await self.options.connection.withClient { client in
        let agenda = try await client.getAgenda(.with { $0.tenantID = self.options.tenant; $0.meetingID = self.meeting })
        if self.options.connection.json {
          printLine(try agenda.jsonString(options: TypedRecordFormatting.options))
          return
        }
        printLine("\(agenda.meeting.meeting.title) — \(agenda.meeting.meeting.heldOn) — \(String(describing: agenda.meeting.meeting.status)), agenda v\(agenda.meeting.meeting.agendaVersion)")
        printTable(
          ["#", "STATUS", "ID", "TITLE", "PROPOSED BY", "SIDE", "RESPONSIBLE UNITS"],
          agenda.items.map {
            [$0.item.order > 0 ? String($0.item.order) : "", CouncilCommand.status($0.item.status), $0.id, $0.item.title,
             $0.item.proposingOffice, $0.item.proposingSide.displayName, $0.item.responsibleUnits.joined(separator: "、")]
          }
        )
      }
    }
  }

  struct Propose: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Propose an agenda item from a JSON or YAML file (title, summary, responsible_units, linked_records, attachments).",
      discussion: "attachments may name local files: {path: report.pdf, content_type: application/pdf}; they are uploaded first."
    )
    @OptionGroup var options: Options
    @Option(help: "The meeting id.") var meeting: String
    @Option(help: "The JSON or YAML file.") var file: String

    func run() async throws {
      var object = try DocumentFile.object(path: self.file, expecting: "title, summary, responsible_units")
      let files = (object.removeValue(forKey: "attachments") as? [[String: Any]]) ?? []
      var request: Gongjian_V1_ProposeRequest
      do {
        object["tenant_id"] = self.options.tenant
        object["meeting_id"] = self.meeting
        request = try Gongjian_V1_ProposeRequest(jsonUTF8Data: try JSONSerialization.data(withJSONObject: object))
      } catch {
        printError("gongjian: \(self.file): not a valid proposal: \(error)")
        throw ExitCode(64)
      }
      try await self.options.connection.withClient { client in
        for (index, entry) in files.enumerated() {
          guard let path = entry["path"] as? String, let content = FileManager.default.contents(atPath: path) else {
            throw GongjianClientError(.usage, "\(self.file): attachments[\(index)].path: cannot read the file")
          }
          let name = (entry["name"] as? String) ?? URL(fileURLWithPath: path).lastPathComponent
          let type = (entry["content_type"] as? String) ?? "application/octet-stream"
          let ref = try await client.uploadAttachment(.with { $0.tenantID = self.options.tenant; $0.name = name; $0.contentType = type; $0.content = content })
          request.attachments.append(ref)
        }
        let view = try await client.propose(request)
        try CouncilCommand.printItem(view, json: self.options.connection.json)
      }
    }
  }

  /// Accept, defer and withdraw: one item, one move.
  struct MoveOptions: ParsableArguments {
    @OptionGroup var options: Options
    @Argument(help: "The item id.") var item: String
    @Option(help: "A note for the item's history.") var note: String = ""

    typealias Move = @Sendable (GongjianClient, Gongjian_V1_AgendaActionRequest) async throws -> Gongjian_V1_AgendaItemView

    func run(_ move: Move) async throws {
      let request = Gongjian_V1_AgendaActionRequest.with {
        $0.tenantID = self.options.tenant
        $0.itemID = self.item
        $0.note = self.note
      }
      try await self.options.connection.withClient { client in
        let view = try await move(client, request)
        try CouncilCommand.printItem(view, json: self.options.connection.json)
      }
    }
  }

  struct Accept: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Accept a proposed item (secretariat).")
    @OptionGroup var move: MoveOptions
    func run() async throws { try await self.move.run { try await $0.acceptItem($1) } }
  }

  struct Defer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Defer an item to the next meeting (secretariat).")
    @OptionGroup var move: MoveOptions
    func run() async throws { try await self.move.run { try await $0.deferItem($1) } }
  }

  struct Withdraw: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Withdraw your own proposal.")
    @OptionGroup var move: MoveOptions
    func run() async throws { try await self.move.run { try await $0.withdrawItem($1) } }
  }

  struct Order: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Order the accepted items (secretariat): list every accepted item id.")
    @OptionGroup var options: Options
    @Option(help: "The meeting id.") var meeting: String
    @Argument(help: "Accepted item ids in the new order.") var items: [String]

    func run() async throws {
      try await self.options.connection.withClient { client in
        let agenda = try await client.orderItems(.with { $0.tenantID = self.options.tenant; $0.meetingID = self.meeting; $0.itemIds = self.items })
        for view in agenda.items where view.item.status == .accepted { try CouncilCommand.printItem(view, json: self.options.connection.json) }
      }
    }
  }

  struct Decide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record a decision on an accepted item, with action items, from a file: {text, decided_on, actions: [{title, owner_unit, due_on}]}."
    )
    @OptionGroup var options: Options
    @Argument(help: "The item id.") var item: String
    @Option(help: "The JSON or YAML file.") var file: String

    func run() async throws {
      var object = try DocumentFile.object(path: self.file, expecting: "text and actions")
      object["tenant_id"] = self.options.tenant
      object["item_id"] = self.item
      let request: Gongjian_V1_DecideRequest
      do { request = try Gongjian_V1_DecideRequest(jsonUTF8Data: try JSONSerialization.data(withJSONObject: object)) } catch {
        printError("gongjian: \(self.file): not a valid decision: \(error)")
        throw ExitCode(64)
      }
      try await self.options.connection.withClient { client in
        let response = try await client.decide(request)
        if self.options.connection.json {
          printLine(try response.jsonString(options: TypedRecordFormatting.options))
        } else {
          printLine("decision \(response.decisionID)")
          for action in response.actions { printLine("  action \(action.id)  \(action.action.ownerUnit)  due \(action.action.dueOn)  \(action.action.title)") }
        }
      }
    }
  }

  struct Actions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List action items.")
    @OptionGroup var options: Options
    @Flag(help: "Only open ones.") var open = false

    func run() async throws {
      try await self.options.connection.withClient { client in
        let list = try await client.listActions(.with { $0.tenantID = self.options.tenant; $0.openOnly = self.open })
        if self.options.connection.json {
          for action in list.actions { printLine(try action.jsonString(options: TypedRecordFormatting.options)) }
          return
        }
        printTable(
          ["ID", "DUE", "STATUS", "OWNER", "ACTION"],
          list.actions.map { [$0.id, $0.action.dueOn, String(describing: $0.action.status) + ($0.overdue ? " (overdue)" : ""), $0.action.ownerUnit, $0.action.title] }
        )
      }
    }
  }

  struct Packet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the meeting packet as HTML, Markdown, or PDF (PDF needs headless Chromium)."
    )
    @OptionGroup var options: Options
    @Option(help: "The meeting id.") var meeting: String
    @Option(help: "html, md or pdf.") var format: String = "html"
    @Option(help: "The output file.") var out: String

    func run() async throws {
      guard ["html", "md", "pdf"].contains(self.format) else { throw ValidationError("--format: html, md or pdf") }
      var chromium: String?
      if self.format == "pdf" {
        chromium = Chromium.find()
        guard chromium != nil else {
          printError("gongjian: PDF needs headless Chromium, which is not installed (apt-get install chromium); use --format html and print from a browser")
          throw ExitCode(69)
        }
      }
      try await self.options.connection.withClient { client in
        let packet = try await client.preparePacket(.with { $0.tenantID = self.options.tenant; $0.meetingID = self.meeting })
        let out = URL(fileURLWithPath: self.out)
        switch self.format {
        case "md":
          try Data(packet.markdown.utf8).write(to: out)
        case "html":
          try Data(packet.html.utf8).write(to: out)
        default:
          let html = FileManager.default.temporaryDirectory.appendingPathComponent("gongjian-packet-\(UUID().uuidString).html")
          try Data(packet.html.utf8).write(to: html)
          defer { try? FileManager.default.removeItem(at: html) }
          try Chromium.printToPDF(chromium!, html: html, pdf: out)
        }
        printError("wrote \(self.out): \(packet.title), agenda v\(packet.agendaVersion), sections: \(packet.sections.joined(separator: " · "))")
      }
    }
  }
}

/// Headless Chromium, where installed.
enum Chromium {
  static func find() -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
      for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      }
    }
    return nil
  }

  static func printToPDF(_ chromium: String, html: URL, pdf: URL) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: chromium)
    process.arguments = [
      "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
      "--print-to-pdf=\(pdf.path)", html.absoluteString,
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: pdf.path) else {
      throw GongjianClientError(.server, "chromium could not print \(html.path) to PDF (exit \(process.terminationStatus))")
    }
  }
}
