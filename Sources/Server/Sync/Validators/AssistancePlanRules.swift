internal import GongjianProtocol

/// Validation of assistance plans for economically weak villages.
enum AssistancePlanRules {
  static let rule = KindRule(
    .assistancePlan, payload: Gongjian_V1_AssistancePlan.self,
    validate: { plan in
      var checks = FieldChecks()
      checks.requireText(plan.village, "village")
      checks.requireText(plan.county, "county")
      checks.limitText(plan.township, "township")
      checks.requireText(plan.suzhouHelper, "suzhou_helper")
      checks.requireText(plan.plan, "plan", maxLength: 4000)
      checks.year(plan.year, "year")
      for (index, project) in plan.projects.enumerated() {
        checks.requireText(project.name, "projects[\(index)].name")
        checks.nonNegative(project.fundingYuan, "projects[\(index)].funding_yuan")
      }
      return checks.violations
    },
    uniqueKey: { "\($0.county)|\($0.township)|\($0.village)|\($0.year)" }
  )
}
