import Foundation
import GongjianProtocol
import GongjianServer
import GRPCCore
import Testing

@Suite("Targets, flagship comparison and evaluation")
struct TargetsTests {
  /// A small partnership whose figures are worked out by hand in the tests below.
  static var fixture: PartnershipData {
    var data = PartnershipData(tenantIDs: ["sip-suqian", "changshu-sihong", "city"])
    func park(_ tenant: String, _ id: String, _ county: String, _ designations: [Gongjian_V1_ParkDesignation], pilots: Int) {
      data.parks.append(.init(tenantID: tenant, id: id, payload: .with {
        $0.name = id
        $0.hostCounty = county
        $0.designations = designations
        $0.pilotTownshipParks = (0..<pilots).map { n in .with { $0.name = "pilot \(n)"; $0.township = "t"; $0.inMultiParkScope = true } }
      }))
    }
    park("sip-suqian", "F", "宿城区", [.flagship], pilots: 0)
    park("changshu-sihong", "A", "泗洪县", [.provincialCharacteristicGranted], pilots: 1)
    park("changshu-sihong", "B", "泗洪县", [.provincialCharacteristicApplied], pilots: 0)
    func report(_ tenant: String, _ park: String, _ values: [Int64]) {
      data.reports.append(.init(tenantID: tenant, id: "r-\(park)", payload: .with {
        $0.parkID = park
        $0.period = .with { $0.year = 2026; $0.quarter = 4 }
        $0.derived = .with {
          $0.investmentIntensityFenPerMu = values[0]
          $0.foreignInvestmentShareBp = values[1]
          $0.highTechOutputShareBp = values[2]
          $0.rndIntensityBp = values[3]
        }
      }))
    }
    report("sip-suqian", "F", [500, 2000, 5000, 300])
    report("changshu-sihong", "A", [400, 2500, 4000, 300])
    report("changshu-sihong", "B", [300, 1000, 6000, 100])
    func project(_ tenant: String, _ id: String, _ park: String, _ status: Gongjian_V1_ProjectStatus, signed: String, _ yuan: Int64) {
      data.projects.append(.init(tenantID: tenant, id: id, payload: .with {
        $0.name = id
        $0.hostParkID = park
        $0.status = status
        $0.signedOn = signed
        $0.plannedInvestmentYuan = yuan
      }))
    }
    project("sip-suqian", "p1", "F", .started, signed: "2026-03-01", 100_000_000)
    project("changshu-sihong", "p2", "A", .signed, signed: "2026-05-01", 200_000_000)
    project("changshu-sihong", "p3", "A", .signed, signed: "2025-12-01", 300_000_000)
    project("changshu-sihong", "p4", "B", .lead, signed: "", 50_000_000)
    project("changshu-sihong", "p5", "B", .cancelled, signed: "2026-02-01", 400_000_000)
    // Outside every co-built park, in the city tenant (Art. 四 counts projects anywhere in the city).
    data.projects.append(.init(tenantID: "city", id: "p6", payload: .with {
      $0.name = "p6"
      $0.hostCounty = "沭阳县"
      $0.status = .signed
      $0.signedOn = "2026-07-01"
      $0.plannedInvestmentYuan = 600_000_000
    }))
    var n = 0
    func activity(
      _ tenant: String, _ type: Gongjian_V1_ExchangeType, _ side: Gongjian_V1_Side, park: String = "", offices: [String] = [],
      pairing: String = ""
    ) {
      n += 1
      data.activities.append(.init(tenantID: tenant, id: "a\(n)", payload: .with {
        $0.type = type
        $0.title = "a\(n)"
        $0.heldOn = "2026-06-0\(n % 9 + 1)"
        $0.hostSide = side
        $0.parkID = park
        $0.participatingOffices = offices
        $0.pairing = pairing
      }))
    }
    activity("sip-suqian", .promotionEvent, .suzhou, park: "F")
    activity("changshu-sihong", .promotionEvent, .suqian, park: "A")  // held in Suqian: does not count
    activity("city", .inspectionTrip, .suqian)
    activity("sip-suqian", .delegationVisit, .suzhou, pairing: "宿迁市")
    activity("sip-suqian", .delegationVisit, .suqian, pairing: "宿迁市")
    activity("changshu-sihong", .delegationVisit, .suzhou)  // the tenant's county-level parks lie in 泗洪县
    for _ in 0..<4 { activity("city", .departmentExchange, .suzhou, offices: ["suqian.commerce"]) }
    activity("city", .training, .suqian, offices: ["suqian.finance"])
    data.cityDepartments = ["suqian.commerce", "suqian.finance"]
    return data
  }

