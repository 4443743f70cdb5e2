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
      Meetings.self, CreateMeeting.self, SetStatus.self, Agenda.self, Propose.self, Accept.self, Defer.self, Withdraw.self, Order.self, Decide.self,
      UpdateAction.self, Actions.self, Packet.self,
    ]
  )

  /// Options of every council command.
  struct Options: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The tenant whose council it is (default: city).")
    var tenant: String = "city"
  }

  /// The writes of a move, built from the mirror. When the mirror lacks what the move reads (a
  /// cold mirror, or a record made elsewhere since the last sync) and the server is reachable,
  /// the tenant is synced first, quietly (progress on a terminal only), and the move built again.
  static func writes<Writes>(_ options: Options, _ make: (CouncilWrites) throws -> Writes) async throws -> Writes {
    let mirror = try options.connection.mirror()
    do {
      return try make(CouncilWrites(mirror: mirror, tenantID: options.tenant))
    } catch let error as GongjianClientError where error.cause is CouncilWrites.NotInMirror {
      do {
        try await Self.catchUp(tenantID: options.tenant, connection: options.connection, mirror: mirror)
      } catch let failure as GongjianClientError where failure.kind == .connection {
        // Offline: the mirror's answer stands, with the command that fixes it.
        throw error
      }
      return try make(CouncilWrites(mirror: mirror, tenantID: options.tenant))
    }
  }

  /// Brings one tenant of the mirror up to date, as `gongjian sync --tenant` does.
  static func catchUp(tenantID: String, connection: ConnectionOptions, mirror: Mirror) async throws {
    let display = ProgressDisplay(json: connection.json)
    defer { display.finish() }
    try await connection.connect { client in
      let me = try await client.whoAmI()
      try mirror.saveDirectory(identity: me)
      let reports = try await Synchronizer(mirror: mirror).sync(client: client, tenantIDs: [tenantID], officeID: me.office.id) { display.show($0) }
      if let refused = reports.first(where: { $0.refused != nil })?.refused {
        throw GongjianClientError(.auth, "\(tenantID): \(refused)")
      }
    }
  }

  /// Queues council writes and reports (delivers them with `--wait`).
  static func submit(_ mutations: [Gongjian_V1_Mutation], options: Options, wait: Bool) async throws {
    let places = mutations.map { (mutation: $0, place: "\($0.kind) \($0.recordID.prefix(8))…") }
    let status = try await Outbox.submit(places, tenantID: options.tenant, connection: options.connection, wait: wait, atomic: true)
    if status != .success { throw status.exitCode }
  }

  /// The language of the statuses a listing prints, as the packet labels them.
  struct LabelOptions: ParsableArguments {
    enum Language: String, ExpressibleByArgument, CaseIterable { case en, zh }

    @Option(help: "The language of statuses and sides, as the packet writes them.")
    var lang: Language = .en

    var edition: PacketEdition { PacketEdition(self.lang == .zh ? .zh : .en) }
  }

  /// Accept, defer and withdraw: one item, one move.
  struct MoveOptions: ParsableArguments {
    @OptionGroup var options: Options
    @Argument(help: "The item id.") var item: String
    @Option(help: "A note for the item's history.") var note: String = ""
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func run(_ move: AgendaWorkflow.Move) async throws {
      try await self.options.connection.run {
        let writes = try await CouncilCommand.writes(self.options) { try $0.move(move, itemID: self.item, note: self.note) }
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
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
