extension MeetingPacket {
  /// A target as the packet names it.
  func targetName(_ metric: Gongjian_V1_TargetMetric) -> String {
    let e = self.edition
    switch metric {
    case .transferredProjects: return e.t("承接苏州转移投资项目", "Investment projects transferred from Suzhou")
    case .transferredInvestmentYuan: return e.t("承接项目计划投资", "Planned investment of those projects")
    case .inspectionTrips: return e.t("组织苏州企业来宿投资考察", "Inspection trips of Suzhou firms to Suqian")
    case .promotionEventsPerPark: return e.t("共建园区在苏州开展招商推介", "Promotion events in Suzhou by each co-built park")
    case .delegationVisitsPerPairing: return e.t("市、县（区）党政代表团互访", "Party–government delegation visits per pairing")
    case .exchangesPerDepartment: return e.t("重点市直部门与苏州对口部门交流", "Exchanges of key city departments with their Suzhou counterparts")
    case .provincialCharacteristicParks: return e.t("县级共建园区创成省级特色园区", "County-level parks holding the provincial characteristic park title")
    case .pilotTownshipParksPerCounty: return e.t("各县（区）培育乡镇挂钩共建试点", "Pilot township co-built parks per county or district")
    case .flagshipLeadsIndicators: return e.t("苏宿工业园区四项指标保持全市最优", "The flagship park leads the city on the four indicators")
    case .councilMeetings: return e.t("召开两市联合协调理事会会议", "Meetings of the two cities' joint coordination council")
    case .weakVillagesWithPlan: return e.t("省定经济薄弱村完善帮扶方案", "Weak villages with an assistance plan")
    default: return e.t("其他目标", "Other target")
    }
  }

  /// What a target asks for.
  func requirement(_ target: Gongjian_V1_Target) -> String {
    let e = self.edition
    let t = target.threshold
    switch target.metric {
    case .transferredProjects: return e.t("不少于\(t)个", "at least \(t)")
    case .transferredInvestmentYuan: return e.t("不低于\(e.yuan(t))", "at least \(e.yuan(t))")
    case .inspectionTrips: return e.t("每年\(t)次以上", "\(t) or more a year")
    case .promotionEventsPerPark: return e.t("每个园区每年至少\(t)次", "at least \(t) a year per park")
    case .delegationVisitsPerPairing: return e.t("每个挂钩关系每年不少于\(t)次", "at least \(t) a year per pairing")
    case .exchangesPerDepartment: return e.t("每个部门每年不少于\(t)次", "at least \(t) a year per department")
    case .provincialCharacteristicParks: return e.t("\(t)个以上", "\(t) or more")
    case .pilotTownshipParksPerCounty:
      let ceiling = TargetsCalculator.ceiling(of: target)
      return ceiling > 0
        ? e.t("每个县（区）\(t)至\(ceiling)个", "\(t) to \(ceiling) per county or district")
        : e.t("每个县（区）不少于\(t)个", "at least \(t) per county or district")
    case .flagshipLeadsIndicators: return e.t("四项指标均居全市首位", "first in the city on all four indicators")
    case .councilMeetings: return e.t("每年至少召开\(t)次", "at least \(t) a year")
    case .weakVillagesWithPlan: return e.t("每个村均有帮扶方案", "a plan for every village")
    default: return String(t)
    }
  }

  /// The unit a per-unit target counts, for "3 of 4 parks".
  func unitNoun(_ metric: Gongjian_V1_TargetMetric) -> (zh: String, en: String) {
    switch metric {
    case .promotionEventsPerPark: ("个园区", "parks")
    case .delegationVisitsPerPairing: ("个挂钩关系", "pairings")
    case .exchangesPerDepartment: ("个重点部门", "key departments")
    case .pilotTownshipParksPerCounty: ("个县（区）", "counties or districts")
    case .weakVillagesWithPlan: ("个薄弱村", "weak villages")
    default: ("个", "units")
    }
  }

  /// What was achieved.
  func achieved(_ result: Gongjian_V1_TargetResult, _ calculator: TargetsCalculator) -> String {
    let e = self.edition
    let actual = result.actual
    switch result.target.metric {
    case .transferredProjects: return e.t("已签约\(actual)个", "\(actual) signed")
    case .transferredInvestmentYuan: return e.yuan(actual)
    case .inspectionTrips: return e.t("\(actual)次", "\(actual)")
    case .provincialCharacteristicParks: return e.t("\(actual)个", "\(actual)")
    case .councilMeetings: return e.t("已召开\(actual)次", "\(actual) held")
    case .flagshipLeadsIndicators:
      guard self.data.flagshipPark != nil else { return e.t("未登记苏宿工业园区", "the Suzhou-Suqian Industrial Park is not designated") }
      let period = calculator.comparisonPeriod(in: self.year)
      return e.t("\(actual)项居首位（\(e.period(period))）", "first on \(actual) of 4 (\(e.period(period)))")
    default:
      let noun = self.unitNoun(result.target.metric)
      return e.t("\(result.units.count)\(noun.zh)中\(actual)个达标", "\(actual) of \(result.units.count) \(noun.en) reach it")
    }
  }