  @Test("Each seed target against figures worked out by hand")
  func report() throws {
    let results = TargetsCalculator(data: Self.fixture).report(year: 2026)
    let byMetric = Dictionary(uniqueKeysWithValues: results.map { ($0.target.metric, $0) })
    func check(_ metric: Gongjian_V1_TargetMetric, actual: Int64, met: Bool, shortfalls: [String] = []) {
      let result = byMetric[metric]
      #expect(result?.actual == actual, "\(metric)")
      #expect(result?.met == met, "\(metric)")
      #expect(result?.shortfalls == shortfalls, "\(metric)")
    }
    #expect(results.count == 11)
    check(.transferredProjects, actual: 3, met: false)
    #expect(byMetric[.transferredProjects]?.contributions.map(\.id) == ["p1", "p2", "p6"])
    #expect(byMetric[.transferredProjects]?.explanation == "3 projects signed in 2026 (not cancelled), 1 of them outside the co-built parks")
    check(.transferredInvestmentYuan, actual: 900_000_000, met: false)
    check(.inspectionTrips, actual: 1, met: false)
    check(.promotionEventsPerPark, actual: 1, met: false, shortfalls: ["A: 0", "B: 0"])
    // Every city and county pairing (Art. 六), recorded or not; the city-level one met.
    check(
      .delegationVisitsPerPairing, actual: 1, met: false,
      shortfalls: ["沭阳县–昆山市: 0", "泗阳县–吴江区: 0", "泗洪县–常熟市: 1", "宿城区–太仓市: 0", "宿豫区–张家港市: 0"]
    )
    #expect(byMetric[.delegationVisitsPerPairing]?.units.map(\.actual) == [2, 0, 0, 1, 0, 0])
    check(.exchangesPerDepartment, actual: 1, met: false, shortfalls: ["suqian.finance: 1"])
    check(.provincialCharacteristicParks, actual: 1, met: false)
    // Every county and district of Suqian, with 0 where nothing is recorded.
    check(.pilotTownshipParksPerCounty, actual: 1, met: false, shortfalls: ["沭阳县: 0", "泗阳县: 0", "宿城区: 0", "宿豫区: 0"])
    check(
      .flagshipLeadsIndicators, actual: 2, met: false,
      shortfalls: ["foreign_investment_share_bp: led by A", "high_tech_output_share_bp: led by B"]
    )
  }

  @Test("Recorded targets replace the seed's; a year-specific one wins over an every-year one")
  func recordedTargets() {
    var data = Self.fixture
    data.targets = SeedTargets.all + [.with { $0.metric = .inspectionTrips; $0.scope = .cityDepartments; $0.threshold = 1; $0.year = 2026 }]
    let trips = TargetsCalculator(data: data).report(year: 2026).first { $0.target.metric == .inspectionTrips }
    #expect(trips?.target.threshold == 1)
    #expect(trips?.met == true)
  }

  @Test("Flagship comparison: ranks with ties, leads, order by total rank")
  func flagship() {
    let comparison = TargetsCalculator(data: Self.fixture).flagship(period: .with { $0.year = 2026; $0.quarter = 4 })
    #expect(comparison.parks.map(\.parkName) == ["F", "A", "B"])
    #expect(comparison.parks.map(\.ranks) == [[1, 2, 2, 1], [2, 1, 3, 1], [3, 3, 1, 3]])
    #expect(comparison.leads.map(\.flagshipLeads) == [true, false, false, true])
    #expect(comparison.leads[1].leaderParkName == "A")
    #expect(comparison.leads[1].bestValue == 2500)
  }

  @Test("Evaluation scorecards with their reasons")
  func evaluation() {
    let cards = TargetsCalculator(data: Self.fixture).evaluation(year: 2026)
    #expect(cards.map(\.parkName) == ["F", "A", "B"])
    #expect(cards.map(\.score) == [59, 50, 24])
    let f = cards[0].items
    #expect(f.map(\.points) == [10, 7, 7, 10, 20, 5, 0])
    #expect(f[1].reason == "rank 2 of 3 in 2026 Q4 (20.00%)")
    #expect(cards[1].items[4].reason == "no promotion event in Suzhou in 2026")
    #expect(cards[2].items.last?.reason == "provincial characteristic park, applied, not yet granted")
    // Every criterion cites its article of the seed.
    #expect(cards.allSatisfy { $0.items.allSatisfy { !$0.source.isEmpty } })
    #expect(cards[0].items.map(\.source) == ["Art. 二", "Art. 二", "Art. 二", "Art. 二", "Art. 四", "Art. 四", "Art. 八"])
  }

