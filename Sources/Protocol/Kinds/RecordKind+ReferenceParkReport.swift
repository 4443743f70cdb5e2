extension RecordKind {
  /// The four indicators' figures of a park that is not co-built (`Gongjian_V1_ReferenceParkReport`),
  /// so that the 苏宿工业园区 is compared with every park of the city (Art. 二's 全市最优).
  public static let referenceParkReport = RecordKind(
    "reference_park_report", Gongjian_V1_ReferenceParkReport.self,
    get: { if case .referenceParkReport(let r) = $0 { r } else { nil } }, set: { $0.referenceParkReport = $1 },
    label: .init("非共建园区指标", "reference park report"),
    columns: ["PARK", "PERIOD", "INTENSITY (10k yuan/mu)", "FOREIGN", "HIGH-TECH", "R&D"],
    summary: { r in
      [
        r.parkName, TargetsCalculator.label(r.period), FixedPoint.intensity(r.derived.investmentIntensityFenPerMu),
        FixedPoint.percent(r.derived.foreignInvestmentShareBp), FixedPoint.percent(r.derived.highTechOutputShareBp),
        FixedPoint.percent(r.derived.rndIntensityBp),
      ]
    },
    fieldLabels: [
      "park_name": "园区名称", "host_county": "所在县区", "period": "报告期",
      "industrial_project_investment_yuan": "工业项目投资（元）", "industrial_land_area_centimu": "工业用地面积（0.01亩）",
      "foreign_investment_yuan": "利用外资（元）", "high_tech_output_yuan": "高新技术产业产值（元）",
      "total_industrial_output_yuan": "工业总产值（元）", "rnd_spending_yuan": "研发经费（元）",
      "main_business_revenue_yuan": "主营业务收入（元）", "source": "数据来源", "derived": "派生指标（服务器计算）",
    ],
    filter: { report, r in
      RecordFilter.sameYear(r.year, report.period.year) && (r.quarter == 0 || report.period.quarter == r.quarter)
    },
    integers: { report in
      [
        ("industrial_land_area_centimu", report.industrialLandAreaCentimu),
        ("industrial_project_investment_yuan", report.industrialProjectInvestmentYuan),
        ("total_industrial_output_yuan", report.totalIndustrialOutputYuan),
        ("main_business_revenue_yuan", report.mainBusinessRevenueYuan),
        ("derived.investment_intensity_fen_per_mu", report.derived.investmentIntensityFenPerMu),
      ]
    },
    readerTitle: { report, packet in "\(report.parkName) \(packet.edition.period(report.period))" }
  )
}
