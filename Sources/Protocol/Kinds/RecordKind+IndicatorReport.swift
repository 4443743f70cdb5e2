extension RecordKind {
  /// A park's indicator figures for a period (`Gongjian_V1_IndicatorReport`).
  public static let indicatorReport = RecordKind(
    "indicator_report", Gongjian_V1_IndicatorReport.self,
    get: { if case .indicatorReport(let r) = $0 { r } else { nil } }, set: { $0.indicatorReport = $1 },
    label: .init("指标报表", "indicator report"),
    columns: ["PERIOD", "INTENSITY (10k yuan/mu)", "FOREIGN", "HIGH-TECH", "R&D"],
    summary: { r in
      [
        TargetsCalculator.label(r.period), FixedPoint.intensity(r.derived.investmentIntensityFenPerMu),
        FixedPoint.percent(r.derived.foreignInvestmentShareBp), FixedPoint.percent(r.derived.highTechOutputShareBp),
        FixedPoint.percent(r.derived.rndIntensityBp),
      ]
    },
    fieldLabels: [
      "park_id": "园区编号", "period": "报告期", "industrial_project_investment_yuan": "工业项目投资（元）",
      "industrial_land_area_centimu": "工业用地面积（0.01亩）", "foreign_investment_yuan": "利用外资（元）",
      "total_industrial_investment_yuan": "工业投资总额（元）", "high_tech_output_yuan": "高新技术产业产值（元）",
      "total_industrial_output_yuan": "工业总产值（元）", "rnd_spending_yuan": "研发经费（元）",
      "main_business_revenue_yuan": "主营业务收入（元）", "derived": "派生指标（服务器计算）",
    ],
    filter: { report, r in
      RecordFilter.sameID(r.parkID, report.parkID) && RecordFilter.sameYear(r.year, report.period.year)
        && (r.quarter == 0 || report.period.quarter == r.quarter)
    },
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