  @Test("Art. 二: the flagship is the park designated as such; another park of its tenant does not stand in")
  func flagshipByDesignation() {
    var data = Self.fixture
    // A second park in the flagship's tenant, better on every indicator.
    data.parks.append(.init(tenantID: "sip-suqian", id: "G", payload: .with { $0.name = "G"; $0.hostCounty = "宿城区" }))
    data.reports.append(.init(tenantID: "sip-suqian", id: "r-G", payload: .with {
      $0.parkID = "G"
      $0.period = .with { $0.year = 2026; $0.quarter = 4 }
      $0.derived = .with {
        $0.investmentIntensityFenPerMu = 900
        $0.foreignInvestmentShareBp = 9000
        $0.highTechOutputShareBp = 9000
        $0.rndIntensityBp = 900
      }
    }))
    let comparison = TargetsCalculator(data: data).flagship(period: .with { $0.year = 2026; $0.quarter = 4 })
    // G leads everything, so the flagship F leads nothing; G is not taken for the flagship.
    #expect(comparison.leads.map(\.flagshipLeads) == [false, false, false, false])
    #expect(comparison.leads.map(\.flagshipValue) == [500, 2000, 5000, 300])
    #expect(comparison.leads.allSatisfy { $0.leaderParkName == "G" })
    // G is a county-level park for the characteristic-park and pilot targets; F is not.
    var undesignated = Self.fixture
    undesignated.parks[0].payload.designations = []
    let result = TargetsCalculator(data: undesignated).report(year: 2026).first { $0.target.metric == .flagshipLeadsIndicators }
    #expect(result?.met == false)
    #expect(result?.explanation == "no park is designated as the flagship")
  }

  @Test("Art. 二: one period for table and verdict; a single park's annual report does not switch the year")
  func consistentPeriod() {
    var data = Self.fixture
    data.reports.append(.init(tenantID: "changshu-sihong", id: "r-A-2026", payload: .with {
      $0.parkID = "A"
      $0.period = .with { $0.year = 2026 }
      $0.derived = .with { $0.investmentIntensityFenPerMu = 999_999; $0.foreignInvestmentShareBp = 9999; $0.highTechOutputShareBp = 9999; $0.rndIntensityBp = 999 }
    }))
    let calculator = TargetsCalculator(data: data)
    #expect(calculator.comparisonPeriod(in: 2026).quarter == 4)
    // The verdict is the one of Q4, where everyone reported, and nobody's points drop to zero.
    let flagship = calculator.report(year: 2026).first { $0.target.metric == .flagshipLeadsIndicators }
    #expect(flagship?.actual == 2)
    #expect(flagship?.explanation == "the flagship leads 2 of 4 indicators in 2026 Q4")
    #expect(calculator.evaluation(year: 2026).allSatisfy { card in card.items.prefix(4).allSatisfy { $0.points > 0 } })
    // When every park reports the whole year, the year is compared.
    for (index, park) in ["F", "B"].enumerated() {
      data.reports.append(.init(tenantID: index == 0 ? "sip-suqian" : "changshu-sihong", id: "r-\(park)-2026", payload: .with {
        $0.parkID = park
        $0.period = .with { $0.year = 2026 }
      }))
    }
    #expect(TargetsCalculator(data: data).comparisonPeriod(in: 2026).quarter == 0)
  }

  @Test("Art. 十一: the two cities' council meets at least once a year, counted from meeting records")
  func councilMeetings() {
    var data = Self.fixture
    let target = { (data: PartnershipData) in TargetsCalculator(data: data).report(year: 2026).first { $0.target.metric == .councilMeetings }! }
    #expect(target(data).met == false)
    #expect(target(data).target.source == "Art. 十一")
    data.councils = [
      .init(tenantID: "city", id: "c", payload: .with { $0.name = "苏宿两市联合协调理事会"; $0.level = .city }),
      .init(tenantID: "city", id: "p", payload: .with { $0.name = "园区理事会"; $0.level = .park }),
    ]
    data.meetings = [
      .init(tenantID: "city", id: "planned", payload: .with { $0.councilID = "c"; $0.heldOn = "2026-12-16"; $0.status = .agendaPublished }),
      .init(tenantID: "city", id: "park", payload: .with { $0.councilID = "p"; $0.heldOn = "2026-05-01"; $0.status = .held }),
    ]
    // A planned meeting and a park council's meeting do not count.
    #expect(target(data).actual == 0)
    data.meetings.append(.init(tenantID: "city", id: "held", payload: .with { $0.councilID = "c"; $0.heldOn = "2026-06-01"; $0.status = .minutesApproved }))
    #expect(target(data).actual == 1)
    #expect(target(data).met)
    #expect(target(data).contributions.map(\.id) == ["held"])
  }

