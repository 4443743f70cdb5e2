extension MeetingPacket {
  /// 合作共建登记: the registers a secretary is asked about, from the city tenant's records: the
  /// weak villages and their assistance (Art. 七), the cadres exchanged per pairing (Art. 六, 十,
  /// 十七), the yearly pairing agreements (Art. 四) and the city's monitoring of its counties and
  /// districts (Art. 十三). A packet of a park council has none of them: it says so.
  func registersSection(_ doc: inout PacketDocument, _ number: Int, _ calculator: TargetsCalculator) {
    let e = self.edition
    guard self.cityWide else {
      doc.blocks.append(.paragraph(e.t("合作共建登记为两市联合协调理事会材料内容，本理事会材料不含。", "The registers belong to the two cities' council's packet; this council's packet has none.")))
      return
    }
    self.weakVillagesTable(&doc, number)
    self.cadreExchangesTable(&doc, number)
    self.pairingAgreementsTable(&doc, number)
    self.countyMonitoringTable(&doc, number, calculator)
  }

  private func weakVillagesTable(_ doc: inout PacketDocument, _ number: Int) {
    let e = self.edition
    doc.blocks.append(.heading(level: 3, text: e.subsection(number, 1, e.t("省定经济薄弱村帮扶", "Economically weak villages"))))
    // In the city's order of counties and districts, then by township and village.
    let order = Jurisdictions.suqianCounties + Jurisdictions.suqianFunctionalZones
    func place(_ county: String) -> Int { order.firstIndex(of: county) ?? order.count }
    let villages = self.data.weakVillages.sorted {
      (place($0.payload.county), $0.payload.township, $0.payload.village) < (place($1.payload.county), $1.payload.township, $1.payload.village)
    }
    guard !villages.isEmpty else {
      doc.blocks.append(.paragraph(e.t("尚未登记省定经济薄弱村。", "No economically weak village is registered.")))
      return
    }
    let plans = self.data.assistancePlans.filter { $0.payload.year == self.year }
    let rows = villages.map { village -> (row: [String], planned: Bool) in
      let own = plans.filter { $0.payload.county == village.payload.county && $0.payload.village == village.payload.village }
      let projects = own.flatMap(\.payload.projects)
      return (
        [village.payload.county, village.payload.township, village.payload.village,
         own.isEmpty ? e.t("无", "none") : own.map { e.name($0.payload.suzhouHelper) }.joined(separator: e.t("、", "; ")),
         e.count(Int64(projects.count)), e.yuan(projects.reduce(0) { $0 + $1.fundingYuan })],
        !own.isEmpty
      )
    }
    let planned = rows.filter(\.planned).count
    doc.blocks.append(.paragraph(e.t(
      "登记省定经济薄弱村\(villages.count)个，\(self.year)年已有帮扶方案\(planned)个，尚无方案\(villages.count - planned)个（实施意见第（七）条）。",
      "\(villages.count) economically weak villages are registered; \(planned) have an assistance plan for \(self.year), \(villages.count - planned) have none (Art. 7)."
    )))
    doc.blocks.append(.table(
      header: [e.t("县（区）", "County"), e.t("镇", "Township"), e.t("村", "Village"), e.t("苏州帮扶方", "Suzhou helper"), e.t("帮扶项目", "Projects"), e.t("项目资金", "Funding")],
      rows: rows.map(\.row), widths: [14, 14, 14, 28, 12, 18], emphasis: rows.map { !$0.planned }
    ))
  }

  private func cadreExchangesTable(_ doc: inout PacketDocument, _ number: Int) {
    let e = self.edition
    doc.blocks.append(.heading(level: 3, text: e.subsection(number, 2, e.t("干部交流", "Cadre exchanges"))))
    let exchanges = self.data.cadreExchanges.filter { RecordFilter.year($0.payload.startsOn) == self.year }
      .sorted { ($0.payload.startsOn, $0.payload.post) < ($1.payload.startsOn, $1.payload.post) }
    doc.blocks.append(.table(
      header: [e.t("挂钩关系", "Pairing"), e.t("交流次数", "Exchanges"), e.t("人数", "People")],
      rows: Jurisdictions.pairings.map { pairing in
        let own = exchanges.filter { $0.payload.pairing == pairing.suqian }
        return ["\(pairing.suqian)–\(pairing.suzhou)", e.count(Int64(own.count), "次"), e.count(Int64(own.reduce(0) { $0 + $1.payload.people }), "人")]
      },
      widths: [40, 30, 30]
    ))
    guard !exchanges.isEmpty else {
      doc.blocks.append(.paragraph(e.t("\(self.year)年尚无干部交流记录。", "No cadre exchange is recorded for \(self.year).")))
      return
    }
    doc.blocks.append(.table(
      header: [e.t("类型", "Type"), e.t("派出单位", "From"), e.t("接收单位", "To"), e.t("岗位", "Post"), e.t("起止日期", "Dates"), e.t("人数", "People")],
      rows: exchanges.map { item in
        let x = item.payload
        let dates = e.date(x.startsOn) + e.t("至", " to ") + (x.endsOn.isEmpty ? e.t("今", "now") : e.date(x.endsOn))
        return [self.cadreType(x.type), e.name(x.sendingUnit), e.name(x.receivingUnit), x.post, dates, e.count(Int64(x.people), "人")]
      },
      widths: [14, 18, 18, 20, 20, 10]
    ))
  }

  private func pairingAgreementsTable(_ doc: inout PacketDocument, _ number: Int) {
    let e = self.edition
    doc.blocks.append(.heading(level: 3, text: e.subsection(number, 3, e.t("年度挂钩合作协议", "Yearly pairing agreements"))))
    let agreements = self.data.pairingAgreements.filter { $0.payload.year == self.year }
    doc.blocks.append(.table(
      header: [e.t("挂钩关系", "Pairing"), e.t("协议", "Agreement"), e.t("签订日期", "Signed on")],
      rows: Jurisdictions.pairings.map { pairing in
        let own = agreements.first { $0.payload.pairing == pairing.suqian }
        return ["\(pairing.suqian)–\(pairing.suzhou)", own?.payload.title ?? e.t("未签订", "none signed"), own.map { e.date($0.payload.signedOn) } ?? "—"]
      },
      widths: [30, 50, 20], emphasis: Jurisdictions.pairings.map { pairing in !agreements.contains { $0.payload.pairing == pairing.suqian } }
    ))
  }

  private func countyMonitoringTable(_ doc: inout PacketDocument, _ number: Int, _ calculator: TargetsCalculator) {
    let e = self.edition
    doc.blocks.append(.heading(level: 3, text: e.subsection(number, 4, e.t("市对县（区）监测评价", "The city's monitoring of its counties and districts"))))
    doc.blocks.append(.table(
      header: [e.t("县（区）", "County"), e.t("签约项目", "Projects signed"), e.t("计划投资", "Planned investment"), e.t("党政代表团互访", "Delegation visits"),
               e.t("试点园区", "Pilot parks"), e.t("交流干部", "Cadres"), e.t("薄弱村有方案", "Villages with a plan"), e.t("实际分成收入", "Revenue shared")],
      rows: calculator.countyMonitoring(year: self.year).map { c in
        [c.county, e.count(Int64(c.projectsSigned)), e.yuan(c.plannedInvestmentYuan), e.count(Int64(c.delegationVisits), "次"),
         e.count(Int64(c.pilotTownshipParks)), e.count(Int64(c.cadresExchanged), "人"), "\(c.weakVillagesWithPlan)/\(c.weakVillages)", e.yuan(c.revenueSharedYuan)]
      },
      widths: [12, 10, 14, 12, 10, 10, 14, 18]
    ))
    doc.blocks.append(.note(e.t(
      "依据实施意见第（十三）条，南北共建工作纳入市对县（区）监测评价。项目按所在园区的县（区）或园区外项目的县（区）计，互访与干部交流按挂钩关系计。",
      "Under Art. 13, co-construction is part of the city's monitoring of its counties and districts. Projects count where they lie (their park's county, or their own outside the parks); visits and cadres by pairing."
    )))
  }

  func cadreType(_ type: Gongjian_V1_CadreExchangeType) -> String {
    let e = self.edition
    switch type {
    case .secondmentToSuzhou: return e.t("赴苏州挂职", "secondment to Suzhou")
    case .secondmentToSuqian: return e.t("苏州干部来宿挂职", "Suzhou cadre seconded to Suqian")
    case .training: return e.t("赴苏州培训", "training in Suzhou")
    case .parkExchange: return e.t("苏宿园区干部交流", "exchange with the Suzhou-Suqian Industrial Park")
    default: return e.t("其他", "other")
    }
  }
}
