internal import GongjianProtocol

/// Validation of yearly targets; only admins write them.
enum TargetRules {
  static let rule = KindRule(
    .target, payload: Gongjian_V1_Target.self, writeRole: .admin,
    validate: { target in
      var checks = FieldChecks()
      if target.metric == .unspecified || Gongjian_V1_TargetMetric.allCases.firstIndex(of: target.metric) == nil {
        checks.fail("metric", "a known TARGET_METRIC_* value")
      }
      if target.scope == .unspecified || Gongjian_V1_TargetScope.allCases.firstIndex(of: target.scope) == nil {
        checks.fail("scope", "a known TARGET_SCOPE_* value")
      }
      checks.nonNegative(target.threshold, "threshold")
      checks.year(target.year, "year", allowZero: true)
      checks.limitText(target.description_p, "description", maxLength: 500)
      return checks.violations
    },
    uniqueKey: { "\($0.metric.rawValue)|\($0.scope.rawValue)|\($0.year)" }
  )
}
