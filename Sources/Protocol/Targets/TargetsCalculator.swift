
/// Computes the targets report, the flagship comparison and the evaluation from records.
/// Pure: the same data always gives the same answer.
public struct TargetsCalculator: Sendable {
  public let data: PartnershipData

  public init(data: PartnershipData) {
    self.data = data
  }

  /// One unit of a per-unit target (a park, a pairing, a department, a county) and its count.
  struct UnitCount: Sendable {
    var id: String
    var name: String
    var count: Int64
  }

  private typealias Status = Gongjian_V1_ProjectStatus

  /// Projects signed in `year` and not cancelled: "transferred" in the sense of Art. 四.
  func transferredProjects(in year: Int32) -> [PartnershipData.Item<Gongjian_V1_TransferredProject>] {
    self.data.projects.filter {
      [.signed, .started, .inProduction].contains($0.payload.status) && RecordFilter.year($0.payload.signedOn) == year
    }
  }

  func activities(_ type: Gongjian_V1_ExchangeType?, in year: Int32) -> [PartnershipData.Item<Gongjian_V1_ExchangeActivity>] {
    self.data.activities.filter { (type == nil || $0.payload.type == type) && RecordFilter.year($0.payload.heldOn) == year }
  }

  /// Meetings of the city-level council held in `year` (Art. 十一).
  func councilMeetings(in year: Int32) -> [PartnershipData.Item<Gongjian_V1_Meeting>] {
    let cityCouncils = Set(self.data.councils.filter { $0.payload.level == .city }.map(\.id))
    return self.data.meetings.filter {
      cityCouncils.contains($0.payload.councilID) && RecordFilter.year($0.payload.heldOn) == year
        && [.held, .minutesApproved].contains($0.payload.status)
    }
  }

  /// The county-level co-built parks: every park but the flagship.
  var countyParks: [PartnershipData.Item<Gongjian_V1_Park>] {
    self.data.parks.filter { !$0.payload.designations.contains(.flagship) }
  }

  func tenantName(_ id: String) -> String { self.data.tenantNames[id] ?? id }

  /// Assistance plans of `year` (Art. 七).
  func plans(in year: Int32) -> [PartnershipData.Item<Gongjian_V1_AssistancePlan>] {
    self.data.assistancePlans.filter { $0.payload.year == year }
  }

  /// A village as plans and the register name it: county and village.
  static func villageKey(_ county: String, _ village: String) -> String { "\(county)|\(village)" }

  /// The most a unit should reach: the target's own, else the seed's for its metric (0: none).
  static func ceiling(of target: Gongjian_V1_Target) -> Int64 {
    target.ceiling > 0 ? target.ceiling : SeedTargets.all.first { $0.metric == target.metric }?.ceiling ?? 0
  }

  /// The Suqian side of the pairing a delegation visit belongs to: the one it names; else the
  /// city's in the city tenant; else the county of its tenant's one county-level co-built park.
  func pairingUnit(of visit: PartnershipData.Item<Gongjian_V1_ExchangeActivity>) -> String? {
    if !visit.payload.pairing.isEmpty { return visit.payload.pairing }
    if visit.tenantID == self.data.cityTenantID { return Jurisdictions.suqianCity }
    let counties = Set(self.countyParks.filter { $0.tenantID == visit.tenantID }.map(\.payload.hostCounty))
    return counties.count == 1 ? counties.first : nil
  }
  func officeName(_ id: String) -> String { self.data.officeNames[id] ?? id }

  /// The targets that apply to `year`: recorded ones (a year-specific one wins), else the seed's.
  func targets(for year: Int32) -> [Gongjian_V1_Target] {
    let recorded = self.data.targets.filter { $0.year == year || $0.year == 0 }
    let base = recorded.isEmpty ? SeedTargets.all : recorded
    var byMetric: [Gongjian_V1_TargetMetric: Gongjian_V1_Target] = [:]
    for target in base where byMetric[target.metric] == nil || target.year == year {
      byMetric[target.metric] = target
    }
    return base.map(\.metric).reduce(into: [Gongjian_V1_TargetMetric]()) { if !$0.contains($1) { $0.append($1) } }
      .compactMap { byMetric[$0] }
  }

