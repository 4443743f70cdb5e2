internal import GongjianProtocol

/// Validation and derivation of indicator reports: the four indicators are always computed
/// from the raw figures, so they never disagree with their inputs.
enum IndicatorReportRules {
  static let rule = KindRule(
    .indicatorReport, payload: Gongjian_V1_IndicatorReport.self,
    validate: { report in
      var checks = FieldChecks()
      checks.requireUUID(report.parkID, "park_id")
      Self.checkFigures(report, into: &checks)
      return checks.violations
    },
    normalize: { report in report.derived = derive(report) },
    uniqueKey: { "\($0.parkID.lowercased())|\($0.period.year)|\($0.period.quarter)" },
    references: { [.init(field: "park_id", kind: .park, id: $0.parkID)] }
  )

  /// The period and the raw figures: present, not negative, each part within its whole, and an
  /// investment intensity that can be represented. Shared with reference-park reports.
  static func checkFigures(_ report: Gongjian_V1_IndicatorReport, into checks: inout FieldChecks) {
    if !report.hasPeriod {
      checks.fail("period", "required")
    } else {
      checks.year(report.period.year, "period.year")
      if !(0...4).contains(report.period.quarter) {
        checks.fail("period.quarter", "1 to 4, or 0 for the whole year (got \(report.period.quarter))")
      }
    }
    let figures: [(Int64, String)] = [
      (report.industrialProjectInvestmentYuan, "industrial_project_investment_yuan"),
      (report.industrialLandAreaCentimu, "industrial_land_area_centimu"),
      (report.foreignInvestmentYuan, "foreign_investment_yuan"),
      (report.totalIndustrialInvestmentYuan, "total_industrial_investment_yuan"),
      (report.highTechOutputYuan, "high_tech_output_yuan"),
      (report.totalIndustrialOutputYuan, "total_industrial_output_yuan"),
      (report.rndSpendingYuan, "rnd_spending_yuan"),
      (report.mainBusinessRevenueYuan, "main_business_revenue_yuan"),
    ]
    for (value, field) in figures { checks.nonNegative(value, field) }
    for (value, field) in [
      (report.industrialLandAreaCentimu, "industrial_land_area_centimu"),
      (report.industrialProjectInvestmentYuan, "industrial_project_investment_yuan"),
      (report.totalIndustrialOutputYuan, "total_industrial_output_yuan"),
      (report.mainBusinessRevenueYuan, "main_business_revenue_yuan"),
    ] where value == 0 {
      checks.fail(field, "must be greater than 0: an indicator is computed with it as denominator")
    }
    // Art. 二's 工业项目投资外资占比: the foreign share of industrial project investment.
    if report.foreignInvestmentYuan > report.industrialProjectInvestmentYuan {
      checks.fail("foreign_investment_yuan", "exceeds industrial_project_investment_yuan (the share is of industrial project investment, Art. 二)")
    }
    if report.highTechOutputYuan > report.totalIndustrialOutputYuan {
      checks.fail("high_tech_output_yuan", "exceeds total_industrial_output_yuan")
    }
    if report.rndSpendingYuan > report.mainBusinessRevenueYuan {
      checks.fail("rnd_spending_yuan", "exceeds main_business_revenue_yuan")
    }
    if checks.violations.isEmpty,
      ratio(report.industrialProjectInvestmentYuan, report.industrialLandAreaCentimu, scale: 10_000) == nil
    {
      checks.fail(
        "industrial_project_investment_yuan",
        "with industrial_land_area_centimu gives an investment intensity too large to represent; check the units (yuan, centimu)"
      )
    }
  }

  /// The four indicators from the raw figures.
  static func derive(_ report: Gongjian_V1_IndicatorReport) -> Gongjian_V1_DerivedIndicators {
    .with {
      // yuan / mu in fen: yuan × 100 fen × 100 (centimu per mu) / centimu.
      // Validation has made sure every ratio is representable.
      $0.investmentIntensityFenPerMu = ratio(report.industrialProjectInvestmentYuan, report.industrialLandAreaCentimu, scale: 10_000) ?? 0
      $0.foreignInvestmentShareBp = ratio(report.foreignInvestmentYuan, report.industrialProjectInvestmentYuan, scale: 10_000) ?? 0
      $0.highTechOutputShareBp = ratio(report.highTechOutputYuan, report.totalIndustrialOutputYuan, scale: 10_000) ?? 0
      $0.rndIntensityBp = ratio(report.rndSpendingYuan, report.mainBusinessRevenueYuan, scale: 10_000) ?? 0
    }
  }
}
