internal import GongjianProtocol

/// Validation of cadre exchanges (Art. 六, 十, 十七): a type, the pairing, both units, the post,
/// dates in order and a number of people; kept in the city tenant.
enum CadreExchangeRules {
  static let rule = KindRule(
    .cadreExchange, payload: Gongjian_V1_CadreExchange.self,
    trim: { exchange in
      exchange.pairing = FieldChecks.trimmed(exchange.pairing)
      exchange.sendingUnit = FieldChecks.trimmed(exchange.sendingUnit)
      exchange.receivingUnit = FieldChecks.trimmed(exchange.receivingUnit)
      exchange.post = FieldChecks.trimmed(exchange.post)
    },
    validate: { exchange in
      var checks = FieldChecks()
      if exchange.type == .unspecified || Gongjian_V1_CadreExchangeType.allCases.firstIndex(of: exchange.type) == nil {
        checks.fail("type", "one of SECONDMENT_TO_SUZHOU, SECONDMENT_TO_SUQIAN, TRAINING, PARK_EXCHANGE")
      }
      checks.requireText(exchange.pairing, "pairing")
      checks.oneOf(exchange.pairing, Jurisdictions.pairings.map(\.suqian), "pairing", what: "the Suqian side of a city or county pairing")
      checks.requireText(exchange.sendingUnit, "sending_unit")
      checks.requireText(exchange.receivingUnit, "receiving_unit")
      checks.requireText(exchange.post, "post")
      checks.requireDate(exchange.startsOn, "starts_on")
      checks.optionalDate(exchange.endsOn, "ends_on")
      if !exchange.endsOn.isEmpty, exchange.endsOn < exchange.startsOn {
        checks.fail("ends_on", "\(exchange.endsOn) is before starts_on \(exchange.startsOn)")
      }
      if !(1...1_000).contains(exchange.people) {
        checks.fail("people", "from 1 to 1000 (got \(exchange.people))")
      }
      return checks.violations
    },
    eventDates: { [("starts_on", $0.startsOn)] },
    check: { input in
      input.context.cityTenant ? [] : [.init(field: "pairing", description: "cadre exchanges are recorded in the city tenant")]
    }
  )
}