  @Test("Art. 六: key city departments are the members flagged so; every pairing counts, named")
  func keyDepartmentsAndPairings() async throws {
    try await Harness.with(dataset: true) { h in
      let report = try await h.targets.report(.with { $0.year = 2026 }, metadata: office("suqian.stats"))
      let departments = try #require(report.results.first { $0.target.metric == .exchangesPerDepartment })
      // drc, commerce and finance are flagged; the liaison office and statistics bureau are not.
      #expect(departments.explanation == "2 of 3 key city departments reach 4")
      #expect(departments.shortfalls == ["宿迁市财政局 Suqian Finance Bureau: 2"])
      let visits = try #require(report.results.first { $0.target.metric == .delegationVisitsPerPairing })
      // The city-level pairing has its own visit and the 苏宿工业园区's two; 泗洪县 two; 泗阳县 one;
      // 沭阳县, 宿城区 and 宿豫区 none recorded.
      #expect(visits.explanation == "2 of 6 pairings reach 2")
      #expect(visits.units.map(\.name) == ["宿迁市–苏州市", "沭阳县–昆山市", "泗阳县–吴江区", "泗洪县–常熟市", "宿城区–太仓市", "宿豫区–张家港市"])
      #expect(visits.units.map(\.actual) == [3, 0, 1, 2, 0, 0])
    }
  }

