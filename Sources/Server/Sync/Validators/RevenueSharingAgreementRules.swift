internal import GongjianProtocol

/// Validation of revenue-sharing agreements: the shares add up to exactly 100%.
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
      return checks.violations
    },
    references: { [.init(field: "park_id", kind: .park, id: $0.parkID)] }
  )
}
