internal import GongjianProtocol

/// The weights of the annual evaluation (Art. 十三); only admins of the tenant (the city's) set them.
enum EvaluationCriterionRules {
  static let rule = KindRule(
    .evaluationCriterion, payload: Gongjian_V1_EvaluationCriterion.self, writeRole: .admin,
    trim: { criterion in criterion.source = FieldChecks.trimmed(criterion.source) },
    validate: { criterion in
      var checks = FieldChecks()
      if criterion.kind == .unspecified || Gongjian_V1_EvaluationCriterionKind.allCases.firstIndex(of: criterion.kind) == nil {
        checks.fail("kind", "one of INDICATOR_RANKS, PROMOTION_EVENT, TRANSFERRED_PROJECTS, PROVINCIAL_DESIGNATION")
      }
      if !(0...100).contains(criterion.maxPoints) {
        checks.fail("max_points", "from 0 to 100 (got \(criterion.maxPoints))")
      }
      if criterion.partialPoints < 0 || criterion.partialPoints > criterion.maxPoints {
        checks.fail("partial_points", "from 0 to max_points \(criterion.maxPoints) (got \(criterion.partialPoints))")
      }
      checks.year(criterion.year, "year", allowZero: true)
      checks.requireText(criterion.source, "source", maxLength: 40)
      return checks.violations
    },
    uniqueKey: { "kind+year=\($0.kind.rawValue)/\($0.year)" }
  )
}