  /// What is missing, by unit.
  func gap(_ result: Gongjian_V1_TargetResult, _ calculator: TargetsCalculator) -> String {
    let e = self.edition
    guard !result.met else { return "—" }
    let short = result.target.threshold - result.actual
    switch result.target.metric {
    case .transferredProjects: return e.t("尚差\(short)个", "\(short) short")
    case .transferredInvestmentYuan: return e.t("尚差\(e.yuan(short))", "\(e.yuan(short)) short")
    case .inspectionTrips: return e.t("尚差\(short)次", "\(short) short")
    case .provincialCharacteristicParks: return e.t("尚差\(short)个", "\(short) short")
    case .councilMeetings:
      let pending = self.meeting.status == .draft || self.meeting.status == .agendaPublished
      return pending && RecordFilter.year(self.meeting.heldOn) == self.year
        ? e.t("本次会议召开后计入", "counts once this meeting is held") : e.t("尚差\(short)次", "\(short) short")
    case .flagshipLeadsIndicators:
      let comparison = calculator.flagship(period: calculator.comparisonPeriod(in: self.year))
      let names = e.indicatorNames
      let lost = comparison.leads.enumerated().filter { !$0.element.flagshipLeads }
      guard !lost.isEmpty else { return e.t("无指标报表", "no indicator reports") }
      return lost.map { index, lead in
        let leader = comparison.parks.first { $0.parkName == lead.leaderParkName }.map(self.rowName) ?? lead.leaderParkName
        return e.t("\(names[index])：\(leader)居首", "\(names[index]): led by \(leader)")
      }.joined(separator: e.t("；", "; "))
    default:
      let measure = [.pilotTownshipParksPerCounty, .weakVillagesWithPlan].contains(result.target.metric) ? "个" : "次"
      let ceiling = TargetsCalculator.ceiling(of: result.target)
      return result.units.filter { !$0.met }.map { unit in
        let over = ceiling > 0 && unit.actual > ceiling
        return e.t(
          "\(e.name(unit.name))：\(unit.actual)\(measure)\(over ? "（超过\(ceiling)\(measure)）" : "")",
          "\(e.name(unit.name)): \(unit.actual)\(over ? " (more than \(ceiling))" : "")"
        )
      }.joined(separator: e.t("；", "; "))
    }
  }

  /// 年度目标完成情况: every target of the year, requirement against actual, met or not, the
  /// shortfall by unit, and the records that count.
  func targetsSection(_ doc: inout PacketDocument, _ number: Int, _ calculator: TargetsCalculator) {
    let e = self.edition
    let results = calculator.report(year: self.year)
    let met = results.filter(\.met).count
    doc.blocks.append(.paragraph(e.t(
      "依据《关于推动全市南北合作共建高质量发展实施意见》（宿发〔2020〕14号），\(self.year)年度目标共\(results.count)项，已完成\(met)项，未完成\(results.count - met)项。",
      "Under the implementation opinions (Suqian [2020] No. 14), \(self.year) has \(results.count) targets: \(met) met, \(results.count - met) not met."
    )))
    doc.blocks.append(.table(
      header: [
        e.t("序号", "No."), e.t("目标", "Target"), e.t("依据", "Source"), e.t("目标要求", "Requirement"), e.t("完成情况", "Achieved"),
        e.t("是否完成", "Met"), e.t("差距", "Shortfall"), e.t("责任单位", "Responsible units"),
      ],
      rows: results.enumerated().map { index, result in
        [String(index + 1), self.targetName(result.target.metric), e.article(result.target.source),
         self.requirement(result.target), self.achieved(result, calculator),
         result.met ? e.t("完成", "yes") : e.t("未完成", "no"), self.gap(result, calculator),
         result.responsibleUnits.map(e.unit).joined(separator: e.t("、", "; "))]
      },
      widths: [5, 17, 10, 13, 13, 7, 18, 17], emphasis: results.map { !$0.met }
    ))
    doc.blocks.append(.heading(level: 3, text: e.subsection(number, 1, e.t("计入目标的记录", "Records that count"))))
    var listed = 0
    for result in results where !result.contributions.isEmpty {
      listed += 1
      let metric = result.target.metric
      let text: String
      if metric == .transferredProjects || metric == .transferredInvestmentYuan {
        text = e.t("共\(result.contributions.count)个项目，明细见“重点项目进展”。", "\(result.contributions.count) projects, listed under Projects.")
      } else {
        text = result.contributions.map { $0.label }.joined(separator: e.t("、", "; "))
      }
      doc.blocks.append(.paragraph(e.item(listed, "\(self.targetName(metric))\(e.t("：", ": "))\(text)")))
    }
    if listed == 0 { doc.blocks.append(.paragraph(e.t("本年度尚无计入目标的记录。", "No record counts towards this year's targets yet."))) }
  }
}
