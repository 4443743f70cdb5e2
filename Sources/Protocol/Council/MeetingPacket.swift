internal import Foundation

/// The meeting packet (DOMAIN.md, "Council meeting preparation"), assembled from synced records:
/// cover, the accepted agenda in order, the parks' indicators, the project pipeline, exchange
/// activities against their yearly counts, and the action items due and carried over.
public struct MeetingPacket: Sendable {
  public struct Item: Sendable {
    public var id: String
    public var item: Gongjian_V1_AgendaItem
  }

  public struct Action: Sendable {
    public var id: String
    public var action: Gongjian_V1_ActionItem
    public var meetingTitle: String
    public var overdue: Bool
  }

  public var councilName: String
  public var meeting: Gongjian_V1_Meeting
  /// Accepted items in order.
  var agenda: [Item]
  /// "kind/id" → a label for linked records.
  var linkLabels: [String: String]
  /// The label of a link into a tenant the reader cannot read: the same whether or not the
  /// record exists.
  public static let restrictedLinkLabel = "另一合作关系的记录（无权查看）record of another partnership (not visible)"
  var officeNames: [String: String]
  var data: PartnershipData
  /// Open actions due by the meeting date.
  var actionsDue: [Action]
  /// Open actions from earlier meetings due later.
  var actionsCarried: [Action]
  var cityWide: Bool

  static func statusName(_ status: Gongjian_V1_MeetingStatus) -> String {
    switch status {
    case .draft: "DRAFT 草案"
    case .agendaPublished: "AGENDA_PUBLISHED 议程已发布"
    case .held: "HELD 已召开"
    case .minutesApproved: "MINUTES_APPROVED 纪要已批准"
    default: "UNSPECIFIED"
    }
  }

  static func percent(_ bp: Int64) -> String { FixedPoint.percent(bp) }

  /// Fen per mu as 10k yuan per mu, two decimals.
  static func intensity(_ fen: Int64) -> String { FixedPoint.intensity(fen) }

  public static func yuan(_ value: Int64) -> String {
    String(format: "%.2f", Double(value) / 100_000_000) + " 亿元"
  }

  public static func projectStatusName(_ status: Gongjian_V1_ProjectStatus) -> String {
    switch status {
    case .lead: "LEAD 在谈"
    case .signed: "SIGNED 签约"
    case .started: "STARTED 开工"
    case .inProduction: "IN_PRODUCTION 投产"
    case .cancelled: "CANCELLED 取消"
    default: "UNSPECIFIED"
    }
  }

  var year: Int32 { Int32(self.meeting.heldOn.prefix(4)) ?? 0 }

  /// The packet as HTML and Markdown, with its section titles.
  public var proto: Gongjian_V1_Packet {
    let document = self.document()
    return .with {
      $0.title = document.title
      $0.agendaVersion = self.meeting.agendaVersion
      $0.html = document.html
      $0.markdown = document.markdown
      $0.sections = document.sections
    }
  }

  func document() -> PacketDocument {
    var doc = PacketDocument(title: "\(self.councilName) · \(self.meeting.title)")
    self.cover(&doc)
    self.agendaSection(&doc)
    let calculator = TargetsCalculator(data: self.data)
    self.indicatorsSection(&doc, calculator)
    self.projectsSection(&doc, calculator)
    self.activitiesSection(&doc, calculator)
    self.actionsSection(&doc)
    return doc
  }

  private func cover(_ doc: inout PacketDocument) {
    doc.blocks.append(.heading(level: 2, text: "1. 会议 Meeting"))
    doc.blocks.append(.keyValues([
      ("理事会 Council", self.councilName),
      ("会议 Meeting", self.meeting.title),
      ("日期 Date", self.meeting.heldOn),
      ("地点 Place", self.meeting.place),
      ("状态 Status", Self.statusName(self.meeting.status)),
      ("议程版本 Agenda version", String(self.meeting.agendaVersion)),
      ("数据范围 Scope", self.cityWide ? "全市 city-wide" : "本园区 this partnership"),
    ]))
    doc.blocks.append(.pageBreak)
  }

  private func agendaSection(_ doc: inout PacketDocument) {
    doc.blocks.append(.heading(level: 2, text: "2. 议程 Agenda"))
    if self.agenda.isEmpty {
      doc.blocks.append(.paragraph("尚无已接受的议题。No accepted agenda items yet."))
    }
    for (index, entry) in self.agenda.enumerated() {
      let item = entry.item
      doc.blocks.append(.heading(level: 3, text: "\(index + 1). \(item.title)"))
      var pairs: [(String, String)] = [
        ("提出单位 Proposed by", "\(self.officeNames[item.proposingOffice] ?? item.proposingOffice) (\(item.proposingSide.displayName))"),
        ("责任单位 Responsible units", item.responsibleUnits.joined(separator: "、")),
      ]
      if !item.deferredFromMeetingID.isEmpty { pairs.append(("顺延自 Deferred from", self.linkLabels["meeting/\(item.deferredFromMeetingID)"] ?? item.deferredFromMeetingID)) }
      if item.revision > 0 { pairs.append(("修订 Revision", String(item.revision))) }
      doc.blocks.append(.keyValues(pairs))
      doc.blocks.append(.paragraph(item.summary))
      if !item.linkedRecords.isEmpty {
        doc.blocks.append(.list(item.linkedRecords.map { "\($0.kind): \(self.linkLabels["\($0.kind)/\($0.id)"] ?? $0.id)" }))
      }
      if !item.attachments.isEmpty {
        doc.blocks.append(.table(
          header: ["附件 Attachment", "类型 Type", "大小 Size (bytes)"],
          rows: item.attachments.map { [$0.name, $0.contentType, String($0.size)] }
        ))
      }
    }
    doc.blocks.append(.pageBreak)
  }

