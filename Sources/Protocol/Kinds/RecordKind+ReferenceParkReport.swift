extension RecordKind {
  /// The four indicators' figures of a park that is not co-built (`Gongjian_V1_ReferenceParkReport`),
  /// so that the 苏宿工业园区 is compared with every park of the city (Art. 二's 全市最优).
  public static let referenceParkReport = RecordKind(
    "reference_park_report", Gongjian_V1_ReferenceParkReport.self,
    get: { if case .referenceParkReport(let r) = $0 { r } else { nil } }, set: { $0.referenceParkReport = $1 },
    label: .init("非共建园区指标", "reference park report"),
    columns: ["PARK", "PERIOD"] + RecordKind.indicatorColumns,
    summary: { r in [r.parkName, TargetsCalculator.label(r.period)] + RecordKind.indicatorCells(r.derived) },
    fieldLabels: RecordKind.figureLabels.merging([
      "park_name": "园区名称", "host_county": "所在县区", "source": "数据来源",
    ]) { shared, _ in shared },
    filter: { report, r in RecordKind.inPeriod(report.period, r) },
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
