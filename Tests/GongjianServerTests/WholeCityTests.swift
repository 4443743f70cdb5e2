import Foundation
import GongjianProtocol
import GongjianServer
import GRPCCore
import Testing

/// The policy's figures over the whole city (Art. 二, 四, 六): projects outside every park, every
/// county and district, every pairing, and the units responsible for each target.
@Suite("The whole city")
struct WholeCityTests {
  func target(_ data: PartnershipData, _ metric: Gongjian_V1_TargetMetric, year: Int32 = 2026) throws -> Gongjian_V1_TargetResult {
    try #require(TargetsCalculator(data: data).report(year: year).first { $0.target.metric == metric })
  }

  @Test("Art. 二: the five counties and districts each have a count; more than 2 is flagged; only 一区多园 parks count; functional zones apart")
  func pilotTownshipParks() throws {
    var data = PartnershipData(tenantIDs: ["a", "b", "c"])
    func park(_ tenant: String, _ id: String, _ county: String, inScope: Int, outOfScope: Int = 0) {
      data.parks.append(.init(tenantID: tenant, id: id, payload: .with {
        $0.name = id
        $0.hostCounty = county
        $0.pilotTownshipParks = (0..<inScope).map { n in .with { $0.name = "\(id) pilot \(n)"; $0.inMultiParkScope = true } }
          + (0..<outOfScope).map { n in .with { $0.name = "\(id) other \(n)" } }
      }))
    }
    park("a", "泗阳园", "泗阳县", inScope: 3)
    park("b", "泗洪园", "泗洪县", inScope: 2, outOfScope: 4)
    park("c", "湖滨园", "湖滨新区", inScope: 1)
    let result = try self.target(data, .pilotTownshipParksPerCounty)
    // Given by hand: 沭阳县 0, 泗阳县 3 (over 2), 泗洪县 2 (the 4 outside 一区多园 not counted), 宿城区 0, 宿豫区 0.
    #expect(result.units.map(\.name) == ["沭阳县", "泗阳县", "泗洪县", "宿城区", "宿豫区"])
    #expect(result.units.map(\.actual) == [0, 3, 2, 0, 0])
    #expect(result.units.map(\.met) == [false, false, true, false, false])
    #expect(result.units[1].note == "more than 2")
    #expect(result.actual == 1)
    #expect(!result.met)
    #expect(result.shortfalls == ["沭阳县: 0", "泗阳县: 3 (more than 2)", "宿城区: 0", "宿豫区: 0"])
    #expect(result.explanation.contains("1 of 5 counties and districts reach 1–2"))
    #expect(result.explanation.contains("4 pilot township parks outside the 一区多园 scope are not counted"))
    #expect(result.explanation.contains("湖滨园 pilot 0 (湖滨新区)"))
  }

  @Test("Responsible units: the article's by default, a target record's own where it names them")
  func responsibleUnits() throws {
    var data = PartnershipData(tenantIDs: ["city"])
    let projects = try self.target(data, .transferredProjects)
    #expect(projects.responsibleUnits == ["市政府办公室", "市发展改革委", "市商务局", "市工业和信息化局", "市科技局", "市委台办", "市工商联", "各共建园区"])
    #expect(try self.target(data, .delegationVisitsPerPairing).responsibleUnits.contains("市委组织部"))
    #expect(try self.target(data, .councilMeetings).responsibleUnits == ["市发展改革委", "市财政局", "各县、区", "各共建园区"])
    #expect(TargetsCalculator(data: data).report(year: 2026).allSatisfy { !$0.responsibleUnits.isEmpty })
    var own = SeedTargets.all[2]
    own.responsibleUnits = ["市商务局", "市工商联"]
    data.targets = SeedTargets.all.filter { $0.metric != own.metric } + [own]
    #expect(try self.target(data, .inspectionTrips).responsibleUnits == ["市商务局", "市工商联"])
  }

