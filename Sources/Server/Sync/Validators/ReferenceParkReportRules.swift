internal import GongjianProtocol

/// Validation and derivation of reference-park reports: the same figures and the same four
/// indicators as an indicator report (``IndicatorReportRules``), for a park that is not co-built,
/// named rather than referenced; kept in the city tenant, one per park name and period.
enum ReferenceParkReportRules {
  static let rule = KindRule(
    .referenceParkReport, payload: Gongjian_V1_ReferenceParkReport.self,
    trim: { report in
      report.parkName = FieldChecks.trimmed(report.parkName)
      report.hostCounty = FieldChecks.trimmed(report.hostCounty)
      report.source = FieldChecks.trimmed(report.source)
    },
    validate: { report in
      var checks = FieldChecks()
      checks.requireText(report.parkName, "park_name")
      checks.requireText(report.hostCounty, "host_county")
      checks.oneOf(report.hostCounty, Jurisdictions.suqian, "host_county", what: "one of Suqian's counties, districts or functional zones")
      checks.limitText(report.source, "source", maxLength: 200)
      IndicatorReportRules.checkFigures(Self.figures(report), into: &checks)
      return checks.violations
    },
    normalize: { report in report.derived = IndicatorReportRules.derive(Self.figures(report)) },
    uniqueKey: { "\($0.parkName.lowercased().filter { !$0.isWhitespace })|\($0.period.year)|\($0.period.quarter)" },
    // A park that is not co-built is the whole city's business: the city tenant keeps it.
    check: { input in
      input.context.cityTenant
        ? [] : [.init(field: "park_name", description: "reference parks (not co-built) are recorded in the city tenant")]
    }
  )

  /// The report's figures as an indicator report's, whose field names they share.
  static func figures(_ report: Gongjian_V1_ReferenceParkReport) -> Gongjian_V1_IndicatorReport {
    .with {
      $0.period = report.period
      $0.industrialProjectInvestmentYuan = report.industrialProjectInvestmentYuan
      $0.industrialLandAreaCentimu = report.industrialLandAreaCentimu
      $0.foreignInvestmentYuan = report.foreignInvestmentYuan
      $0.highTechOutputYuan = report.highTechOutputYuan
      $0.totalIndustrialOutputYuan = report.totalIndustrialOutputYuan
      $0.rndSpendingYuan = report.rndSpendingYuan
      $0.mainBusinessRevenueYuan = report.mainBusinessRevenueYuan
    }
  }
}
