extension RecordKind {
  /// A park's indicator figures for a period (`Gongjian_V1_IndicatorReport`).
  public static let indicatorReport = RecordKind(
    "indicator_report", Gongjian_V1_IndicatorReport.self,
    get: { if case .indicatorReport(let r) = $0 { r } else { nil } }, set: { $0.indicatorReport = $1 },
    label: .init("指标报表", "indicator report"),
    columns: ["PERIOD"] + RecordKind.indicatorColumns,
    summary: { r in [TargetsCalculator.label(r.period)] + RecordKind.indicatorCells(r.derived) },
    fieldLabels: RecordKind.figureLabels.merging([
      "park_id": "园区编号", "total_industrial_investment_yuan": "工业投资总额（元）",
    ]) { shared, _ in shared },
    filter: { report, r in RecordFilter.sameID(r.parkID, report.parkID) && RecordKind.inPeriod(report.period, r) },
    integers: { report in
      [
        ("industrial_land_area_centimu", report.industrialLandAreaCentimu),
        ("industrial_project_investment_yuan", report.industrialProjectInvestmentYuan),
        ("total_industrial_investment_yuan", report.totalIndustrialInvestmentYuan),
        ("foreign_investment_yuan", report.foreignInvestmentYuan),
        ("high_tech_output_yuan", report.highTechOutputYuan),
        ("total_industrial_output_yuan", report.totalIndustrialOutputYuan),
        ("rnd_spending_yuan", report.rndSpendingYuan),
        ("main_business_revenue_yuan", report.mainBusinessRevenueYuan),
        ("derived.investment_intensity_fen_per_mu", report.derived.investmentIntensityFenPerMu),
      ]
    },
    readerTitle: { report, packet in "\(packet.parkName(id: report.parkID)) \(packet.edition.period(report.period))" }
  )
}

extension RecordKind {
  /// The four indicators' list columns, for the kinds that carry them (indicator and
  /// reference-park reports).
  static let indicatorColumns = ["INTENSITY (10k yuan/mu)", "FOREIGN", "HIGH-TECH", "R&D"]

  /// The four indicators' cells under ``indicatorColumns``.
  static func indicatorCells(_ d: Gongjian_V1_DerivedIndicators) -> [String] {
    [
      FixedPoint.intensity(d.investmentIntensityFenPerMu), FixedPoint.percent(d.foreignInvestmentShareBp),
      FixedPoint.percent(d.highTechOutputShareBp), FixedPoint.percent(d.rndIntensityBp),
    ]
  }

  /// Chinese labels of the period, the raw figures and the derived indicators that both report
  /// kinds share.
  static let figureLabels: [String: String] = [
    "period": "报告期", "industrial_project_investment_yuan": "工业项目投资（元）", "industrial_land_area_centimu": "工业用地面积（0.01亩）",
    "foreign_investment_yuan": "利用外资（元）", "high_tech_output_yuan": "高新技术产业产值（元）",
    "total_industrial_output_yuan": "工业总产值（元）", "rnd_spending_yuan": "研发经费（元）",
    "main_business_revenue_yuan": "主营业务收入（元）", "derived": "派生指标（服务器计算）",
  ]

  /// Whether a report's period passes a list request's year and quarter filters.
  static func inPeriod(_ period: Gongjian_V1_Period, _ r: Gongjian_V1_ListRecordsRequest) -> Bool {
    RecordFilter.sameYear(r.year, period.year) && (r.quarter == 0 || period.quarter == r.quarter)
  }
}
