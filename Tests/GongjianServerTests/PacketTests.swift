import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GongjianProtocol
import GongjianServer
import GRPCCore
import Testing

/// Headless Chromium, if installed (the test command installs it and requires it).
let chromiumPath: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
  .first { FileManager.default.isExecutableFile(atPath: $0) }
let chromiumRequired = ProcessInfo.processInfo.environment["GONGJIAN_REQUIRE_CHROMIUM"] == "1"
/// Poppler's renderer, to check the PDF's pages (installed with Chromium by the test command).
let pdftoppmPath: String? = ["/usr/bin/pdftoppm", "/usr/local/bin/pdftoppm"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite("The meeting packet")
struct PacketTests {
  static func packet2026(language: String = "zh") async throws -> Gongjian_V1_Packet {
    try await Harness.with(dataset: true) { h in
      try await h.councils.preparePacket(
        .with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026; $0.language = language }, metadata: office("suqian.finance")
      )
    }
  }

  static let sectionsZH = [
    "一、会议议程", "二、上次会议决定事项落实情况", "三、年度目标完成情况", "四、重点项目进展", "五、园区指标", "六、收益分成", "七、合作共建登记", "八、待决事项", "九、附件",
  ]

  @Test("Cover, agenda with carried-over item, and the previous meeting's decisions with every action")
  func agendaAndFollowUp() async throws {
    let packet = try await Self.packet2026()
    let md = packet.markdown
    #expect(packet.sections == Self.sectionsZH)
    #expect(packet.title == "2026年苏宿两市联合协调理事会会议材料")
    // The cover: time, place, chair, participating units, issuer, agenda version.
    for line in [
      "- **会议时间**: 2026年12月16日（星期三）下午2:30", "- **会议地点**: 苏州市政府会议中心", "- **主持人**: 苏州市人民政府分管副市长",
      "- **参会单位**: 宿迁市发展改革委、宿迁市商务局、宿迁市财政局、苏州市发展改革委、苏州工业园区管委会、泗洪县人民政府、泗阳县人民政府",
      "- **议程版本**: 草案（议程尚未发布）", "苏宿两市联合协调理事会办公室　印发",
    ] {
      #expect(md.contains(line), "\(line)")
    }
    // Accepted items in order, the deferred one carried over and marked; proposers and links by name.
    #expect(md.contains("| 1 | 承接产业转移项目推进情况 | 宿迁市商务局 | 市商务局、市发展改革委、各县区政府 |"))
    #expect(md.contains("| 3 | 干部双向挂职交流机制（顺延议题） | 宿迁市政府驻苏州联络处（市承接产业转移办公室） | 市委组织部、市政府驻苏州联络处 |"))
    #expect(md.contains("- **议题来源**: 由2025年苏宿两市联合协调理事会会议顺延至本次会议"))
    #expect(md.contains("- **提出单位**: 宿迁市商务局（宿迁方）"))
    #expect(md.contains("- **关联记录**: 园区：苏宿工业园区；项目："))
    #expect(!md.contains("园区管理人员赴苏州培训"), "a proposed, not accepted item")
    // No record id anywhere: units and records are named.
    #expect(md.firstMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) == nil)
    // Every decision of 2025 with its actions, done and open, progress, overdue marked.
    #expect(md.contains("共作出2项决定，明确督办事项3项：已完成1项，推进中1项，逾期未完成1项。"))
    #expect(md.contains("| 制定外资招引专项方案 | 市商务局 | 2026年3月31日 | 已完成 | 2026年3月20日：专项方案已印发 |"))
    #expect(md.contains("| 吴江（泗阳）园区赴吴江举办招商推介 | 泗阳县人民政府 | 2026年10月31日 | 逾期未完成 | 尚未报送进展 |"))
    #expect(md.contains("| 苏宿工业园区研发投入占比提高到 3.5% | 苏宿工业园区管委会 | 2027年6月30日 | 推进中 | 尚未报送进展 |"))
    // Items for decision, with the decision sought; attachments with their digests.
    #expect(md.contains("| 2 | 共建园区税收分成与财政支持 | 同意2027年起"))
    #expect(md.contains("| 3 | 干部双向挂职交流机制 | 同意建立两市干部双向挂职交流常态化机制"))
    #expect(md.contains("| 1 | 附件1：2026年共建园区税收分成执行情况.csv | 2 | 电子表格 |"))
    #expect(md.firstMatch(of: /\| [0-9a-f]{64} \|/) != nil)
  }

  @Test("Targets, projects and indicators agree with the records")
  func figures() async throws {
    try await Harness.with(dataset: true) { h in
      let packet = try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026 }, metadata: office("suqian.finance"))
      let md = packet.markdown
      let tenants = try await h.store.tenants().map(\.id)
      let data = try await PartnershipData.load(from: h.store, tenantIDs: tenants, targetsTenant: "city")
      let calculator = TargetsCalculator(data: data)
      let report = calculator.report(year: 2026)
      // All eleven targets of the seed, each with requirement, result and the shortfall by unit.
      #expect(md.contains("2026年度目标共11项，已完成\(report.filter(\.met).count)项"))
      let signed = try #require(report.first { $0.target.metric == .transferredProjects })
      #expect(md.contains("| 1 | 承接苏州转移投资项目 | 实施意见第（四）条 | 不少于40个 | 已签约\(signed.actual)个 | 未完成 | 尚差\(40 - signed.actual)个 |"))
      #expect(md.contains("| 4 | 共建园区在苏州开展招商推介 | 实施意见第（四）条 | 每个园区每年至少1次 | 4个园区中2个达标 | 未完成 | 泗洪高新区常熟合作园：0次；吴江（泗阳）共建园区：0次 |"))
      // Every city and county pairing, the three with nothing recorded included.
      #expect(md.contains("| 每个挂钩关系每年不少于2次 | 6个挂钩关系中2个达标 | 未完成 | 沭阳县–昆山市：0次；泗阳县–吴江区：1次；宿城区–太仓市：0次；宿豫区–张家港市：0次 |"))
      #expect(md.contains("| 6 | 重点市直部门与苏州对口部门交流 | 实施意见第（六）条 | 每个部门每年不少于4次 | 3个重点部门中2个达标 | 未完成 | 宿迁市财政局：2次 |"))
      #expect(md.contains("| 10 | 召开两市联合协调理事会会议 | 实施意见第（十一）条 | 每年至少召开1次 | 已召开0次 | 未完成 | 本次会议召开后计入 |"))

      // Projects of 2026: cancelled ones apart and outside the totals.
      let year = data.projects.filter { p in
        [p.payload.leadOn, p.payload.signedOn, p.payload.startedOn, p.payload.inProductionOn, p.payload.cancelledOn].contains { $0.hasPrefix("2026") }
      }
      let live = year.filter { $0.payload.status != .cancelled }
      let cancelled = year.filter { $0.payload.status == .cancelled }
      #expect(!cancelled.isEmpty)
      let yi = { (list: [PartnershipData.Item<Gongjian_V1_TransferredProject>]) in
        String(format: "%.2f亿元", Double(list.reduce(Int64(0)) { $0 + $1.payload.plannedInvestmentYuan }) / 100_000_000)
      }
      #expect(md.contains("| 合计（不含已取消） | \(live.count)个 | \(yi(live)) |"))
      #expect(md.contains("另有已取消项目\(cancelled.count)个，计划投资\(yi(cancelled))，单列如下，不计入合计"))
      #expect(md.contains("| 本年签约 | \(signed.actual)个 |"))

      // Indicators: the period of the verdict is the period of the tables; changes in 个百分点.
      let period = calculator.comparisonPeriod(in: 2026)
      #expect(period.quarter == 4)
      #expect(md.contains("比较期为2026年第四季度。苏宿工业园区四项指标中3项居全市首位；工业项目投资外资占比由吴江（泗阳）共建园区居首"))
      #expect(md.contains("| 9 | 苏宿工业园区四项指标保持全市最优 | 实施意见第（二）条 | 四项指标均居全市首位 | 3项居首位（2026年第四季度） |"))
      let flagship = try #require(calculator.flagship(period: period).parks.first { $0.parkName == "苏宿工业园区" })
      #expect(md.contains("| ★ 苏宿工业园区 | \(FixedPoint.percent(flagship.indicators.foreignInvestmentShareBp)) | 第2名 | +0.12个百分点 | +0.48个百分点 |"))
      #expect(md.contains("名次为该项指标在本期报送指标的全市园区（共建园区和统计部门登记的非共建园区）中的位次，第1名为全市最优"))
      // The parks that are not co-built are ranked, labelled.
      #expect(md.contains("| 宿迁经济技术开发区（非共建园区） |"))
      // Revenue sharing: each agreement with its split.
      #expect(md.contains("| 苏宿工业园区税收分成协议 | 苏宿工业园区 | 苏州工业园区40%，宿城区60% | 2024年1月1日 |"))
    }
  }

  /// The words in Latin letters of a packet's visible text, outside digests and the units KB/MB.
  static func latinWords(_ packet: Gongjian_V1_Packet) -> [String] {
    var text = packet.markdown
    // The charts' text as drawn.
    for match in packet.html.matches(of: /<text[^>]*>([^<]*)<\/text>/) { text += "\n" + match.1 }
    text = text.replacing(/[0-9a-f]{64}/, with: "")
    // File names keep their extensions: they are the records' names.
    text = text.replacing(/\.(csv|xlsx|docx|pdf)\b/, with: "")
    return text.matches(of: /[A-Za-z]{2,}/).map { String($0.0) }.filter { !["KB", "MB"].contains($0) }
  }

  @Test("The Chinese edition is Chinese throughout; the English edition is English throughout")
  func language() async throws {
    let zh = try await Self.packet2026()
    #expect(Self.latinWords(zh) == [])
    let en = try await Self.packet2026(language: "en")
    #expect(en.sections == [
      "1. Agenda", "2. Follow-up of the previous meeting's decisions", "3. Yearly targets", "4. Projects", "5. Park indicators",
      "6. Revenue sharing", "7. Registers", "8. Items for decision", "9. Attachments",
    ])
    // No label of the Chinese edition in the English one: what is Chinese there is a record's name.
    for label in ["会议议程", "提出单位", "责任单位", "已完成", "逾期", "个百分点", "亿元", "第1名", "年度目标", "比较期", "图1"] {
      #expect(!en.markdown.contains(label), "\(label)")
    }
    #expect(en.markdown.contains("- **Time**: Wednesday 16 December 2026, 14:30"))
    #expect(en.markdown.contains("| ★ Suzhou-Suqian Industrial Park |"))
    await #expect(throws: RPCError.self) { try await Self.packet2026(language: "fr") }
  }

  @Test("The HTML is one well-formed, self-contained document with numbered charts and a print stylesheet")
  func selfContainedHTML() async throws {
    let html = try await Self.packet2026().html
    let parser = XMLParser(data: Data(html.utf8))
    #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "") at line \(parser.lineNumber)")
    for external in ["src=", "href=", "url(", "<script", "<link", "@import"] {
      #expect(!html.contains(external), "\(external) would fetch something")
    }
    #expect(html.contains("@media print"))
    #expect(html.contains("@bottom-right { content: \"第 \" counter(page)"), "page numbers in the footer")
    #expect(html.contains("@bottom-left { content: \"2026年苏宿两市联合协调理事会会议\""), "the meeting's title in the footer")
    #expect(html.contains("tr, figure, dl.kv { break-inside: avoid"), "rows do not split across pages")
    let charts = html.components(separatedBy: "<svg ").count - 1
    #expect(charts == 6)
    for n in 1...charts { #expect(html.contains("<figcaption>图\(n)　")) }
  }

  /// A page rendered as 8-bit grey (a PGM file from pdftoppm).
  struct Page {
    var width: Int
    var height: Int
    var pixels: [UInt8]

    init?(pgm: Data) {
      // "P5\n<w> <h>\n255\n" then the pixels.
      var fields: [Int] = []
      var index = 2
      var current = ""
      let bytes = [UInt8](pgm)
      guard bytes.starts(with: Array("P5".utf8)) else { return nil }
      while fields.count < 3, index < bytes.count {
        let c = Character(UnicodeScalar(bytes[index]))
        if c.isNumber { current.append(c) } else if !current.isEmpty { fields.append(Int(current)!); current = "" }
        index += 1
      }
      guard fields.count == 3 else { return nil }
      self.width = fields[0]
      self.height = fields[1]
      self.pixels = Array(bytes[index...])
      guard self.pixels.count >= self.width * self.height else { return nil }
    }

    /// The share of the page's height, between the top margin and the footer, from the first
    /// to the last row with any ink.
    var contentSpan: Double {
      let top = Int(Double(self.height) * 18 / 297)
      let bottom = self.height - Int(Double(self.height) * 20 / 297)
      let inked = (top..<bottom).filter { row in
        (0..<self.width).contains { self.pixels[row * self.width + $0] < 200 }
      }
      guard let first = inked.first, let last = inked.last else { return 0 }
      return Double(last - first + 1) / Double(bottom - top)
    }
  }

  @Test(
    "The PDF: rendered to PNG pages, none of them mostly empty, the cover first",
    .enabled(if: (chromiumPath != nil && pdftoppmPath != nil) || chromiumRequired)
  )
  func pdf() async throws {
    let chromium = try #require(chromiumPath, "headless Chromium is required (GONGJIAN_REQUIRE_CHROMIUM=1) but not installed")
    let pdftoppm = try #require(pdftoppmPath, "pdftoppm (poppler-utils) is required to check the PDF's pages")
    let html = try await Self.packet2026().html
    try await withTemporaryDirectory { dir in
      let page = dir.appendingPathComponent("packet.html")
      try Data(html.utf8).write(to: page)
      func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
      }
      let pdf = dir.appendingPathComponent("packet.pdf")
      #expect(try run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", page.absoluteString]) == 0)
      #expect(try Data(contentsOf: pdf).starts(with: Data("%PDF".utf8)))
      // Every page as PNG, as a reader's viewer shows it.
      #expect(try run(pdftoppm, ["-r", "40", "-png", pdf.path, dir.appendingPathComponent("png").path]) == 0)
      let pngs = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("png") && $0.hasSuffix(".png") }.sorted()
      #expect(pngs.count >= 6, "pages: \(pngs.count)")
      #expect(pngs.count <= 12, "pages: \(pngs.count): something is spread too thin")
      for png in pngs {
        #expect(try Data(contentsOf: dir.appendingPathComponent(png)).starts(with: Data([0x89, 0x50, 0x4E, 0x47])), "\(png)")
      }
      // The same pages in grey, to measure how much of each is used.
      #expect(try run(pdftoppm, ["-r", "40", "-gray", pdf.path, dir.appendingPathComponent("grey").path]) == 0)
      let greys = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("grey") }.sorted()
      #expect(greys.count == pngs.count)
      for (index, name) in greys.enumerated() {
        let page = try #require(Page(pgm: try Data(contentsOf: dir.appendingPathComponent(name))), "\(name)")
        let span = page.contentSpan
        if index == greys.count - 1 {
          #expect(span > 0.1, "the last page (\(index + 1)) is nearly empty: \(span)")
        } else {
          #expect(span > 0.6, "page \(index + 1) of \(greys.count) is mostly empty: content spans \(Int(span * 100))% of it")
        }
      }
    }
  }

  @Test("Values outside their plausible range are applied with a warning and listed in the packet's appendix")
  func dataQuality() async throws {
    try await Harness.with(dataset: true) { h in
      // 19,500 亩 entered in the centimu field: 195 亩.
      let created = try await h.records.create(.with {
        $0.tenantID = "wujiang-siyang"
        $0.payload.park = .with {
          $0.name = "泗阳经济开发区吴江合作园"
          $0.hostCounty = "泗阳县"
          $0.suzhouPartner = "吴江区"
          $0.plannedAreaCentimu = 19_500
        }
      }, metadata: office("siyang.gov"))
      #expect(created.warnings.count == 1)
      #expect(created.warnings.first?.hasPrefix("planned_area_centimu: 19500 is outside the plausible range 50000…15000000") == true)
      let packet = try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026 }, metadata: office("suqian.finance"))
      #expect(packet.markdown.contains("- 泗阳经济开发区吴江合作园：规划面积为195亩，合理范围500亩至150000亩"))
    }
  }
}
