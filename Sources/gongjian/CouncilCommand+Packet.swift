import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Packet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the meeting packet as HTML, Markdown, or PDF (PDF needs headless Chromium); from the mirror when offline.",
      discussion: """
        The Chinese edition (--lang zh, the default) is the official document; --lang en writes an English edition for
        foreign-invested partners. Example: gongjian council packet --meeting c0c0000c-0000-4000-8000-000000002026 --tenant city --format pdf --out packet.pdf
        """
    ).exits(.usage, .rejected, .local, .auth, note: "when the server is unreachable the mirror answers")
    enum Format: String, ExpressibleByArgument, CaseIterable { case html, md, pdf }
    enum Language: String, ExpressibleByArgument, CaseIterable { case zh, en }

    @OptionGroup var options: Options
    @OptionGroup var read: ReadOptions
    @Option(help: "The meeting id.") var meeting: String
    @Option(help: "The output format.") var format: Format = .html
    @Option(help: "The edition's language: zh (official) or en.") var lang: Language = .zh
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
          try await client.preparePacket(.with {
            $0.tenantID = self.options.tenant
            $0.meetingID = self.meeting
            $0.language = self.lang.rawValue
          })
        } offline: {
          try $0.packet(tenantID: self.options.tenant, meetingID: self.meeting, edition: PacketEdition(self.lang == .zh ? .zh : .en))
        }
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