  // MARK: Report

  /// Each target of the year with its actual figure, the records that count and, for per-unit
  /// targets, every unit's figure.
  public func report(year: Int32) -> [Gongjian_V1_TargetResult] {
    self.targets(for: year).map { self.result($0, year: year) }
  }

  private func result(_ target: Gongjian_V1_Target, year: Int32) -> Gongjian_V1_TargetResult {
    var result = Gongjian_V1_TargetResult()
    result.target = target
    result.responsibleUnits = SeedTargets.responsibleUnits(of: target)
    let threshold = target.threshold
    let ceiling = Self.ceiling(of: target)
    func contribution(_ tenant: String, _ kind: RecordKind, _ id: String, _ label: String, _ value: Int64) -> Gongjian_V1_Contribution {
      .with {
        $0.tenantID = tenant
        $0.kind = kind.name
        $0.id = id
        $0.label = label
        $0.value = value
      }
    }
    /// Per-unit targets: actual is the number of units within the range (at or above the
    /// threshold, and at most the ceiling where there is one); every unit is listed.
    func perUnit(_ counted: [UnitCount], unitName: String, notes: [String] = []) {
      result.units = counted.map { unit in
        .with {
          $0.id = unit.id
          $0.name = unit.name
          $0.actual = unit.count
          $0.met = unit.count >= threshold && (ceiling == 0 || unit.count <= ceiling)
          $0.note = ceiling > 0 && unit.count > ceiling ? "more than \(ceiling)" : unit.count < threshold ? "short by \(threshold - unit.count)" : ""
        }
      }
      let short = result.units.filter { !$0.met }
      result.actual = Int64(counted.count - short.count)
      result.met = !counted.isEmpty && short.isEmpty
      result.shortfalls = short.map { "\($0.name): \($0.actual)" + ($0.actual > threshold ? " (\($0.note))" : "") }
      let range = ceiling > 0 ? "\(threshold)–\(ceiling)" : "\(threshold)"
      result.explanation = (["\(counted.count - short.count) of \(counted.count) \(unitName) reach \(range)"] + notes).joined(separator: "; ")
    }
    switch target.metric {
    case .transferredProjects, .transferredInvestmentYuan:
      let projects = self.transferredProjects(in: year)
      result.contributions = projects.map {
        contribution($0.tenantID, .transferredProject, $0.id, $0.payload.name, $0.payload.plannedInvestmentYuan)
      }
      let outside = projects.filter { $0.payload.hostParkID.isEmpty }.count
      if target.metric == .transferredProjects {
        result.actual = Int64(projects.count)
        result.explanation = "\(projects.count) projects signed in \(year) (not cancelled)"
          + (outside > 0 ? ", \(outside) of them outside the co-built parks" : "")
      } else {
        result.actual = projects.reduce(0) { $0 + $1.payload.plannedInvestmentYuan }
        result.explanation = "planned investment of the \(projects.count) projects signed in \(year), in yuan"
      }
      result.met = result.actual >= threshold
    case .inspectionTrips:
      let trips = self.activities(.inspectionTrip, in: year)
      result.contributions = trips.map { contribution($0.tenantID, .exchangeActivity, $0.id, $0.payload.title, 1) }
      result.actual = Int64(trips.count)
      result.met = result.actual >= threshold
      result.explanation = "\(trips.count) investment inspection trips in \(year)"
    case .promotionEventsPerPark:
      let events = self.activities(.promotionEvent, in: year).filter { $0.payload.hostSide == .suzhou }
      result.contributions = events.map { contribution($0.tenantID, .exchangeActivity, $0.id, $0.payload.title, 1) }
      perUnit(
        self.data.parks.map { park in
          UnitCount(id: park.id, name: park.payload.name, count: Int64(events.filter { $0.payload.parkID == park.id }.count))
        },
        unitName: "parks"
      )
    case .delegationVisitsPerPairing:
      // Every city or county pairing (Art. 六), the city-level one included, recorded or not.
      let visits = self.activities(.delegationVisit, in: year)
      result.contributions = visits.map { contribution($0.tenantID, .exchangeActivity, $0.id, $0.payload.title, 1) }
      let attributed = visits.map { (visit: $0, unit: self.pairingUnit(of: $0)) }
      let unattributed = attributed.filter { $0.unit == nil }.map(\.visit.payload.title)
      perUnit(
        Jurisdictions.pairings.map { pairing in
          UnitCount(
            id: pairing.suqian, name: "\(pairing.suqian)–\(pairing.suzhou)",
            count: Int64(attributed.filter { $0.unit == pairing.suqian }.count)
          )
        },
        unitName: "pairings",
        notes: unattributed.isEmpty ? [] : ["\(unattributed.count) visits name no pairing (set pairing): \(unattributed.joined(separator: ", "))"]
      )
    case .exchangesPerDepartment:
      let all = self.activities(nil, in: year)
      result.contributions = all.filter { !Set($0.payload.participatingOffices).isDisjoint(with: self.data.cityDepartments) }
        .map { contribution($0.tenantID, .exchangeActivity, $0.id, $0.payload.title, 1) }
      perUnit(
        self.data.cityDepartments.map { office in
          UnitCount(id: office, name: self.officeName(office), count: Int64(all.filter { $0.payload.participatingOffices.contains(office) }.count))
        },
        unitName: "key city departments"
      )
    case .provincialCharacteristicParks:
      let granted = self.countyParks.filter { $0.payload.designations.contains(.provincialCharacteristicGranted) }
      result.contributions = granted.map { contribution($0.tenantID, .park, $0.id, $0.payload.name, 1) }
      result.actual = Int64(granted.count)
      result.met = result.actual >= threshold
      result.explanation = "\(granted.count) county-level co-built parks hold the provincial characteristic park title"
    case .pilotTownshipParksPerCounty:
      // Art. 二: each county and district (县、区) cultivates 1–2 pilots among the township parks
      // taken into the city's 一区多园 management; functional zones are not counties.
      var counties: [String: Int64] = [:]
      var outOfScope = 0
      var inZones: [String] = []
      for park in self.data.parks {
        let counted = Self.countedPilots(park.payload)
        outOfScope += park.payload.pilotTownshipParks.count - counted.count
        guard !counted.isEmpty else { continue }
        if Jurisdictions.suqianCounties.contains(park.payload.hostCounty) {
          counties[park.payload.hostCounty, default: 0] += Int64(counted.count)
          result.contributions.append(contribution(park.tenantID, .park, park.id, park.payload.name, Int64(counted.count)))
        } else {
          inZones += counted.map { "\($0.name) (\(park.payload.hostCounty))" }
        }
      }
      var notes: [String] = []
      if outOfScope > 0 { notes.append("\(outOfScope) pilot township parks outside the 一区多园 scope are not counted") }
      if !inZones.isEmpty { notes.append("functional zones are not counties or districts: \(inZones.joined(separator: ", ")) not counted") }
      perUnit(
        Jurisdictions.suqianCounties.map { UnitCount(id: $0, name: $0, count: counties[$0] ?? 0) },
        unitName: "counties and districts", notes: notes
      )
    case .flagshipLeadsIndicators:
      let comparison = self.flagship(period: self.comparisonPeriod(in: year))
      let led = comparison.leads.filter(\.flagshipLeads)
      result.actual = Int64(led.count)
      result.met = !comparison.leads.isEmpty && result.actual >= threshold
      result.shortfalls = comparison.leads.filter { !$0.flagshipLeads }.map { "\($0.indicator): led by \($0.leaderParkName)" }
      result.explanation =
        self.data.flagshipPark == nil ? "no park is designated as the flagship"
        : comparison.parks.isEmpty ? "no indicator reports for \(year)"
        : "the flagship leads \(led.count) of 4 indicators in \(Self.label(comparison.period))"
    case .councilMeetings:
      // The council's meetings are records of the city tenant: every partner may know how many
      // were held (the target is the partnership's), only readers of the city tenant which ones.
      let held = self.councilMeetings(in: year)
      let named = self.data.tenantIDs.contains(self.data.cityTenantID)
      result.contributions = named ? held.map { contribution($0.tenantID, .meeting, $0.id, $0.payload.title, 1) } : []
      result.actual = Int64(held.count)
      result.met = result.actual >= threshold
      result.explanation = "\(held.count) meetings of the two cities' joint coordination council held in \(year)"
        + (named ? "" : " (records of the city tenant: counted, not named)")
    case .weakVillagesWithPlan:
      // Art. 七: every village of the register (the city tenant's) has a plan for the year; plans
      // name their village by county and name.
      let plans = self.plans(in: year)
      result.contributions = plans.map { contribution($0.tenantID, .assistancePlan, $0.id, "\($0.payload.county)\($0.payload.village)", 1) }
      var notes: [String] = []
      if !self.data.tenantIDs.contains(self.data.cityTenantID) {
        notes.append("the register of weak villages is the city tenant's: counted for its readers")
      } else if self.data.weakVillages.isEmpty {
        notes.append("no weak village is registered (weak_village records of the city tenant)")
      }
      let registered = Set(self.data.weakVillages.map { Self.villageKey($0.payload.county, $0.payload.village) })
      let unregistered = plans.filter { !registered.contains(Self.villageKey($0.payload.county, $0.payload.village)) }
      if !unregistered.isEmpty {
        notes.append("plans for villages not in the register: \(unregistered.map { "\($0.payload.county)\($0.payload.village)" }.joined(separator: ", "))")
      }
      perUnit(
        self.data.weakVillages.map { village in
          let key = Self.villageKey(village.payload.county, village.payload.village)
          return UnitCount(
            id: village.id, name: "\(village.payload.county)\(village.payload.township)\(village.payload.village)",
            count: Int64(plans.filter { Self.villageKey($0.payload.county, $0.payload.village) == key }.count)
          )
        },
        unitName: "weak villages", notes: notes
      )
    default:
      result.explanation = "unknown metric"
    }
    return result
  }