  @Test("Responsible units in targets --json and beside each target in both packet editions")
  func responsibleUnitsReported() async throws {
    try await Harness.with(dataset: true) { h in
      let report = try await h.targets.report(.with { $0.year = 2026 }, metadata: office("suqian.drc"))
      let json = try report.jsonString()
      #expect(json.contains("\"responsibleUnits\":[\"市政府办公室\""))
      for result in report.results { #expect(!result.responsibleUnits.isEmpty, "\(result.target.metric)") }
      let meeting = DevDataset.CouncilID.meeting2026
      for (language, expected) in [("zh", "市政府办公室、市发展改革委、市商务局"), ("en", "City Government Office; City Development and Reform Commission; City Commerce Bureau")] {
        let packet = try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = meeting; $0.language = language }, metadata: office("suzhou.drc"))
        let md = packet.markdown
        #expect(md.contains(language == "zh" ? "责任单位" : "Responsible units"), "\(language)")
        #expect(md.contains(expected), "\(language)")
      }
    }
  }

  @Test("A project outside every park is recorded in the city tenant with host_county, and counts city-wide")
  func projectsOutsideParks() async throws {
    try await Harness.with(dataset: true) { h in
      var outside = Gongjian_V1_RecordPayload()
      outside.transferredProject = project(status: .signed, name: "沭阳县园区外测试项目")
      outside.transferredProject.hostParkID = ""
      outside.transferredProject.hostCounty = "沭阳县"
      outside.transferredProject.signedOn = "2026-08-08"
      let before = try await h.targets.report(.with { $0.year = 2026 }, metadata: office("suqian.stats"))
      let created = try await h.create("city", as: "suqian.drc", outside)
      #expect(created.payload.transferredProject.hostCounty == "沭阳县")
      let after = try await h.targets.report(.with { $0.year = 2026 }, metadata: office("suqian.stats"))
      func signed(_ report: Gongjian_V1_TargetsReport) -> Gongjian_V1_TargetResult? {
        report.results.first { $0.target.metric == .transferredProjects }
      }
      #expect(signed(after)?.actual == (signed(before)?.actual ?? 0) + 1)
      #expect(signed(after)?.contributions.contains { $0.id == created.id && $0.tenantID == "city" } == true)

      // In a park's tenant a project names its park, not a county.
      var inParkTenant = outside
      inParkTenant.transferredProject.name = "另一个园区外项目"
      let refused = await #expect(throws: RPCError.self) { try await h.create("sip-suqian", as: "suqian.commerce", inParkTenant) }
      #expect(refused?.message.contains("host_county: a project outside every co-built park is recorded in the city tenant") == true)
      // The city tenant takes no park's project.
      var parked = Gongjian_V1_RecordPayload()
      parked.transferredProject = project(status: .lead, name: "城市租户里的园区项目")
      let inCity = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", parked) }
      #expect(inCity?.message.contains("host_park_id") == true)
      // Both, neither, and a county that is not Suqian's.
      var both = outside
      both.transferredProject.name = "两者皆有"
      both.transferredProject.hostParkID = flagshipPark
      let twice = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", both) }
      #expect(twice?.message.contains("host_county: only for a project outside every co-built park") == true)
      var neither = outside
      neither.transferredProject.name = "两者皆无"
      neither.transferredProject.hostCounty = ""
      let none = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", neither) }
      #expect(none?.message.contains("host_park_id: required") == true)
      var foreign = outside
      foreign.transferredProject.name = "外市项目"
      foreign.transferredProject.hostCounty = "昆山市"
      let elsewhere = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", foreign) }
      #expect(elsewhere?.message.contains("host_county: '昆山市' is not one of Suqian's counties") == true)
    }
  }

  @Test("A delegation visit's pairing is one of the city and county pairings, and only on visits")
  func visitPairing() async throws {
    try await Harness.with(dataset: true) { h in
      var visit = Gongjian_V1_RecordPayload()
      visit.exchangeActivity = .with {
        $0.type = .delegationVisit
        $0.title = "沭阳县与昆山市党政代表团互访"
        $0.heldOn = "2026-09-01"
        $0.hostSide = .suzhou
        $0.peopleCount = 20
        $0.pairing = "沭阳县"
      }
      _ = try await h.create("city", as: "suqian.drc", visit)
      let report = try await h.targets.report(.with { $0.year = 2026 }, metadata: office("suqian.stats"))
      let visits = try #require(report.results.first { $0.target.metric == .delegationVisitsPerPairing })
      #expect(visits.units.first { $0.id == "沭阳县" }?.actual == 1)
      var wrong = visit
      wrong.exchangeActivity.title = "无此挂钩"
      wrong.exchangeActivity.pairing = "苏州市"
      let refused = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", wrong) }
      #expect(refused?.message.contains("pairing: '苏州市' is not the Suqian side of a city or county pairing") == true)
      var training = visit
      training.exchangeActivity.type = .training
      let notVisit = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", training) }
      #expect(notVisit?.message.contains("pairing: only for DELEGATION_VISIT") == true)
    }
  }

  @Test("Art. 二's 全市最优: a park that is not co-built and beats the 苏宿工业园区 on one indicator makes the verdict not met, naming it; the evaluation leaves it out")
  func referenceParks() throws {
    var data = PartnershipData(tenantIDs: ["sip-suqian", "changshu-sihong", "city"])
    let q4 = Gongjian_V1_Period.with { $0.year = 2026; $0.quarter = 4 }
    data.parks = [
      .init(tenantID: "sip-suqian", id: "F", payload: .with { $0.name = "苏宿工业园区"; $0.designations = [.flagship] }),
      .init(tenantID: "changshu-sihong", id: "A", payload: .with { $0.name = "常熟（泗洪）共建园区" }),
    ]
    func derived(_ values: [Int64]) -> Gongjian_V1_DerivedIndicators {
      .with {
        $0.investmentIntensityFenPerMu = values[0]
        $0.foreignInvestmentShareBp = values[1]
        $0.highTechOutputShareBp = values[2]
        $0.rndIntensityBp = values[3]
      }
    }
    data.reports = [
      .init(tenantID: "sip-suqian", id: "rF", payload: .with { $0.parkID = "F"; $0.period = q4; $0.derived = derived([500, 2000, 5000, 300]) }),
      .init(tenantID: "changshu-sihong", id: "rA", payload: .with { $0.parkID = "A"; $0.period = q4; $0.derived = derived([400, 1000, 4000, 200]) }),
    ]
    // Among the co-built parks alone the 苏宿工业园区 leads all four.
    #expect(try self.target(data, .flagshipLeadsIndicators).met)
    // 宿迁经济技术开发区 (not co-built) has the higher R&D share: by hand, the 苏宿工业园区 leads 3 of 4.
    data.referenceReports = [
      .init(tenantID: "city", id: "x", payload: .with { $0.parkName = "宿迁经济技术开发区"; $0.period = q4; $0.derived = derived([450, 1500, 4500, 350]) })
    ]
    let verdict = try self.target(data, .flagshipLeadsIndicators)
    #expect(!verdict.met)
    #expect(verdict.actual == 3)
    #expect(verdict.shortfalls == ["rnd_intensity_bp: led by 宿迁经济技术开发区"])
    let table = TargetsCalculator(data: data).flagship(period: q4)
    #expect(table.parks.map(\.parkName) == ["苏宿工业园区", "宿迁经济技术开发区", "常熟（泗洪）共建园区"])
    #expect(table.parks.map(\.reference) == [false, true, false])
    #expect(table.parks[1].ranks == [2, 2, 2, 1])
    // The evaluation of the co-built parks ranks them among themselves.
    let cards = TargetsCalculator(data: data).evaluation(year: 2026)
    #expect(cards.map(\.parkID) == ["F", "A"])
    #expect(cards.first { $0.parkID == "A" }?.items.first?.reason.hasPrefix("rank 2 of 2") == true)
  }

  @Test("Reference-park reports: derived as indicator reports, kept in the city tenant, refused elsewhere naming the field")
  func referenceParkReports() async throws {
    try await Harness.with(dataset: true) { h in
      var payload = Gongjian_V1_RecordPayload()
      payload.referenceParkReport = .with {
        $0.parkName = "  洋河新区产业园  "
        $0.hostCounty = "洋河新区"
        $0.period = .with { $0.year = 2027; $0.quarter = 1 }
        $0.industrialProjectInvestmentYuan = 123_456_789
        $0.industrialLandAreaCentimu = 333_333
        $0.foreignInvestmentYuan = 41_152_263
        $0.totalIndustrialOutputYuan = 3_000_000
        $0.highTechOutputYuan = 2_000_000
        $0.mainBusinessRevenueYuan = 8_000_000
        $0.rndSpendingYuan = 1_000_000
      }
      let created = try await h.create("city", as: "suqian.drc", payload)
      let report = created.payload.referenceParkReport
      #expect(report.parkName == "洋河新区产业园")
      #expect(report.derived.investmentIntensityFenPerMu == 3_703_707)
      #expect(report.derived.foreignInvestmentShareBp == 3_333)
      #expect(report.derived.highTechOutputShareBp == 6_667)
      #expect(report.derived.rndIntensityBp == 1_250)
      // One per park and period.
      let again = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", payload) }
      #expect(again != nil)
      let elsewhere = await #expect(throws: RPCError.self) { try await h.create("sip-suqian", as: "suqian.commerce", payload) }
      #expect(elsewhere?.message.contains("park_name: reference parks (not co-built) are recorded in the city tenant") == true)
      var bad = payload
      bad.referenceParkReport.hostCounty = "昆山市"
      bad.referenceParkReport.foreignInvestmentYuan = 200_000_000
      bad.referenceParkReport.period.year = 2028
      let refused = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", bad) }
      #expect(refused?.code == .invalidArgument)
      #expect(refused?.message.contains("host_county: '昆山市' is not one of Suqian's counties") == true)
      #expect(refused?.message.contains("foreign_investment_yuan: exceeds industrial_project_investment_yuan") == true)
    }
  }

  @Test("Art. 七: every registered weak village has a plan for the year; plans for villages outside the register are named")
  func weakVillages() throws {
    var data = PartnershipData(tenantIDs: ["city", "changshu-sihong"])
    func village(_ id: String, _ county: String, _ township: String, _ name: String) -> PartnershipData.Item<Gongjian_V1_WeakVillage> {
      .init(tenantID: "city", id: id, payload: .with { $0.county = county; $0.township = township; $0.village = name })
    }
    func plan(_ id: String, _ county: String, _ name: String, year: Int32) -> PartnershipData.Item<Gongjian_V1_AssistancePlan> {
      .init(tenantID: "changshu-sihong", id: id, payload: .with { $0.county = county; $0.village = name; $0.year = year })
    }
    data.weakVillages = [village("v1", "沭阳县", "甲镇", "一村"), village("v2", "泗洪县", "乙镇", "二村"), village("v3", "宿豫区", "丙镇", "三村")]
    data.assistancePlans = [
      plan("p1", "沭阳县", "一村", year: 2026), plan("p2", "泗洪县", "二村", year: 2026),
      plan("p3", "宿豫区", "三村", year: 2025),  // another year: does not count for 2026
      plan("p9", "泗阳县", "九村", year: 2026),  // not in the register
    ]
    let result = try self.target(data, .weakVillagesWithPlan)
    #expect(result.units.map(\.actual) == [1, 1, 0])
    #expect(result.actual == 2 && !result.met)
    #expect(result.shortfalls == ["宿豫区丙镇三村: 0"])
    #expect(result.explanation.contains("plans for villages not in the register: 泗阳县九村"))
    #expect(result.responsibleUnits.contains("市农业农村局"))
    data.assistancePlans.append(plan("p4", "宿豫区", "三村", year: 2026))
    #expect(try self.target(data, .weakVillagesWithPlan).met)
  }

  @Test("Art. 十三: the city's monitoring of each county and district, figures worked out by hand")
  func countyMonitoring() throws {
    var data = PartnershipData(tenantIDs: ["sip-suqian", "changshu-sihong", "city"])
    data.parks = [
      .init(tenantID: "sip-suqian", id: "F", payload: .with { $0.name = "F"; $0.hostCounty = "宿城区"; $0.designations = [.flagship] }),
      .init(tenantID: "changshu-sihong", id: "P", payload: .with {
        $0.name = "P"
        $0.hostCounty = "泗洪县"
        $0.pilotTownshipParks = [.with { $0.name = "in"; $0.inMultiParkScope = true }, .with { $0.name = "out" }]
      }),
    ]
    func project(_ tenant: String, _ id: String, park: String = "", county: String = "", _ status: Gongjian_V1_ProjectStatus, _ yuan: Int64) {
      data.projects.append(.init(tenantID: tenant, id: id, payload: .with {
        $0.hostParkID = park
        $0.hostCounty = county
        $0.status = status
        $0.signedOn = "2026-05-01"
        $0.plannedInvestmentYuan = yuan
      }))
    }
    project("changshu-sihong", "a", park: "P", .signed, 100)
    project("changshu-sihong", "b", park: "P", .cancelled, 999)
    project("city", "c", county: "沭阳县", .started, 200)
    func visit(_ tenant: String, pairing: String = "") {
      data.activities.append(.init(tenantID: tenant, id: UUID().uuidString, payload: .with {
        $0.type = .delegationVisit
        $0.heldOn = "2026-04-01"
        $0.pairing = pairing
      }))
    }
    visit("changshu-sihong")  // the tenant's county-level park lies in 泗洪县
    visit("city", pairing: "宿豫区")
    data.cadreExchanges = [
      .init(tenantID: "city", id: "x1", payload: .with { $0.pairing = "泗洪县"; $0.startsOn = "2026-03-01"; $0.people = 2 }),
      .init(tenantID: "city", id: "x2", payload: .with { $0.pairing = "泗洪县"; $0.startsOn = "2025-03-01"; $0.people = 5 }),
    ]
    data.weakVillages = [
      .init(tenantID: "city", id: "v1", payload: .with { $0.county = "泗洪县"; $0.village = "一村" }),
      .init(tenantID: "city", id: "v2", payload: .with { $0.county = "泗洪县"; $0.village = "二村" }),
    ]
    data.assistancePlans = [.init(tenantID: "changshu-sihong", id: "p1", payload: .with { $0.county = "泗洪县"; $0.village = "一村"; $0.year = 2026 })]
    data.agreements = [.init(tenantID: "changshu-sihong", id: "g", payload: .with {
      $0.parkID = "P"
      $0.shared = [
        .with { $0.year = 2026; $0.party = "常熟市"; $0.amountYuan = 300 }, .with { $0.year = 2026; $0.party = "泗洪县"; $0.amountYuan = 200 },
        .with { $0.year = 2025; $0.party = "泗洪县"; $0.amountYuan = 999 },
      ]
    })]
    let counties = TargetsCalculator(data: data).countyMonitoring(year: 2026)
    #expect(counties.map(\.county) == ["沭阳县", "泗阳县", "泗洪县", "宿城区", "宿豫区"])
    let sihong = try #require(counties.first { $0.county == "泗洪县" })
    #expect(sihong.projectsSigned == 1 && sihong.plannedInvestmentYuan == 100)
    #expect(sihong.delegationVisits == 1 && sihong.pilotTownshipParks == 1 && sihong.cadresExchanged == 2)
    #expect(sihong.weakVillages == 2 && sihong.weakVillagesWithPlan == 1 && sihong.revenueSharedYuan == 500)
    let shuyang = try #require(counties.first { $0.county == "沭阳县" })
    #expect(shuyang.projectsSigned == 1 && shuyang.plannedInvestmentYuan == 200 && shuyang.delegationVisits == 0)
    #expect(counties.first { $0.county == "宿豫区" }?.delegationVisits == 1)
    #expect(counties.first { $0.county == "宿城区" }?.projectsSigned == 0)
  }

  @Test("The registers in both packet editions, the counties in evaluation for city-wide readers only")
  func registersReported() async throws {
    try await Harness.with(dataset: true) { h in
      let meeting = DevDataset.CouncilID.meeting2026
      let zh = try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = meeting }, metadata: office("suzhou.drc")).markdown
      // The sample: ten registered villages, six with a 2026 plan; the city's and two counties'
      // 2026 agreements; cadres of 2026 (2 + 30 + 1 + 1 people).
      #expect(zh.contains("## 七、合作共建登记"))
      #expect(zh.contains("登记省定经济薄弱村10个，2026年已有帮扶方案6个，尚无方案4个（实施意见第（七）条）。"))
      #expect(zh.contains("| 沭阳县 | 胡集镇 | 新庄村 | 无 | 0个 |"))
      #expect(zh.contains("| 宿迁市–苏州市 | 2026年苏州市宿迁市挂钩合作协议 | 2026年3月18日 |"))
      #expect(zh.contains("| 沭阳县–昆山市 | 未签订 | — |"))
      #expect(zh.contains("| 宿迁市–苏州市 | 3次 | 33人 |"))
      #expect(zh.contains("| 泗洪县–常熟市 | 1次 | 1人 |"))
      #expect(zh.contains("市对县（区）监测评价"))
      #expect(zh.contains("本年实际分成"))
      let en = try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = meeting; $0.language = "en" }, metadata: office("suzhou.drc")).markdown
      #expect(en.contains("## 7. Registers"))
      #expect(en.contains("10 economically weak villages are registered; 6 have an assistance plan for 2026, 4 have none (Art. 7)."))
      #expect(en.contains("The city's monitoring of its counties and districts"))

      let inside = try await h.targets.evaluation(.with { $0.year = 2026 }, metadata: office("suqian.stats"))
      #expect(inside.counties.map(\.county) == ["沭阳县", "泗阳县", "泗洪县", "宿城区", "宿豫区"])
      #expect(inside.counties.first { $0.county == "沭阳县" }?.projectsSigned == 1)  // the sample's project outside the parks
      let outside = try await h.targets.evaluation(.with { $0.year = 2026 }, metadata: office("siyang.gov"))
      #expect(outside.counties.isEmpty)
      let ownTargets = try await h.targets.report(.with { $0.year = 2026 }, metadata: office("siyang.gov"))
      let ownVillages = try #require(ownTargets.results.first { $0.target.metric == .weakVillagesWithPlan })
      #expect(ownVillages.units.isEmpty && ownVillages.explanation.contains("the register of weak villages is the city tenant's"))
      let targets = try await h.targets.report(.with { $0.year = 2026 }, metadata: office("suqian.stats"))
      let villages = try #require(targets.results.first { $0.target.metric == .weakVillagesWithPlan })
      #expect(villages.actual == 6 && villages.units.count == 10 && !villages.met)
    }
  }

  @Test("The registers' records are checked, each refusal naming the field")
  func registerValidation() async throws {
    try await Harness.with(dataset: true) { h in
      var village = Gongjian_V1_RecordPayload()
      village.weakVillage = .with { $0.village = "测试村"; $0.township = "测试镇"; $0.county = "泗阳县" }
      let elsewhere = await #expect(throws: RPCError.self) { try await h.create("wujiang-siyang", as: "siyang.gov", village) }
      #expect(elsewhere?.message.contains("village: the register of weak villages is kept in the city tenant") == true)
      let contributor = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.commerce", village) }
      #expect(contributor?.code == .permissionDenied)
      _ = try await h.create("city", as: "suqian.drc", village)
      let twice = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", village) }
      #expect(twice != nil)

      var cadre = Gongjian_V1_RecordPayload()
      cadre.cadreExchange = .with {
        $0.type = .training
        $0.pairing = "苏州市"
        $0.sendingUnit = "宿迁市委组织部"
        $0.receivingUnit = "苏州市委党校"
        $0.post = "培训班"
        $0.startsOn = "2026-06-10"
        $0.endsOn = "2026-06-01"
        $0.people = 0
      }
      let badCadre = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", cadre) }
      #expect(badCadre?.code == .invalidArgument)
      for field in ["pairing: '苏州市' is not the Suqian side", "ends_on: 2026-06-01 is before starts_on", "people: from 1 to 1000"] {
        #expect(badCadre?.message.contains(field) == true, "\(field)")
      }

      var agreement = Gongjian_V1_RecordPayload()
      agreement.pairingAgreement = .with { $0.pairing = "宿迁市"; $0.year = 2026; $0.title = "重复的协议"; $0.signedOn = "2026-05-01" }
      let duplicate = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", agreement) }
      #expect(duplicate != nil)  // the sample has the city's 2026 agreement
      agreement.pairingAgreement.pairing = "沭阳县"
      agreement.pairingAgreement.signedOn = "2024-05-01"
      let early = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.drc", agreement) }
      #expect(early?.message.contains("signed_on: 2024-05-01 is not in 2026 or the year before") == true)

      var shared = Gongjian_V1_RecordPayload()
      shared.revenueSharingAgreement = .with {
        $0.title = "分成测试协议"
        $0.shares = [.with { $0.party = "吴江区"; $0.shareBp = 5_000 }, .with { $0.party = "泗阳县"; $0.shareBp = 5_000 }]
        $0.effectiveFrom = "2026-01-01"
        $0.shared = [.with { $0.year = 2026; $0.party = "常熟市"; $0.amountYuan = 100 }]
      }
      let party = await #expect(throws: RPCError.self) { try await h.create("wujiang-siyang", as: "siyang.gov", shared) }
      #expect(party?.message.contains("shared[0].party: '常熟市' is not a party of the agreement") == true)
    }
  }
}
