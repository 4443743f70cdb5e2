internal import GongjianProtocol

/// Validation of exchange activities.
enum ExchangeActivityRules {
  static let rule = KindRule(
    .exchangeActivity, payload: Gongjian_V1_ExchangeActivity.self,
    validate: { activity in
      var checks = FieldChecks()
      if activity.type == .unspecified || Gongjian_V1_ExchangeType.allCases.firstIndex(of: activity.type) == nil {
        checks.fail("type", "one of INSPECTION_TRIP, PROMOTION_EVENT, DELEGATION_VISIT, DEPARTMENT_EXCHANGE, TRAINING, CADRE_SECONDMENT")
      }
      checks.requireText(activity.title, "title")
      checks.requireDate(activity.heldOn, "held_on")
      if activity.hostSide != .suzhou && activity.hostSide != .suqian {
        checks.fail("host_side", "SIDE_SUZHOU or SIDE_SUQIAN")
      }
      if !(1...100_000).contains(activity.peopleCount) {
        checks.fail("people_count", "from 1 to 100000 (got \(activity.peopleCount))")
      }
      for (index, office) in activity.participatingOffices.enumerated() where !OfficeIdentity.isValidIdentifier(office) {
        checks.fail("participating_offices[\(index)]", "not an office id: '\(office)'")
      }
      checks.optionalUUID(activity.parkID, "park_id")
      return checks.violations
    },
    references: { [.init(field: "park_id", kind: .park, id: $0.parkID)] }
  )
}