  // MARK: Flagship

  /// The one period of `year` that parks are compared in, for the table and the verdict alike:
  /// the whole year when every reporting park has an annual report, else the latest quarter
  /// that every reporting park has reported; failing both, the period most parks reported
  /// (the later one on a tie). A single park's annual report does not switch the year.
  public func comparisonPeriod(in year: Int32) -> Gongjian_V1_Period {
    let reports = self.data.reports.filter { $0.payload.period.year == year }
    let reporting = Set(reports.map(\.payload.parkID)).count
    var best: (quarter: Int32, parks: Int)?
    for quarter: Int32 in [0, 4, 3, 2, 1] {
      let parks = Set(reports.filter { $0.payload.period.quarter == quarter }.map(\.payload.parkID)).count
      if parks > 0 && parks == reporting { best = (quarter, parks); break }
      if parks > (best?.parks ?? 0) { best = (quarter, parks) }
    }
    return .with {
      $0.year = year
      $0.quarter = best?.quarter ?? 4
    }
  }

  /// The period before `period`: the previous quarter, or the previous year.
  static func previous(_ period: Gongjian_V1_Period) -> Gongjian_V1_Period {
    switch period.quarter {
    case 0: .with { $0.year = period.year - 1 }
    case 1: .with { $0.year = period.year - 1; $0.quarter = 4 }
    default: .with { $0.year = period.year; $0.quarter = period.quarter - 1 }
    }
  }

