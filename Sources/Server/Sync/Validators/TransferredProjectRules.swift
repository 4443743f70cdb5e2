internal import GongjianProtocol

/// Validation and the status machine of transferred projects:
/// LEAD → SIGNED → STARTED → IN_PRODUCTION, or CANCELLED from any but IN_PRODUCTION.
enum TransferredProjectRules {
  typealias Status = Gongjian_V1_ProjectStatus

  static let order: [Status] = [.lead, .signed, .started, .inProduction]

  /// The statuses a project may move to from `status` (besides staying).
  static func next(after status: Status) -> [Status] {
    switch status {
    case .lead: [.signed, .cancelled]
    case .signed: [.started, .cancelled]
    case .started: [.inProduction, .cancelled]
    default: []
    }
  }

  static func name(_ status: Status) -> String {
    switch status {
    case .lead: "LEAD"
    case .signed: "SIGNED"
    case .started: "STARTED"
    case .inProduction: "IN_PRODUCTION"
    case .cancelled: "CANCELLED"
    default: "UNSPECIFIED"
    }
  }

  static let rule = KindRule(
    .transferredProject, payload: Gongjian_V1_TransferredProject.self, deletable: false,
    trim: { project in
      project.name = FieldChecks.trimmed(project.name)
      project.sourceEnterprise = FieldChecks.trimmed(project.sourceEnterprise)
      project.sourceDistrict = FieldChecks.trimmed(project.sourceDistrict)
      project.industry = FieldChecks.trimmed(project.industry)
      project.signedOnChangeReason = FieldChecks.trimmed(project.signedOnChangeReason)
      project.hostCounty = FieldChecks.trimmed(project.hostCounty)
    },
    validate: { project in
      var checks = FieldChecks()
      checks.requireText(project.name, "name")
      checks.requireText(project.sourceEnterprise, "source_enterprise")
      checks.requireText(project.sourceDistrict, "source_district")
      // Art. 四: transferred "from Suzhou".
      checks.oneOf(project.sourceDistrict, Jurisdictions.suzhou, "source_district", what: "one of Suzhou's districts or county-level cities")
      checks.requireText(project.industry, "industry")
      checks.limitText(project.signedOnChangeReason, "signed_on_change_reason", maxLength: 500)
      if project.plannedInvestmentYuan <= 0 {
        checks.fail("planned_investment_yuan", "must be a positive number of yuan (got \(project.plannedInvestmentYuan))")
      }
      // Art. 四 counts projects anywhere in the city: in a co-built park, or in a county, district
      // or functional zone outside every park.
      switch (project.hostParkID.isEmpty, project.hostCounty.isEmpty) {
      case (true, true):
        checks.fail("host_park_id", "required: the host park, or host_county for a project outside every co-built park")
      case (false, false):
        checks.fail("host_county", "only for a project outside every co-built park; a project in a park takes the park's county (clear host_park_id or host_county)")
      case (false, true):
        checks.requireUUID(project.hostParkID, "host_park_id")
      case (true, false):
        checks.oneOf(project.hostCounty, Jurisdictions.suqian, "host_county", what: "one of Suqian's counties, districts or functional zones")
      }
      let dates: [(String, String, Status)] = [
        (project.leadOn, "lead_on", .lead), (project.signedOn, "signed_on", .signed),
        (project.startedOn, "started_on", .started), (project.inProductionOn, "in_production_on", .inProduction),
        (project.cancelledOn, "cancelled_on", .cancelled),
      ]
      for (value, field, _) in dates { checks.optionalDate(value, field) }
      switch project.status {
      case .unspecified, .UNRECOGNIZED:
        checks.fail("status", "one of LEAD, SIGNED, STARTED, IN_PRODUCTION, CANCELLED")
      case .cancelled:
        if project.cancelledOn.isEmpty { checks.fail("cancelled_on", "required when status is CANCELLED") }
      default:
        // Every status reached has its date.
        let reached = order.prefix(through: order.firstIndex(of: project.status)!)
        for (value, field, status) in dates where reached.contains(status) && value.isEmpty {
          checks.fail(field, "required when status is \(name(project.status))")
        }
        if !project.cancelledOn.isEmpty { checks.fail("cancelled_on", "only for CANCELLED projects") }
      }
      // Dates follow the order of the statuses.
      let ordered = dates.prefix(4).filter { !$0.0.isEmpty }
      for (earlier, later) in zip(ordered, ordered.dropFirst()) where earlier.0 > later.0 {
        checks.fail(later.1, "\(later.0) is before \(earlier.1) \(earlier.0)")
      }
      // A project is cancelled after whatever it reached.
      if !project.cancelledOn.isEmpty, let latest = ordered.max(by: { $0.0 < $1.0 }), project.cancelledOn < latest.0 {
        checks.fail("cancelled_on", "\(project.cancelledOn) is before \(latest.1) \(latest.0)")
      }
      return checks.violations
    },
    eventDates: { project in
      [("lead_on", project.leadOn), ("signed_on", project.signedOn), ("started_on", project.startedOn),
       ("in_production_on", project.inProductionOn), ("cancelled_on", project.cancelledOn)]
    },
    // The same project (enterprise and name) is one record, however many offices enter it.
    uniqueKey: { project in
      "source_enterprise+name=\(project.sourceEnterprise.lowercased().filter { !$0.isWhitespace })/\(project.name.lowercased().filter { !$0.isWhitespace })"
    },
    references: { [.init(field: "host_park_id", kind: .park, id: $0.hostParkID)] },
    transition: { current, new in
      // Moving a signing into another year changes that year's count (Art. 四): say why.
      if !current.signedOn.isEmpty, !new.signedOn.isEmpty, current.signedOn.prefix(4) != new.signedOn.prefix(4),
        new.signedOnChangeReason.isEmpty || new.signedOnChangeReason == current.signedOnChangeReason
      {
        return [.init(
          field: "signed_on_change_reason",
          description: "required to move signed_on from \(current.signedOn.prefix(4)) to \(new.signedOn.prefix(4)): the move changes both years' counts"
        )]
      }
      guard current.status != new.status else { return [] }
      let allowed = next(after: current.status)
      guard allowed.contains(new.status) else {
        let options = allowed.isEmpty ? "none: \(name(current.status)) is final" : allowed.map(name).joined(separator: ", ")
        return [.init(field: "status", description: "\(name(current.status)) → \(name(new.status)) is not allowed; allowed next: \(options)")]
      }
      return []
    },
    // A park's project belongs to the park's partnership; one outside every park to the city's.
    check: { input in
      if input.context.cityTenant, !input.new.hostParkID.isEmpty {
        return [.init(field: "host_park_id", description: "the city tenant records projects outside every co-built park: give host_county, or record the project in its park's tenant")]
      }
      if !input.context.cityTenant, !input.new.hostCounty.isEmpty {
        return [.init(field: "host_county", description: "a project outside every co-built park is recorded in the city tenant; in a park's tenant give host_park_id")]
      }
      return []
    }
  )
}
