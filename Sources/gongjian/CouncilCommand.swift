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
      UpdateAction.self, Actions.self, Packet.self,
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

  struct Meetings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the council's meetings (from the mirror when the server is unreachable).", discussion: "Example: gongjian council meetings --tenant city"
    )
    @OptionGroup var options: Options
    @OptionGroup var read: ReadOptions

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
          list.meetings.map { [$0.id, $0.meeting.heldOn, String(describing: $0.meeting.status), "v\($0.meeting.agendaVersion)", $0.meeting.title, $0.councilName] }
        )
      }
    }
  }

  struct Agenda: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a meeting's agenda: accepted items in order, then the others.", discussion: "Example: gongjian council agenda --meeting 7c0e… --tenant city"
    )
    @OptionGroup var options: Options
    @OptionGroup var read: ReadOptions
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
      discussion: """
        Queued offline like every write (`gongjian sync` delivers it). attachments may name local
        files: {path: report.pdf, content_type: application/pdf}; they are uploaded first, so a
        proposal with attachments needs --wait.

        Example: gongjian council propose --meeting 7c0e… --file item.yaml --tenant city
        """
    )
    @OptionGroup var options: Options
    @Option(help: "The meeting id.") var meeting: String
    @Option(help: ArgumentHelp("The JSON or YAML file.", valueName: "file"), completion: .file(extensions: ["yaml", "yml", "json"])) var file: String
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func run() async throws {
      var object = try DocumentFile.object(path: self.file, expecting: "title, summary, responsible_units")
      let files = (object.removeValue(forKey: "attachments") as? [[String: Any]]) ?? []
      try await self.options.connection.run {
        let allowed = ["title", "summary", "responsible_units", "linked_records"]
        for key in object.keys.sorted() where !allowed.contains(key) {
          let hint = PayloadDocument.nearest(key, in: allowed + ["attachments"]).map { "; did you mean \($0)?" } ?? ""
          throw GongjianClientError(.usage, "\(self.file): key \(key): not a proposal key\(hint) (keys: \(allowed.joined(separator: ", ")), attachments)")
        }
        object["tenant_id"] = self.options.tenant
        object["meeting_id"] = self.meeting
        var request = try PayloadDocument.decode(object, as: Gongjian_V1_ProposeRequest.self, name: "proposal", place: self.file)
        if !files.isEmpty {
          guard self.wait else {
            throw GongjianClientError(.usage, "\(self.file): attachments are uploaded to the server first: pass --wait (online), or propose without them")
          }
          let uploaded = try await self.options.connection.connect { client in
            var refs: [Gongjian_V1_AttachmentRef] = []
            for (index, entry) in files.enumerated() {
              guard let path = entry["path"] as? String, let content = FileManager.default.contents(atPath: path) else {
                throw GongjianClientError(.usage, "\(self.file): attachments[\(index)].path: cannot read the file")
              }
              let name = (entry["name"] as? String) ?? URL(fileURLWithPath: path).lastPathComponent
              let type = (entry["content_type"] as? String) ?? "application/octet-stream"
              refs.append(try await client.uploadAttachment(.with { $0.tenantID = self.options.tenant; $0.name = name; $0.contentType = type; $0.content = content }))
            }
            return refs
          }
          request.attachments = uploaded
        }
        let writes = try CouncilWrites(mirror: try self.options.connection.mirror(), tenantID: self.options.tenant).propose(request)
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
      }
    }
  }

  /// Queues council writes and reports (delivers them with `--wait`).
  static func submit(_ mutations: [Gongjian_V1_Mutation], options: Options, wait: Bool) async throws {
    let places = mutations.map { (mutation: $0, place: "\($0.kind) \($0.recordID.prefix(8))…") }
    let status = try await Outbox.submit(places, tenantID: options.tenant, connection: options.connection, wait: wait)
    if status != .success { throw status.exitCode }
  }

  /// Accept, defer and withdraw: one item, one move.
  struct MoveOptions: ParsableArguments {
    @OptionGroup var options: Options
    @Argument(help: "The item id.") var item: String
    @Option(help: "A note for the item's history.") var note: String = ""
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func run(_ move: AgendaWorkflow.Move) async throws {
      try await self.options.connection.run {
        let writes = try CouncilWrites(mirror: try self.options.connection.mirror(), tenantID: self.options.tenant)
          .move(move, itemID: self.item, note: self.note)
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
      }
    }
  }

  struct Accept: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Accept a proposed item (secretariat).", discussion: "Example: gongjian council accept 3f2a… --tenant city --wait"
    )
    @OptionGroup var move: MoveOptions
    func run() async throws { try await self.move.run(.accept) }
  }

  struct Defer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Defer an item to the council's next meeting (secretariat).", discussion: "Example: gongjian council defer 3f2a… --note \"材料未齐\""
    )
    @OptionGroup var move: MoveOptions
    func run() async throws { try await self.move.run(.deferral) }
  }

  struct Withdraw: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Withdraw your own proposal.", discussion: "Example: gongjian council withdraw 3f2a…"
    )
    @OptionGroup var move: MoveOptions
    func run() async throws { try await self.move.run(.withdraw) }
  }

  struct Order: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Order the accepted items (secretariat): list every accepted item id.",
      discussion: "Example: gongjian council order --meeting 7c0e… 3f2a… 9b41… --tenant city"
    )
    @OptionGroup var options: Options
    @Option(help: "The meeting id.") var meeting: String
    @Argument(help: "Accepted item ids in the new order.") var items: [String]
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func run() async throws {
      try await self.options.connection.run {
        let writes = try CouncilWrites(mirror: try self.options.connection.mirror(), tenantID: self.options.tenant)
          .order(meetingID: self.meeting, itemIDs: self.items)
        guard !writes.isEmpty else {
          printLine("the agenda is already in this order")
          return
        }
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
      }
    }
  }

  struct Decide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record a decision on an accepted item, with action items, from a file: {text, decided_on, actions: [{title, owner_unit, due_on}]}.",
      discussion: "Example: gongjian council decide 3f2a… --file decision.yaml --tenant city"
    )
    @OptionGroup var options: Options
    @Argument(help: "The item id.") var item: String
    @Option(help: ArgumentHelp("The JSON or YAML file.", valueName: "file"), completion: .file(extensions: ["yaml", "yml", "json"])) var file: String
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func run() async throws {
      var object = try DocumentFile.object(path: self.file, expecting: "text and actions")
      try await self.options.connection.run {
        let allowed = ["text", "decided_on", "actions"]
        for key in object.keys.sorted() where !allowed.contains(key) {
          let hint = PayloadDocument.nearest(key, in: allowed).map { "; did you mean \($0)?" } ?? ""
          throw GongjianClientError(.usage, "\(self.file): key \(key): not a decision key\(hint) (keys: \(allowed.joined(separator: ", ")))")
        }
        object["tenant_id"] = self.options.tenant
        object["item_id"] = self.item
        let request = try PayloadDocument.decode(object, as: Gongjian_V1_DecideRequest.self, name: "decision", place: self.file)
        let writes = try CouncilWrites(mirror: try self.options.connection.mirror(), tenantID: self.options.tenant).decide(request)
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
      }
    }
  }

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

  struct Actions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List action items (from the mirror when the server is unreachable).", discussion: "Example: gongjian council actions --open --tenant city"
    )
    @OptionGroup var options: Options
    @OptionGroup var read: ReadOptions
    @Flag(help: "Only open ones.") var open = false

    func run() async throws {
      try await self.options.connection.run {
        let list = try await self.options.connection.online(or: self.read) { client in
          try await client.listActions(.with { $0.tenantID = self.options.tenant; $0.openOnly = self.open })
        } offline: { try $0.actions(tenantID: self.options.tenant, openOnly: self.open, today: Self.today()) }
        if self.options.connection.json {
          for action in list.actions { printLine(try action.jsonString(options: TypedRecordFormatting.options)) }
          return
        }
        printTable(
          ["ID", "DUE", "STATUS", "OWNER", "ACTION"],
          list.actions.map { [$0.id, $0.action.dueOn, $0.action.status.label + ($0.overdue ? " (overdue)" : ""), $0.action.ownerUnit, $0.action.title] }
        )
      }
    }

    static func today() -> String {
      var calendar = Calendar(identifier: .gregorian)
      calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
      let day = calendar.dateComponents([.year, .month, .day], from: Date())
      return String(format: "%04d-%02d-%02d", day.year!, day.month!, day.day!)
    }
  }

  struct Packet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the meeting packet as HTML, Markdown, or PDF (PDF needs headless Chromium)."
    )
    enum Format: String, ExpressibleByArgument, CaseIterable { case html, md, pdf }

    @OptionGroup var options: Options
    @OptionGroup var read: ReadOptions
    @Option(help: "The meeting id.") var meeting: String
    @Option(help: "The output format.") var format: Format = .html
    @Option(help: ArgumentHelp("The output file.", valueName: "file"), completion: .file()) var out: String

    func run() async throws {
      var chromium: String?
      if self.format == .pdf {
        chromium = Chromium.find()
        guard chromium != nil else {
          printError("gongjian: PDF needs headless Chromium, which is not installed (apt-get install chromium); use --format html and print from a browser")
          throw ExitCode(69)
        }
      }
      try await self.options.connection.run {
        let packet = try await self.options.connection.online(or: self.read) { client in
          try await client.preparePacket(.with { $0.tenantID = self.options.tenant; $0.meetingID = self.meeting })
        } offline: { try $0.packet(tenantID: self.options.tenant, meetingID: self.meeting) }
        let out = URL(fileURLWithPath: self.out)
        switch self.format {
        case .md:
          try Data(packet.markdown.utf8).write(to: out)
        case .html:
          try Data(packet.html.utf8).write(to: out)
        case .pdf:
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