  /// The same period a year earlier.
  static func yearEarlier(_ period: Gongjian_V1_Period) -> Gongjian_V1_Period {
    .with {
      $0.year = period.year - 1
      $0.quarter = period.quarter
    }
  }

  static func label(_ period: Gongjian_V1_Period) -> String {
    period.quarter == 0 ? "\(period.year)" : "\(period.year) Q\(period.quarter)"
  }

  static let indicatorNames = [
    "investment_intensity_fen_per_mu", "foreign_investment_share_bp", "high_tech_output_share_bp", "rnd_intensity_bp",
  ]

  static func values(_ d: Gongjian_V1_DerivedIndicators) -> [Int64] {
    [d.investmentIntensityFenPerMu, d.foreignInvestmentShareBp, d.highTechOutputShareBp, d.rndIntensityBp]
  }

  /// Each park's indicators for a period, ranked (1 = best, ties share a rank), and whether the
  /// 苏宿工业园区 leads each indicator. Art. 二 asks for the best in the whole city: the parks that
  /// are not co-built (reference-park reports, where the caller reads them) are ranked too,
  /// marked `reference`; the evaluation of the co-built parks leaves them out.
  ///
  /// - Parameters:
  ///   - period: The period compared.
  ///   - includingReference: Whether parks that are not co-built take part.
  public func flagship(period: Gongjian_V1_Period, includingReference: Bool = true) -> Gongjian_V1_FlagshipComparison {
    var comparison = Gongjian_V1_FlagshipComparison()
    comparison.period = period
    let flagshipPark = self.data.flagshipPark
    comparison.flagshipTenantID = flagshipPark?.tenantID ?? ""
    let parksByID = Dictionary(self.data.parks.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    func inPeriod(_ other: Gongjian_V1_Period) -> Bool { other.year == period.year && other.quarter == period.quarter }
    var rows: [Gongjian_V1_ParkIndicators] = self.data.reports
      .filter { inPeriod($0.payload.period) }
      .compactMap { report in
        guard let park = parksByID[report.payload.parkID] else { return nil }
        return .with {
          $0.tenantID = report.tenantID
          $0.parkID = park.id
          $0.parkName = park.payload.name
          $0.indicators = report.payload.derived
        }
      }
    if includingReference {
      rows += self.data.referenceReports.filter { inPeriod($0.payload.period) }.map { report in
        .with {
          $0.tenantID = report.tenantID
          $0.parkID = report.id
          $0.parkName = report.payload.parkName
          $0.indicators = report.payload.derived
          $0.reference = true
        }
      }
    }
    for index in 0..<4 {
      let values = rows.map { Self.values($0.indicators)[index] }
      for row in rows.indices {
        let rank = 1 + values.filter { $0 > values[row] }.count
        rows[row].ranks.append(Int32(rank))
      }
    }
    rows.sort { ($0.ranks.reduce(0, +), $0.parkName) < ($1.ranks.reduce(0, +), $1.parkName) }
    comparison.parks = rows
    guard let flagship = rows.first(where: { $0.parkID == flagshipPark?.id }) else { return comparison }
    comparison.leads = (0..<4).map { index in
      let best = rows.max { Self.values($0.indicators)[index] < Self.values($1.indicators)[index] }!
      return .with {
        $0.indicator = Self.indicatorNames[index]
        $0.flagshipLeads = flagship.ranks[index] == 1
        $0.leaderParkName = best.parkName
        $0.flagshipValue = Self.values(flagship.indicators)[index]
        $0.bestValue = Self.values(best.indicators)[index]
      }
    }
    return comparison
  }

  // MARK: Evaluation

  /// A scorecard per park for the annual evaluation (Art. 十三), best first, with reasons. Each
  /// criterion names the article it comes from; its points are the recorded weights of the year
  /// (``EvaluationWeights``), the seed leaving them open.
  public func evaluation(year: Int32) -> [Gongjian_V1_ParkScorecard] {
    // The co-built parks are evaluated among themselves (Art. 十三 evaluates 各共建园区).
    let comparison = self.flagship(period: self.comparisonPeriod(in: year), includingReference: false)
    let ranked = comparison.parks.count
    let events = self.activities(.promotionEvent, in: year).filter { $0.payload.hostSide == .suzhou }
    let projects = self.transferredProjects(in: year)
    let periodLabel = Self.label(comparison.period)
    let weights = EvaluationWeights.effective(self.data.criteria, year: year)
    func weight(_ kind: Gongjian_V1_EvaluationCriterionKind) -> Gongjian_V1_EvaluationCriterion {
      weights[kind] ?? EvaluationWeights.defaults.first { $0.kind == kind }!
    }
    let ranks = weight(.indicatorRanks)
    let promotion = weight(.promotionEvent)
    let signings = weight(.transferredProjects)
    let designation = weight(.provincialDesignation)
    var cards: [Gongjian_V1_ParkScorecard] = self.data.parks.map { park in
      var items: [Gongjian_V1_ScoreItem] = []
      func item(_ criterion: String, _ source: String, _ points: Int, _ max: Int32, _ reason: String) {
        items.append(.with {
          $0.criterion = criterion
          $0.source = source
          $0.points = Int32(points)
          $0.maxPoints = max
          $0.reason = reason
        })
      }
      let top = Int(ranks.maxPoints)
      if let row = comparison.parks.first(where: { $0.parkID == park.id }) {
        for index in 0..<4 {
          let rank = Int(row.ranks[index])
          // Full points for first place, down in equal steps to 1/N of them for the last of N.
          let points = (top * (ranked - rank + 1) + ranked / 2) / ranked
          item(Self.indicatorNames[index], ranks.source, points, ranks.maxPoints, "rank \(rank) of \(ranked) in \(periodLabel) (\(FixedPoint.indicator(Self.indicatorNames[index], Self.values(row.indicators)[index])))")
        }
      } else {
        for name in Self.indicatorNames { item(name, ranks.source, 0, ranks.maxPoints, "no indicator report for \(periodLabel)") }
      }
      let held = events.filter { $0.payload.parkID == park.id }.count
      item(
        "promotion_event_in_suzhou", promotion.source, held > 0 ? Int(promotion.maxPoints) : 0, promotion.maxPoints,
        held > 0 ? "\(held) promotion events in Suzhou in \(year)" : "no promotion event in Suzhou in \(year)"
      )
      let hosted = projects.filter { $0.payload.hostParkID == park.id }
      let investment = hosted.reduce(Int64(0)) { $0 + $1.payload.plannedInvestmentYuan }
      item(
        "transferred_projects", signings.source, min(Int(signings.maxPoints), hosted.count * Int(signings.partialPoints)), signings.maxPoints,
        "\(hosted.count) projects signed in \(year), \(FixedPoint.yuanShort(investment)) planned (\(signings.partialPoints) points each, at most \(signings.maxPoints))"
      )
      // Art. 八: a characteristic park, then a provincial development or high-tech zone on top of
      // it; a park that already is such a zone has passed the characteristic-park step.
      let designations = park.payload.designations
      let full = Int(designation.maxPoints)
      if designations.contains(.provincialDevelopmentZone) || designations.contains(.provincialHighTechZone) {
        item("provincial_designation", designation.source, full, designation.maxPoints, designations.contains(.provincialDevelopmentZone) ? "provincial development zone" : "provincial high-tech zone")
      } else if designations.contains(.provincialCharacteristicGranted) {
        item("provincial_designation", designation.source, full, designation.maxPoints, "provincial characteristic park, granted")
      } else if designations.contains(.provincialCharacteristicApplied) {
        item("provincial_designation", designation.source, Int(designation.partialPoints), designation.maxPoints, "provincial characteristic park, applied, not yet granted")
      } else {
        item("provincial_designation", designation.source, 0, designation.maxPoints, "no provincial designation applied for")
      }
      return .with {
        $0.tenantID = park.tenantID
        $0.parkID = park.id
        $0.parkName = park.payload.name
        $0.items = items
        $0.score = items.reduce(0) { $0 + $1.points }
      }
    }
    cards.sort { ($0.score, $1.parkName) > ($1.score, $0.parkName) }
    return cards
  }
}
