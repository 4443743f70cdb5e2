internal import GongjianProtocol

/// Validation of the register of economically weak villages (Art. 七): named, in one of Suqian's
/// counties and districts, once each; kept in the city tenant.
enum WeakVillageRules {
  static let rule = KindRule(
    .weakVillage, payload: Gongjian_V1_WeakVillage.self, writeRole: .admin,
    trim: { village in
      village.village = FieldChecks.trimmed(village.village)
      village.township = FieldChecks.trimmed(village.township)
      village.county = FieldChecks.trimmed(village.county)
    },
    validate: { village in
      var checks = FieldChecks()
      checks.requireText(village.village, "village", maxLength: 50)
      checks.requireText(village.township, "township", maxLength: 50)
      checks.requireText(village.county, "county")
      checks.oneOf(village.county, Jurisdictions.suqian, "county", what: "one of Suqian's counties, districts or functional zones")
      return checks.violations
    },
    uniqueKey: { "\($0.county)|\($0.township)|\($0.village)" },
    check: { input in
      input.context.cityTenant ? [] : [.init(field: "village", description: "the register of weak villages is kept in the city tenant")]
    }
  )
}
