import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GongjianProtocol
import GongjianServer
import Testing

/// Headless Chromium, if installed (the test command installs it and requires it).
let chromiumPath: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
  .first { FileManager.default.isExecutableFile(atPath: $0) }
let chromiumRequired = ProcessInfo.processInfo.environment["GONGJIAN_REQUIRE_CHROMIUM"] == "1"

@Suite("The meeting packet")
struct PacketTests {
  static func packet2026() async throws -> Gongjian_V1_Packet {
    try await Harness.with(dataset: true) { h in
      try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026 }, metadata: office("suqian.finance"))
    }
  }

  @Test("Sections, agenda numbering and figures match the synced records")
  func content() async throws {
    try await Harness.with(dataset: true) { h in
      let packet = try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026 }, metadata: office("suqian.finance"))
      #expect(packet.sections == [
        "1. 会议 Meeting", "2. 议程 Agenda", "3. 园区指标 Park indicators", "4. 承接产业转移项目 Transferred projects",
        "5. 交流活动 Exchange activities", "6. 督办事项 Action items",
      ])
      #expect(packet.title == "苏宿南北挂钩合作联席会议 · 2026 年度苏宿合作联席会议")
      // Accepted items only, numbered in their order.
      #expect(packet.html.contains("<h3>1. 承接产业转移项目推进情况</h3>"))
      #expect(packet.html.contains("<h3>2. 共建园区税收分成与财政支持</h3>"))
      #expect(!packet.html.contains("园区管理人员赴苏州培训"))
      #expect(packet.markdown.contains("- **提出单位 Proposed by**: 宿迁市商务局 Suqian Commerce Bureau (suqian)"))
      #expect(packet.markdown.contains("- **责任单位 Responsible units**: 市商务局、市发展改革委、各县区政府"))

      // Figures recomputed from the store.
      let tenants = try await h.store.tenants().map(\.id)
      let data = try await PartnershipData.load(from: h.store, tenantIDs: tenants, targetsTenant: "city")
      let comparison = TargetsCalculator(data: data).flagship(period: .with { $0.year = 2026; $0.quarter = 4 })
      let flagship = try #require(comparison.parks.first { $0.tenantID == "sip-suqian" })
      let hundredths = (flagship.indicators.investmentIntensityFenPerMu + 5_000) / 10_000
      let intensity = "\(hundredths / 100).\(String(format: "%02d", hundredths % 100))"
      let bp = flagship.indicators.foreignInvestmentShareBp
      #expect(packet.markdown.contains("| ★ 苏宿工业园区 | \(intensity) ("))
      #expect(packet.markdown.contains("\(bp / 100).\(String(format: "%02d", bp % 100))% ("))
      let total = data.projects.reduce(Int64(0)) { $0 + $1.payload.plannedInvestmentYuan }
      #expect(data.projects.count == 66)
      #expect(packet.markdown.contains("| 合计 Total | 66 | \(String(format: "%.2f", Double(total) / 100_000_000)) 亿元 |"))
      let signed2026 = TargetsCalculator(data: data).report(year: 2026).first { $0.target.metric == .transferredProjects }!
      #expect(packet.markdown.contains("| ≥ 40 investment projects transferred from Suzhou | \(signed2026.actual) | 40 | 否 no |"))
      #expect(packet.markdown.contains("### 本次会议到期 Due for this meeting (1)"))
      #expect(packet.markdown.contains("| 吴江（泗阳）园区赴吴江举办招商推介 | 泗阳县人民政府 | 2026-10-31 | OPEN · 逾期 overdue | 2025 年度苏宿合作联席会议 |  |"))
      #expect(packet.markdown.contains("### 延续督办 Carried over (1)"))
    }
  }

  @Test("The HTML is one well-formed, self-contained document with charts and a print stylesheet")
  func selfContainedHTML() async throws {
    let html = try await Self.packet2026().html
    let parser = XMLParser(data: Data(html.utf8))
    #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "") at line \(parser.lineNumber)")
    for external in ["src=", "href=", "url(", "<script", "<link", "@import"] {
      #expect(!html.contains(external), "\(external) would fetch something")
    }
    #expect(html.contains("@media print"))
    #expect(html.contains("page-break-after: always"))
    #expect(html.components(separatedBy: "<svg ").count - 1 == 7)
  }

  @Test("Headless Chromium renders the packet to PDF and PNG", .enabled(if: chromiumPath != nil || chromiumRequired))
  func chromium() async throws {
    let chromium = try #require(chromiumPath, "headless Chromium is required (GONGJIAN_REQUIRE_CHROMIUM=1) but not installed")
    let html = try await Self.packet2026().html
    try await withTemporaryDirectory { dir in
      let page = dir.appendingPathComponent("packet.html")
      try Data(html.utf8).write(to: page)
      for (flag, file) in [("--print-to-pdf", "packet.pdf"), ("--screenshot", "packet.png")] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
          "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--window-size=1200,1800",
          "\(flag)=\(dir.appendingPathComponent(file).path)", page.absoluteString,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(flag)")
      }
      let pdf = try Data(contentsOf: dir.appendingPathComponent("packet.pdf"))
      let png = try Data(contentsOf: dir.appendingPathComponent("packet.png"))
      #expect(pdf.starts(with: Data("%PDF".utf8)))
      #expect(pdf.count > 50_000, "a PDF with six sections, tables and charts (got \(pdf.count) bytes)")
      // The print stylesheet breaks the page after each of the first five sections.
      let pages = String(decoding: pdf, as: UTF8.self).firstMatch(of: /\/Count (\d+)/).flatMap { Int($0.1) } ?? 0
      #expect(pages >= 6, "pages: \(pages)")
      #expect(png.starts(with: Data([0x89, 0x50, 0x4E, 0x47])))
      #expect(png.count > 50_000, "a rendered page, not a blank one (got \(png.count) bytes)")
    }
  }
}
