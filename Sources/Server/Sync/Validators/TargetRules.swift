internal import GongjianProtocol

/// Validation of yearly targets; only admins write them.
enum TargetRules {
  /// The scopes by their schema names, for messages.
  static let scopeNames: [Gongjian_V1_TargetScope: String] = [
    .cityWide: "TARGET_SCOPE_CITY_WIDE", .cityDepartments: "TARGET_SCOPE_CITY_DEPARTMENTS", .eachPark: "TARGET_SCOPE_EACH_PARK",
    .eachPairing: "TARGET_SCOPE_EACH_PAIRING", .eachDepartment: "TARGET_SCOPE_EACH_DEPARTMENT", .countyParks: "TARGET_SCOPE_COUNTY_PARKS",
    .eachCounty: "TARGET_SCOPE_EACH_COUNTY", .flagship: "TARGET_SCOPE_FLAGSHIP", .cityCouncil: "TARGET_SCOPE_CITY_COUNCIL",
    .eachWeakVillage: "TARGET_SCOPE_EACH_WEAK_VILLAGE",
  ]

  static let rule = KindRule(
    .target, payload: Gongjian_V1_Target.self, writeRole: .admin,
    trim: { target in
      target.responsibleUnits = target.responsibleUnits.map(FieldChecks.trimmed)
    },
    validate: { target in
      var checks = FieldChecks()
      if target.metric == .unspecified || Gongjian_V1_TargetMetric.allCases.firstIndex(of: target.metric) == nil {
        checks.fail("metric", "a known TARGET_METRIC_* value")
      }
      if target.scope == .unspecified || Gongjian_V1_TargetScope.allCases.firstIndex(of: target.scope) == nil {
        checks.fail("scope", "a known TARGET_SCOPE_* value")
      } else if let scope = SeedTargets.scopes[target.metric], scope != target.scope {
        checks.fail("scope", "this metric is counted over \(scopeNames[scope] ?? "\(scope.rawValue)"), not \(scopeNames[target.scope] ?? "\(target.scope.rawValue)")")
      }
      checks.nonNegative(target.threshold, "threshold")
      checks.nonNegative(target.ceiling, "ceiling")
      if target.ceiling > 0 && target.ceiling < target.threshold {
        checks.fail("ceiling", "\(target.ceiling) is below threshold \(target.threshold); a range runs from threshold to ceiling")
      }
      for (index, unit) in target.responsibleUnits.enumerated() {
        checks.requireText(unit, "responsible_units[\(index)]", maxLength: 100)
      }
      if Set(target.responsibleUnits).count < target.responsibleUnits.count {
        checks.fail("responsible_units", "lists a unit twice")
      }
      checks.year(target.year, "year", allowZero: true)
      checks.limitText(target.description_p, "description", maxLength: 500)
      return checks.violations
    },
    uniqueKey: { "\($0.metric.rawValue)|\($0.scope.rawValue)|\($0.year)" }
  )
}
