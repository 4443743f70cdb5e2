internal import GongjianProtocol

/// Validation of yearly pairing agreements (Art. 四): one per pairing and year, signed within
/// that year or the one before; kept in the city tenant.
enum PairingAgreementRules {
  static let rule = KindRule(
    .pairingAgreement, payload: Gongjian_V1_PairingAgreement.self,
    trim: { agreement in
      agreement.pairing = FieldChecks.trimmed(agreement.pairing)
      agreement.title = FieldChecks.trimmed(agreement.title)
      agreement.summary = FieldChecks.trimmed(agreement.summary)
    },
    validate: { agreement in
      var checks = FieldChecks()
      checks.requireText(agreement.pairing, "pairing")
      checks.oneOf(agreement.pairing, Jurisdictions.pairings.map(\.suqian), "pairing", what: "the Suqian side of a city or county pairing")
      checks.year(agreement.year, "year")
      checks.requireText(agreement.title, "title")
      checks.limitText(agreement.summary, "summary", maxLength: 1_000)
      checks.requireDate(agreement.signedOn, "signed_on")
      if let signed = Int32(agreement.signedOn.prefix(4)), agreement.year != 0, !(agreement.year - 1...agreement.year).contains(signed) {
        checks.fail("signed_on", "\(agreement.signedOn) is not in \(agreement.year) or the year before")
      }
      return checks.violations
    },
    eventDates: { [("signed_on", $0.signedOn)] },
    uniqueKey: { "\($0.pairing)|\($0.year)" },
    check: { input in
      input.context.cityTenant ? [] : [.init(field: "pairing", description: "pairing agreements are recorded in the city tenant")]
    }
  )
}
