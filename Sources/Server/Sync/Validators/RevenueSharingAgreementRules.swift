internal import GongjianProtocol

/// Validation of development cooperation agreements (revenue sharing): the shares add up to
/// exactly 100%, and the revenue shared each year goes to the agreement's parties.
enum RevenueSharingAgreementRules {
  static let rule = KindRule(
    .revenueSharingAgreement, payload: Gongjian_V1_RevenueSharingAgreement.self,
    validate: { agreement in
      var checks = FieldChecks()
      checks.requireText(agreement.title, "title")
      if agreement.shares.count < 2 {
        checks.fail("shares", "at least two parties share the revenue")
      }
      for (index, share) in agreement.shares.enumerated() {
        checks.requireText(share.party, "shares[\(index)].party")
        if !(1...10_000).contains(share.shareBp) {
          checks.fail("shares[\(index)].share_bp", "from 1 to 10000 basis points (got \(share.shareBp))")
        }
      }
      let total = agreement.shares.reduce(0) { $0 + Int($1.shareBp) }
      if !agreement.shares.isEmpty, total != 10_000 {
        checks.fail("shares", "shares add up to \(total) basis points; they must add up to 10000 (100%)")
      }
      checks.requireDate(agreement.effectiveFrom, "effective_from")
      checks.optionalUUID(agreement.parkID, "park_id")
      // The revenue actually shared: one entry per year and party, a party of the agreement.
      let parties = agreement.shares.map(\.party)
      var seen: Set<String> = []
      for (index, entry) in agreement.shared.enumerated() {
        checks.year(entry.year, "shared[\(index)].year")
        checks.oneOf(entry.party, parties, "shared[\(index)].party", what: "a party of the agreement")
        if entry.party.isEmpty { checks.fail("shared[\(index)].party", "required") }
        checks.nonNegative(entry.amountYuan, "shared[\(index)].amount_yuan")
        if !seen.insert("\(entry.year)|\(entry.party)").inserted {
          checks.fail("shared[\(index)]", "\(entry.party) has a second entry for \(entry.year); one per year and party")
        }
      }
      return checks.violations
    },
    references: { [.init(field: "park_id", kind: .park, id: $0.parkID)] }
  )
}