  private func indicatorsSection(_ doc: inout PacketDocument, _ calculator: TargetsCalculator) {
    doc.blocks.append(.heading(level: 2, text: "3. 园区指标 Park indicators"))
    var year = self.year
    if !self.data.reports.contains(where: { $0.payload.period.year == year }) { year -= 1 }
    let period = calculator.latestPeriod(in: year)
    let previous: Gongjian_V1_Period =
      period.quarter > 1 ? .with { $0.year = period.year; $0.quarter = period.quarter - 1 }
      : period.quarter == 1 ? .with { $0.year = period.year - 1; $0.quarter = 4 } : .with { $0.year = period.year - 1 }
    let comparison = calculator.flagship(period: period)
    let before = calculator.flagship(period: previous)
    guard !comparison.parks.isEmpty else {
      doc.blocks.append(.paragraph("No indicator reports for \(year)."))
      return
    }
    doc.blocks.append(.paragraph("报告期 Period: \(TargetsCalculator.label(period)); 对比上期 compared with \(TargetsCalculator.label(previous)) and with the flagship (苏宿工业园区)."))
    let flagship = comparison.parks.first { $0.tenantID == TargetsCalculator.flagshipTenant }
    func delta(_ park: Gongjian_V1_ParkIndicators, _ index: Int) -> String {
      guard let old = before.parks.first(where: { $0.parkID == park.parkID }) else { return "" }
      let change = TargetsCalculator.values(park.indicators)[index] - TargetsCalculator.values(old.indicators)[index]
      let text = index == 0 ? Self.intensity(abs(change)) : Self.percent(abs(change))
      return change >= 0 ? " (+\(text))" : " (−\(text))"
    }
    doc.blocks.append(.table(
      header: ["园区 Park", "亩均投资强度 (万元/亩)", "外资占比", "高新技术产值占比", "研发投入占比", "名次 Ranks"],
      rows: comparison.parks.map { park in
        let v = TargetsCalculator.values(park.indicators)
        return [
          park.tenantID == TargetsCalculator.flagshipTenant ? "★ \(park.parkName)" : park.parkName,
          Self.intensity(v[0]) + delta(park, 0), Self.percent(v[1]) + delta(park, 1),
          Self.percent(v[2]) + delta(park, 2), Self.percent(v[3]) + delta(park, 3),
          park.ranks.map(String.init).joined(separator: "/"),
        ]
      }
    ))
    if !comparison.leads.isEmpty {
      doc.blocks.append(.list(comparison.leads.map {
        $0.flagshipLeads ? "\($0.indicator): 旗舰园区领先 the flagship leads" : "\($0.indicator): led by \($0.leaderParkName) (\($0.bestValue) vs flagship \($0.flagshipValue))"
      }))
    }
    let titles = ["亩均投资强度 Investment intensity (万元/亩)", "外资占比 Foreign investment share", "高新技术产值占比 High-tech output share", "研发投入占比 R&D intensity"]
    for index in 0..<4 {
      let bars = comparison.parks.map { park in
        let value = TargetsCalculator.values(park.indicators)[index]
        return BarChart.Bar(
          label: park.parkName, value: Double(value),
          display: index == 0 ? Self.intensity(value) : Self.percent(value),
          highlight: park.parkID == flagship?.parkID
        )
      }
      doc.blocks.append(.chart(svg: BarChart.svg(title: titles[index], bars: bars), caption: "\(titles[index]), \(TargetsCalculator.label(period)); flagship in red"))
    }
    doc.blocks.append(.pageBreak)
  }