  @Test("Art. 十三: the evaluation's weights are records that the city's admins edit, per year")
  func evaluationWeights() async throws {
    var data = Self.fixture
    data.criteria = [
      .with { $0.kind = .promotionEvent; $0.maxPoints = 30; $0.year = 0; $0.source = "Art. 四" },
      .with { $0.kind = .transferredProjects; $0.maxPoints = 10; $0.partialPoints = 2; $0.year = 2026; $0.source = "Art. 四" },
      .with { $0.kind = .transferredProjects; $0.maxPoints = 40; $0.partialPoints = 40; $0.year = 2025; $0.source = "Art. 四" },
    ]
    let f = TargetsCalculator(data: data).evaluation(year: 2026).first { $0.parkName == "F" }!.items
    // F held a promotion event (30 instead of 20) and hosts one project signed in 2026 (2 instead of 5).
    #expect(f[4].points == 30 && f[4].maxPoints == 30)
    #expect(f[5].points == 2 && f[5].maxPoints == 10)
    #expect(f[5].reason.hasSuffix("(2 points each, at most 10)"))
    #expect(f[6].maxPoints == 15, "the default where nothing is recorded")

    try await Harness.with(dataset: true) { h in
      let criteria = try await h.store.liveRecords(tenantID: "city", kind: "evaluation_criterion")
      #expect(criteria.count == 4)
      let record = try #require(criteria.first { (try? Gongjian_V1_EvaluationCriterion(serializedBytes: $0.payload))?.kind == .promotionEvent })
      var heavier = try Gongjian_V1_EvaluationCriterion(serializedBytes: record.payload)
      heavier.maxPoints = 30
      let notAdmin = await #expect(throws: RPCError.self) {
        try await h.update("city", as: "suqian.commerce", id: record.id, base: record.version, payload { $0.evaluationCriterion = heavier })
      }
      #expect(notAdmin?.code == .permissionDenied)
      var bad = heavier
      bad.partialPoints = 50
      let invalid = await #expect(throws: RPCError.self) {
        try await h.update("city", as: "suqian.drc", id: record.id, base: record.version, payload { $0.evaluationCriterion = bad })
      }
      #expect(invalid?.message.contains("payload.partial_points: from 0 to max_points 30 (got 50)") == true)
      _ = try await h.update("city", as: "suqian.drc", id: record.id, base: record.version, payload { $0.evaluationCriterion = heavier })
      let report = try await h.targets.evaluation(.with { $0.year = 2026 }, metadata: office("suqian.stats"))
      let promotion = try #require(report.parks.first?.items.first { $0.criterion == "promotion_event_in_suzhou" })
      #expect(promotion.maxPoints == 30 && promotion.source == "Art. 四")
      // The flagship, a provincial development zone, has passed the characteristic-park step (Art. 八).
      let flagship = try #require(report.parks.first { $0.parkName == "苏宿工业园区" })
      let designation = try #require(flagship.items.first { $0.criterion == "provincial_designation" })
      #expect(designation.points == 15 && designation.reason == "provincial development zone" && designation.source == "Art. 八")
    }
  }

  @Test("City-wide figures for overseers and city members; own tenants, labelled, for others")
  func scope() async throws {
    try await Harness.with(dataset: true) { h in
      let cityWide = try await h.targets.report(.with { $0.year = 2026 }, metadata: office("suqian.stats"))
      #expect(cityWide.cityWide)
      #expect(cityWide.scopeLabel == "city-wide")
      let member = try await h.targets.report(.with { $0.year = 2026 }, metadata: office("suqian.liaison"))
      #expect(member.cityWide)
      let own = try await h.targets.report(.with { $0.year = 2026 }, metadata: office("siyang.gov"))
      #expect(!own.cityWide)
      #expect(own.tenantIds == ["wujiang-siyang"])
      #expect(own.scopeLabel == "tenants wujiang-siyang only (not city-wide)")
      let ownProjects = own.results.first { $0.target.metric == .transferredProjects }
      let allProjects = cityWide.results.first { $0.target.metric == .transferredProjects }
      #expect(ownProjects!.actual < allProjects!.actual)
      #expect(ownProjects!.contributions.allSatisfy { $0.tenantID == "wujiang-siyang" })
      // The council's 2025 meeting: counted for everyone, named only to readers of the city tenant.
      func council(_ report: Gongjian_V1_TargetsReport) -> Gongjian_V1_TargetResult? {
        report.results.first { $0.target.metric == .councilMeetings }
      }
      let inside = try await h.targets.report(.with { $0.year = 2025 }, metadata: office("suqian.liaison"))
      let outside = try await h.targets.report(.with { $0.year = 2025 }, metadata: office("siyang.gov"))
      #expect(council(inside)?.actual == 1 && council(outside)?.actual == 1)
      #expect(council(inside)?.contributions.map(\.id) == [DevDataset.CouncilID.meeting2025])
      #expect(council(outside)?.contributions.isEmpty == true)
      #expect(council(outside)?.explanation.hasSuffix("(records of the city tenant: counted, not named)") == true)
      // The flagship table and the evaluation follow the same rule (docs/DESIGN.md, "Who sees what").
      let period = Gongjian_V1_Period.with { $0.year = 2026; $0.quarter = 4 }
      let tableInside = try await h.targets.flagship(.with { $0.period = period }, metadata: office("suqian.stats"))
      let tableOutside = try await h.targets.flagship(.with { $0.period = period }, metadata: office("siyang.gov"))
      // Inside: the four co-built parks and the two parks that are not co-built (city tenant records).
      #expect(tableInside.cityWide && tableInside.parks.count == 6 && tableInside.parks.filter(\.reference).count == 2)
      #expect(!tableOutside.cityWide && tableOutside.parks.map(\.tenantID) == ["wujiang-siyang"])
      let evaluationInside = try await h.targets.evaluation(.with { $0.year = 2026 }, metadata: office("suqian.liaison"))
      let evaluationOutside = try await h.targets.evaluation(.with { $0.year = 2026 }, metadata: office("siyang.gov"))
      #expect(evaluationInside.cityWide && evaluationInside.parks.count == 4)
      #expect(!evaluationOutside.cityWide && evaluationOutside.parks.map(\.tenantID) == ["wujiang-siyang"])
      // The city council's packet is for readers of the city tenant.
      let packet = await #expect(throws: RPCError.self) {
        try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = DevDataset.CouncilID.meeting2026 }, metadata: office("siyang.gov"))
      }
      #expect(packet?.code == .permissionDenied)
      let bad = await #expect(throws: RPCError.self) {
        try await h.targets.report(.with { $0.year = 0 }, metadata: office("suqian.stats"))
      }
      #expect(bad?.code == .invalidArgument)
      #expect(bad?.message.contains("year") == true)
    }
  }
}
