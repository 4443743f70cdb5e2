extension MeetingPacket {
  /// Projects of the packet's year: any step (lead, signing, start, production, cancellation)
  /// dated in the year.
  var projectsOfYear: [PartnershipData.Item<Gongjian_V1_TransferredProject>] {
    self.data.projects.filter { item in
      let p = item.payload
      return [p.leadOn, p.signedOn, p.startedOn, p.inProductionOn, p.cancelledOn].contains { RecordFilter.year($0) == self.year }
    }
  }

  /// 重点项目进展: the year's projects by status with investment, what was signed, started and
  /// put in production this year, the largest projects; cancelled ones apart, outside the totals.
  func projectsSection(_ doc: inout PacketDocument, _ number: Int, _ calculator: TargetsCalculator) {
    let e = self.edition
    let projects = self.projectsOfYear
    let live = projects.filter { $0.payload.status != .cancelled }
    let cancelled = projects.filter { $0.payload.status == .cancelled }
    func sum(_ list: [PartnershipData.Item<Gongjian_V1_TransferredProject>]) -> Int64 {
      list.reduce(0) { $0 + $1.payload.plannedInvestmentYuan }
    }
    guard !projects.isEmpty else {
      doc.blocks.append(.paragraph(e.t("\(self.year)年尚无承接产业转移项目记录。", "No transferred project has a step dated in \(self.year).")))
      return
    }
    doc.blocks.append(.paragraph(e.t(
      "\(self.year)年有进展的承接产业转移项目\(live.count)个，计划投资\(e.yuan(sum(live)))（不含已取消项目）。",
      "\(live.count) transferred projects moved in \(self.year), with \(e.yuan(sum(live))) planned investment (cancelled projects excluded)."
    )))
    let statuses: [Gongjian_V1_ProjectStatus] = [.lead, .signed, .started, .inProduction]
    let rows = statuses.map { status in (status, live.filter { $0.payload.status == status }) }
    doc.blocks.append(.heading(level: 3, text: e.subsection(number, 1, e.t("按状态分布", "By status"))))
    doc.blocks.append(.table(
      header: [e.t("项目状态", "Status"), e.t("项目数", "Projects"), e.t("计划投资", "Planned investment")],
      rows: rows.map { [e.projectStatus($0.0), e.count(Int64($0.1.count)), e.yuan(sum($0.1))] }
        + [[e.t("合计（不含已取消）", "Total (cancelled excluded)"), e.count(Int64(live.count)), e.yuan(sum(live))]],
      widths: [40, 25, 35]
    ))
    if !cancelled.isEmpty {
      doc.blocks.append(.note(e.t(
        "另有已取消项目\(cancelled.count)个，计划投资\(e.yuan(sum(cancelled)))，单列如下，不计入合计：",
        "A further \(cancelled.count) projects with \(e.yuan(sum(cancelled))) planned investment were cancelled; they are listed here and excluded from the totals:"
      )))
      doc.blocks.append(.table(
        header: [e.t("已取消项目", "Cancelled project"), e.t("承接园区（地区）", "Host park or county"), e.t("计划投资", "Planned investment"), e.t("取消日期", "Cancelled on")],
        rows: cancelled.map { [$0.payload.name, self.projectHost($0.payload), e.yuan($0.payload.plannedInvestmentYuan), e.date($0.payload.cancelledOn)] },
        widths: [42, 24, 16, 18], noWrap: [3]
      ))
    }
    doc.blocks.append(.chart(
      svg: BarChart.svg(
        title: e.t("计划投资（按项目状态）", "Planned investment by status"),
        bars: rows.map { .init(label: e.projectStatus($0.0), value: Double(sum($0.1)), display: e.yuan(sum($0.1))) }
      ),
      caption: e.t("\(self.year)年有进展项目的计划投资，按状态（不含已取消项目）", "Planned investment of the projects that moved in \(self.year), by status (cancelled excluded)")
    ))

    doc.blocks.append(.heading(level: 3, text: e.subsection(number, 2, e.t("本年新增进展", "Steps taken this year"))))
    let steps: [(String, [PartnershipData.Item<Gongjian_V1_TransferredProject>])] = [
      (e.t("本年签约", "Signed this year"), live.filter { RecordFilter.year($0.payload.signedOn) == self.year }),
      (e.t("本年开工", "Started this year"), live.filter { RecordFilter.year($0.payload.startedOn) == self.year }),
      (e.t("本年投产", "In production this year"), live.filter { RecordFilter.year($0.payload.inProductionOn) == self.year }),
    ]
    doc.blocks.append(.table(
      header: [e.t("进展", "Step"), e.t("项目数", "Projects"), e.t("计划投资", "Planned investment")],
      rows: steps.map { [$0.0, e.count(Int64($0.1.count)), e.yuan(sum($0.1))] },
      widths: [40, 25, 35]
    ))
    // Signings against the yearly target of Art. 四 (the projects that count towards it).
    if let target = calculator.targets(for: self.year).first(where: { $0.metric == .transferredProjects }) {
      let signed = Int64(calculator.transferredProjects(in: self.year).count)
      doc.blocks.append(.chart(
        svg: BarChart.svg(
          title: e.t("本年签约项目数与年度目标", "Projects signed this year against the yearly target"),
          bars: [.init(label: e.t("本年签约", "Signed"), value: Double(signed), display: e.count(signed), highlight: signed < target.threshold)],
          marker: (Double(target.threshold), e.t("目标\(target.threshold)个", "target \(target.threshold)"))
        ),
        caption: e.t(
          "\(self.year)年签约且未取消的项目\(signed)个，年度目标\(target.threshold)个（实施意见第（四）条）",
          "\(signed) projects signed in \(self.year) and not cancelled, against a yearly target of \(target.threshold) (Art. 4)"
        )
      ))
    }

    doc.blocks.append(.heading(level: 3, text: e.subsection(number, 3, e.t("计划投资前十位项目", "The ten largest projects"))))
    let largest = live.sorted { ($0.payload.plannedInvestmentYuan, $1.payload.name) > ($1.payload.plannedInvestmentYuan, $0.payload.name) }.prefix(10)
    doc.blocks.append(.table(
      header: [e.t("序号", "No."), e.t("项目名称", "Project"), e.t("来源地区", "From"), e.t("承接园区（地区）", "Host park or county"), e.t("状态", "Status"), e.t("计划投资", "Planned investment")],
      rows: largest.enumerated().map { index, item in
        [String(index + 1), item.payload.name, item.payload.sourceDistrict, self.projectHost(item.payload),
         e.projectStatus(item.payload.status), e.yuan(item.payload.plannedInvestmentYuan)]
      },
      widths: [6, 34, 13, 21, 11, 15]
    ))
  }

  /// 园区指标: the four indicators of Art. 二 per park in one period, each with its rank, the
  /// change on the previous period and on the same period a year earlier.
  func indicatorsSection(_ doc: inout PacketDocument, _ number: Int, _ calculator: TargetsCalculator) {
    let e = self.edition
    let period = calculator.comparisonPeriod(in: self.year)
    let comparison = calculator.flagship(period: period)
    guard !comparison.parks.isEmpty else {
      doc.blocks.append(.paragraph(e.t("\(self.year)年尚无园区指标报表。", "No park has reported indicators for \(self.year).")))
      return
    }
    let previous = calculator.flagship(period: TargetsCalculator.previous(period))
    let yearEarlier = calculator.flagship(period: TargetsCalculator.yearEarlier(period))
    let flagship = self.data.flagshipPark
    let flagshipName = flagship.map { self.parkName($0.payload) } ?? e.t("苏宿工业园区", "the Suzhou-Suqian Industrial Park")
    let names = e.indicatorNames
    // The verdict above the tables is the one the targets section gives, for the same period.
    if flagship == nil {
      doc.blocks.append(.paragraph(e.t("尚未登记苏宿工业园区，无法判断其是否保持全市最优。", "No park is designated as the Suzhou-Suqian Industrial Park, so its lead cannot be judged.")))
    } else if comparison.leads.isEmpty {
      doc.blocks.append(.paragraph(e.t("\(flagshipName)未报送\(e.period(period))指标。", "\(flagshipName) has not reported for \(e.period(period)).")))
    } else {
      let led = comparison.leads.filter(\.flagshipLeads).count
      let lost = comparison.leads.enumerated().filter { !$0.element.flagshipLeads }.map { index, lead in
        let leader = comparison.parks.first { $0.parkName == lead.leaderParkName }.map(self.rowName) ?? lead.leaderParkName
        let best = Self.indicator(index, lead.bestValue, e)
        let own = Self.indicator(index, lead.flagshipValue, e)
        return e.t("\(names[index])由\(leader)居首（\(best)，\(flagshipName)\(own)）", "\(names[index]) is led by \(leader) (\(best); \(flagshipName) \(own))")
      }
      doc.blocks.append(.paragraph(e.t(
        "比较期为\(e.period(period))。\(flagshipName)四项指标中\(led)项居全市首位" + (lost.isEmpty ? "，保持全市最优。" : "；" + lost.joined(separator: "；") + "。"),
        "Period compared: \(e.period(period)). \(flagshipName) is first in the city on \(led) of the four indicators" + (lost.isEmpty ? "." : "; " + lost.joined(separator: "; ") + ".")
      )))
    }
    doc.blocks.append(.note(e.t(
      "名次为该项指标在本期报送指标的全市园区（共建园区和统计部门登记的非共建园区）中的位次，第1名为全市最优，数值相同者名次相同；★为苏宿工业园区。环比为与\(e.period(TargetsCalculator.previous(period)))相比，同比为与\(e.period(TargetsCalculator.yearEarlier(period)))相比；占比类指标的变化以个百分点计，工业项目亩均投资强度的变化以百分比计。",
      "The rank is the park's place on that indicator among the city's parks that reported for the period (the co-built parks and the parks that are not co-built, as the statistics bureau records them; 1 is best in the city; equal values share a rank); ★ marks the Suzhou-Suqian Industrial Park. Changes are on \(e.period(TargetsCalculator.previous(period))) and on \(e.period(TargetsCalculator.yearEarlier(period))); shares change in percentage points, investment intensity in per cent."
    )))
    let units = [e.t("万元/亩", "10k yuan per mu"), "%", "%", "%"]
    for index in 0..<4 {
      doc.blocks.append(.heading(level: 3, text: e.subsection(number, index + 1, e.t("\(names[index])（\(units[index])）", "\(names[index]) (\(units[index]))"))))
      let rows = comparison.parks.sorted { ($0.ranks[index], $0.parkName) < ($1.ranks[index], $1.parkName) }
      func change(_ row: Gongjian_V1_ParkIndicators, _ other: Gongjian_V1_FlagshipComparison) -> String {
        guard let old = other.parks.first(where: { $0.parkID == row.parkID }) else { return e.t("无可比数据", "no data") }
        let now = TargetsCalculator.values(row.indicators)[index]
        let then = TargetsCalculator.values(old.indicators)[index]
        return index == 0 ? e.relativeChange(from: then, to: now) : e.pointsChange(now - then)
      }
      doc.blocks.append(.table(
        header: [e.t("园区", "Park"), e.t("本期", "Value"), e.t("名次", "Rank"), e.t("环比", "On previous period"), e.t("同比", "On a year earlier")],
        rows: rows.map { row in
          let star = row.parkID == flagship?.id ? "★ " : ""
          return [star + self.rowName(row), Self.indicator(index, TargetsCalculator.values(row.indicators)[index], e, unit: false),
                  e.t("第\(row.ranks[index])名", "\(row.ranks[index]) of \(rows.count)"), change(row, previous), change(row, yearEarlier)]
        },
        widths: [34, 16, 12, 19, 19], noWrap: [1, 2, 3, 4]
      ))
      doc.blocks.append(.chart(
        svg: BarChart.svg(
          title: e.t("\(names[index])（\(e.period(period))）", "\(names[index]) (\(e.period(period)))"),
          bars: comparison.parks.map { row in
            let value = TargetsCalculator.values(row.indicators)[index]
            return .init(label: self.rowName(row), value: Double(value), display: Self.indicator(index, value, e, unit: false), highlight: row.parkID == flagship?.id)
          }
        ),
        caption: e.t("\(names[index])，\(e.period(period))；红色为\(flagshipName)", "\(names[index]), \(e.period(period)); \(flagshipName) in red")
      ))
    }
  }

  /// An indicator's value: 448.00（万元/亩） or 25.76%.
  static func indicator(_ index: Int, _ value: Int64, _ e: PacketEdition, unit: Bool = true) -> String {
    index == 0 ? FixedPoint.intensity(value) + (unit ? e.t("万元/亩", " × 10k yuan/mu") : "") : FixedPoint.percent(value)
  }

  /// 收益分成: the revenue-sharing agreements (Art. 十二) and, for the year, the projects that
  /// went into production in each agreement's park, whose revenue the agreement shares.
  func revenueSection(_ doc: inout PacketDocument, _ number: Int) {
    let e = self.edition
    guard !self.data.agreements.isEmpty else {
      doc.blocks.append(.paragraph(e.t("尚无开发合作协议（收益分成）记录。", "No development cooperation agreement is recorded.")))
      return
    }
    doc.blocks.append(.paragraph(e.t(
      "按照实施意见第（十二）条，共建园区引进项目投产后形成的有关财政收入，可由合作双方按开发合作协议分成。",
      "Under Art. 12 of the implementation opinions, fiscal revenue from projects in production in a co-built park may be shared by the partners as their development cooperation agreement sets."
    )))
    let agreements = self.data.agreements.sorted { ($0.payload.effectiveFrom, $0.payload.title) < ($1.payload.effectiveFrom, $1.payload.title) }
    doc.blocks.append(.table(
      header: [e.t("协议", "Agreement"), e.t("园区", "Park"), e.t("分成比例", "Shares"), e.t("生效日期", "In force from"),
               e.t("本年投产项目", "In production this year"), e.t("本年实际分成", "Revenue shared this year")],
      rows: agreements.map { item in
        let a = item.payload
        let produced = self.data.projects.filter {
          $0.payload.hostParkID == a.parkID && $0.payload.status == .inProduction && RecordFilter.year($0.payload.inProductionOn) == self.year
        }
        let shares = a.shares.map { e.t("\(e.name($0.party))\(e.share(Int64($0.shareBp)))", "\(e.name($0.party)) \(e.share(Int64($0.shareBp)))") }.joined(separator: e.t("，", "; "))
        let shared = a.shared.filter { $0.year == self.year }
          .map { e.t("\(e.name($0.party))\(e.yuan($0.amountYuan))", "\(e.name($0.party)) \(e.yuan($0.amountYuan))") }
        return [a.title, self.parkName(id: a.parkID), shares, e.date(a.effectiveFrom), e.count(Int64(produced.count)),
                shared.isEmpty ? e.t("未登记", "not recorded") : shared.joined(separator: e.t("，", "; "))]
      },
      widths: [22, 18, 22, 14, 11, 13], noWrap: [3]
    ))
  }
}