  private func projectsSection(_ doc: inout PacketDocument, _ calculator: TargetsCalculator) {
    doc.blocks.append(.heading(level: 2, text: "4. 承接产业转移项目 Transferred projects"))
    let statuses: [Gongjian_V1_ProjectStatus] = [.lead, .signed, .started, .inProduction, .cancelled]
    let rows: [(Gongjian_V1_ProjectStatus, Int, Int64)] = statuses.map { status in
      let projects = self.data.projects.filter { $0.payload.status == status }
      return (status, projects.count, projects.reduce(0) { $0 + $1.payload.plannedInvestmentYuan })
    }
    doc.blocks.append(.table(
      header: ["状态 Status", "项目数 Projects", "计划投资 Planned investment"],
      rows: rows.map { [Self.projectStatusName($0.0), String($0.1), Self.yuan($0.2)] }
        + [["合计 Total", String(rows.reduce(0) { $0 + $1.1 }), Self.yuan(rows.reduce(0) { $0 + $1.2 })]]
    ))
    doc.blocks.append(.chart(
      svg: BarChart.svg(
        title: "计划投资（按状态）Planned investment by status",
        bars: rows.map { .init(label: Self.projectStatusName($0.0), value: Double($0.2), display: Self.yuan($0.2)) }
      ),
      caption: "Planned investment by project status, all projects in scope"
    ))
    let report = calculator.report(year: self.year)
    let count = report.first { $0.target.metric == .transferredProjects }
    let investment = report.first { $0.target.metric == .transferredInvestmentYuan }
    if let count, let investment {
      doc.blocks.append(.table(
        header: ["\(self.year) 年目标 Target", "实际 Actual", "目标 Threshold", "达成 Met"],
        rows: [
          [count.target.description_p, String(count.actual), String(count.target.threshold), count.met ? "是 yes" : "否 no"],
          [investment.target.description_p, Self.yuan(investment.actual), Self.yuan(investment.target.threshold), investment.met ? "是 yes" : "否 no"],
        ]
      ))
      doc.blocks.append(.chart(
        svg: BarChart.svg(
          title: "\(self.year) 年签约项目 Projects signed in \(self.year)",
          bars: [.init(label: "签约项目数 signed", value: Double(count.actual), display: "\(count.actual)", highlight: !count.met)],
          marker: (Double(count.target.threshold), "目标 \(count.target.threshold)")
        ),
        caption: "Projects signed in \(self.year) against the yearly target of \(count.target.threshold)"
      ))
    }
    doc.blocks.append(.pageBreak)
  }

  private func activitiesSection(_ doc: inout PacketDocument, _ calculator: TargetsCalculator) {
    doc.blocks.append(.heading(level: 2, text: "5. 交流活动 Exchange activities"))
    let types: [(Gongjian_V1_ExchangeType, String)] = [
      (.inspectionTrip, "投资考察 Inspection trips"), (.promotionEvent, "苏州招商推介 Promotion events"),
      (.delegationVisit, "党政互访 Delegation visits"), (.departmentExchange, "部门交流 Department exchanges"),
      (.training, "培训 Training"), (.cadreSecondment, "干部挂职 Cadre secondments"),
    ]
    let activities = calculator.activities(nil, in: self.year)
    doc.blocks.append(.table(
      header: ["类型 Type", "\(self.year) 年次数 Count", "参与人数 People"],
      rows: types.map { type, label in
        let matching = activities.filter { $0.payload.type == type }
        return [label, String(matching.count), String(matching.reduce(0) { $0 + Int($1.payload.peopleCount) })]
      }
    ))
    let metrics: [Gongjian_V1_TargetMetric] = [.inspectionTrips, .promotionEventsPerPark, .delegationVisitsPerPairing, .exchangesPerDepartment]
    let results = calculator.report(year: self.year).filter { metrics.contains($0.target.metric) }
    doc.blocks.append(.table(
      header: ["年度目标 Yearly target", "实际 Actual", "目标 Threshold", "达成 Met", "差距 Shortfalls"],
      rows: results.map {
        [$0.target.description_p, String($0.actual), String($0.target.threshold), $0.met ? "是 yes" : "否 no", $0.shortfalls.joined(separator: "; ")]
      }
    ))
    doc.blocks.append(.chart(
      svg: BarChart.svg(
        title: "\(self.year) 年交流活动 Exchange activities in \(self.year)",
        bars: types.map { type, label in
          let n = activities.filter { $0.payload.type == type }.count
          return .init(label: label, value: Double(n), display: String(n))
        }
      ),
      caption: "Exchange activities by type in \(self.year)"
    ))
    doc.blocks.append(.pageBreak)
  }

  private func actionsSection(_ doc: inout PacketDocument) {
    doc.blocks.append(.heading(level: 2, text: "6. 督办事项 Action items"))
    func rows(_ actions: [Action]) -> [[String]] {
      actions.map {
        [$0.action.title, $0.action.ownerUnit, $0.action.dueOn, $0.action.status.label + ($0.overdue ? " · 逾期 overdue" : ""), $0.meetingTitle,
         $0.action.progress.last.map { "\($0.on): \($0.note)" } ?? ""]
      }
    }
    let header = ["事项 Action", "责任单位 Owner", "期限 Due", "状态 Status", "来自 From meeting", "最新进展 Latest progress"]
    doc.blocks.append(.heading(level: 3, text: "本次会议到期 Due for this meeting (\(self.actionsDue.count))"))
    doc.blocks.append(self.actionsDue.isEmpty ? .paragraph("无 None.") : .table(header: header, rows: rows(self.actionsDue)))
    doc.blocks.append(.heading(level: 3, text: "延续督办 Carried over (\(self.actionsCarried.count))"))
    doc.blocks.append(self.actionsCarried.isEmpty ? .paragraph("无 None.") : .table(header: header, rows: rows(self.actionsCarried)))
  }
}
