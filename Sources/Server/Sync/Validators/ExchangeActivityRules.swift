internal import GongjianProtocol

/// Validation of exchange activities.
enum ExchangeActivityRules {
  static let rule = KindRule(
    .exchangeActivity, payload: Gongjian_V1_ExchangeActivity.self,
    trim: { activity in
      activity.title = FieldChecks.trimmed(activity.title)
      activity.participatingOffices = activity.participatingOffices.map(FieldChecks.trimmed)
      activity.pairing = FieldChecks.trimmed(activity.pairing)
    },
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
      if !activity.pairing.isEmpty {
        if activity.type != .delegationVisit {
          checks.fail("pairing", "only for DELEGATION_VISIT (the pairings of Art. 六)")
        } else {
          checks.oneOf(activity.pairing, Jurisdictions.pairings.map(\.suqian), "pairing", what: "the Suqian side of a city or county pairing")
        }
      }
      return checks.violations
    },
    eventDates: { [("held_on", $0.heldOn)] },
    references: { [.init(field: "park_id", kind: .park, id: $0.parkID)] },
    check: { input in
      // The offices that took part count towards their departments' targets (Art. 六).
      guard let known = input.context.knownOffices else { return [] }
      return input.new.participatingOffices.enumerated().compactMap { index, office in
        known.contains(office) ? nil : .init(field: "participating_offices[\(index)]", description: "no office '\(office)' in the directory")
      }
    }
  )
}
