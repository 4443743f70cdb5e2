internal import GongjianProtocol

/// Validation of councils; the secretariat keeps them.
enum CouncilRules {
  static let rule = KindRule(
    .council, payload: Gongjian_V1_Council.self, writeRole: .secretariat, deletable: false,
    trim: { council in council.name = FieldChecks.trimmed(council.name) },
    validate: { council in
      var checks = FieldChecks()
      checks.requireText(council.name, "name")
      if council.level != .city && council.level != .park {
        checks.fail("level", "COUNCIL_LEVEL_CITY or COUNCIL_LEVEL_PARK")
      }
      checks.limitText(council.description_p, "description", maxLength: 2000)
      return checks.violations
    }
  )
}
