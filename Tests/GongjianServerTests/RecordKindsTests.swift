import Foundation
import GongjianProtocol
import GongjianServer
import GRPCCore
import Testing

/// Typed calls as an office.
extension Harness {
  func create(_ tenant: String, as officeID: String, id: String = "", _ payload: Gongjian_V1_RecordPayload) async throws -> Gongjian_V1_TypedRecord {
    try await self.records.create(.with { $0.tenantID = tenant; $0.id = id; $0.payload = payload }, metadata: office(officeID))
  }

  func update(_ tenant: String, as officeID: String, id: String, base: UInt64, _ payload: Gongjian_V1_RecordPayload) async throws -> Gongjian_V1_TypedRecord {
    try await self.records.update(.with { $0.tenantID = tenant; $0.id = id; $0.baseVersion = base; $0.payload = payload }, metadata: office(officeID))
  }
}

let flagshipPark = DevDataset.ParkID.flagship

func report(park: String = flagshipPark, year: Int32 = 2027, quarter: Int32 = 1) -> Gongjian_V1_IndicatorReport {
  .with {
    $0.parkID = park
    $0.period = .with { $0.year = year; $0.quarter = quarter }
    $0.industrialProjectInvestmentYuan = 123_456_789
    $0.industrialLandAreaCentimu = 333_333  // 3,333.33 mu
    $0.totalIndustrialInvestmentYuan = 3_000_000
    $0.foreignInvestmentYuan = 41_152_263  // 1/3 of the industrial project investment (Art. 二's denominator)
    $0.totalIndustrialOutputYuan = 3_000_000
    $0.highTechOutputYuan = 2_000_000  // 2/3
    $0.mainBusinessRevenueYuan = 8_000_000
    $0.rndSpendingYuan = 1_000_000  // 1/8
  }
}

func project(status: Gongjian_V1_ProjectStatus = .lead, park: String = flagshipPark, name: String = "苏州精密测试项目") -> Gongjian_V1_TransferredProject {
  .with {
    $0.name = name
    $0.sourceEnterprise = "苏州某精密机械有限公司"
    $0.sourceDistrict = "苏州工业园区"
    $0.industry = "高端装备制造"
    $0.plannedInvestmentYuan = 500_000_000
    $0.hostParkID = park
    $0.status = status
    $0.leadOn = "2026-01-05"
    if status != .lead && status != .cancelled { $0.signedOn = "2026-03-01" }
    if status == .started || status == .inProduction { $0.startedOn = "2026-05-01" }
    if status == .inProduction { $0.inProductionOn = "2026-09-01" }
    if status == .cancelled { $0.cancelledOn = "2026-04-01" }
  }
}

func payload(_ set: (inout Gongjian_V1_RecordPayload) -> Void) -> Gongjian_V1_RecordPayload {
  var payload = Gongjian_V1_RecordPayload()
  set(&payload)
  return payload
}

@Suite("Partnership record kinds")
struct RecordKindsTests {
  @Test("Indicators are derived exactly from the raw figures; values a client sends are replaced")
  func derivedIndicators() async throws {
    try await Harness.with(dataset: true) { h in
      var input = report()
      input.derived = .with { $0.investmentIntensityFenPerMu = 1; $0.foreignInvestmentShareBp = 9_999 }
      let created = try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.indicatorReport = input })
      let derived = created.payload.indicatorReport.derived
      #expect(derived.investmentIntensityFenPerMu == 3_703_707)  // 37,037.07 yuan per mu
      #expect(derived.foreignInvestmentShareBp == 3_333)
      #expect(derived.highTechOutputShareBp == 6_667)  // 66.666…% rounds half up
      #expect(derived.rndIntensityBp == 1_250)
    }
  }

  @Test("Figures whose indicator cannot be represented are refused naming the field (the server once trapped on them)")
  func unrepresentableIndicator() async throws {
    try await Harness.with(dataset: true) { h in
      var input = report()
      input.industrialProjectInvestmentYuan = 9_000_000_000_000_000_000
      input.industrialLandAreaCentimu = 1
      input.totalIndustrialInvestmentYuan = 9_000_000_000_000_000_000
      let error = await #expect(throws: RPCError.self) {
        try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.indicatorReport = input })
      }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.contains("industrial_project_investment_yuan: with industrial_land_area_centimu gives an investment intensity too large") == true)
      // The largest representable figures still derive exactly, rounded half up.
      input.industrialLandAreaCentimu = 10_000
      let created = try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.indicatorReport = input })
      #expect(created.payload.indicatorReport.derived.investmentIntensityFenPerMu == 9_000_000_000_000_000_000)
    }
  }

  @Test("One report per park and period: a second one conflicts; an update with the base version works")
  func oneReportPerPeriod() async throws {
    try await Harness.with(dataset: true) { h in
      let first = try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.indicatorReport = report() })
      let error = await #expect(throws: RPCError.self) {
        try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.indicatorReport = report() })
      }
      #expect(error?.code == .aborted)
      #expect(error?.message.contains("already holds this key") == true)
      var changed = report()
      changed.rndSpendingYuan = 2_000_000
      let updated = try await h.update("sip-suqian", as: "suqian.commerce", id: first.id, base: 1, payload { $0.indicatorReport = changed })
      #expect(updated.version == 2)
      #expect(updated.payload.indicatorReport.derived.rndIntensityBp == 2_500)
      let stale = await #expect(throws: RPCError.self) {
        try await h.update("sip-suqian", as: "suqian.commerce", id: first.id, base: 1, payload { $0.indicatorReport = changed })
      }
      #expect(stale?.code == .aborted)
    }
  }

  @Test("A reference to a park that is not in the tenant is refused")
  func references() async throws {
    try await Harness.with(dataset: true) { h in
      let error = await #expect(throws: RPCError.self) {
        // The Wujiang park exists, but in another tenant.
        try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.indicatorReport = report(park: DevDataset.ParkID.wujiangSiyang) })
      }
      #expect(error?.code == .failedPrecondition)
      #expect(error?.message == "invalid indicator_report: payload.park_id: no park \(DevDataset.ParkID.wujiangSiyang) in tenant sip-suqian")
    }
  }

  @Test("Project status moves only forward, one step at a time, or to CANCELLED")
  func projectTransitions() async throws {
    try await Harness.with(dataset: true) { h in
      let created = try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.transferredProject = project() })
      let signed = try await h.update("sip-suqian", as: "suqian.commerce", id: created.id, base: 1, payload { $0.transferredProject = project(status: .signed) })
      #expect(signed.payload.transferredProject.status == .signed)
      let back = await #expect(throws: RPCError.self) {
        try await h.update("sip-suqian", as: "suqian.commerce", id: created.id, base: 2, payload { $0.transferredProject = project(status: .lead) })
      }
      #expect(back?.code == .failedPrecondition)
      #expect(back?.message.contains("SIGNED → LEAD is not allowed; allowed next: STARTED, CANCELLED") == true)
      let skip = await #expect(throws: RPCError.self) {
        try await h.update("sip-suqian", as: "suqian.commerce", id: created.id, base: 2, payload { $0.transferredProject = project(status: .inProduction) })
      }
      #expect(skip?.message.contains("allowed next: STARTED, CANCELLED") == true)
      _ = try await h.update("sip-suqian", as: "suqian.commerce", id: created.id, base: 2, payload { $0.transferredProject = project(status: .started) })
      _ = try await h.update("sip-suqian", as: "suqian.commerce", id: created.id, base: 3, payload { $0.transferredProject = project(status: .inProduction) })
      let final = await #expect(throws: RPCError.self) {
        try await h.update("sip-suqian", as: "suqian.commerce", id: created.id, base: 4, payload { $0.transferredProject = project(status: .lead) })
      }
      #expect(final?.message.contains("IN_PRODUCTION → LEAD is not allowed; allowed next: none: IN_PRODUCTION is final") == true)
      // Cancelled is final too, and projects are cancelled, not deleted.
      let other = try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.transferredProject = project(name: "苏州精密测试二期项目") })
      _ = try await h.update("sip-suqian", as: "suqian.commerce", id: other.id, base: 1, payload { $0.transferredProject = project(status: .cancelled, name: "苏州精密测试二期项目") })
      let revived = await #expect(throws: RPCError.self) {
        try await h.update("sip-suqian", as: "suqian.commerce", id: other.id, base: 2, payload { $0.transferredProject = project(status: .signed, name: "苏州精密测试二期项目") })
      }
      #expect(revived?.message.contains("CANCELLED → SIGNED is not allowed") == true)
      let deleted = await #expect(throws: RPCError.self) {
        try await h.records.delete(.with { $0.tenantID = "sip-suqian"; $0.kind = "transferred_project"; $0.id = other.id; $0.baseVersion = 2 }, metadata: office("suqian.commerce"))
      }
      #expect(deleted?.code == .failedPrecondition)
      #expect(deleted?.message.contains("set status CANCELLED instead") == true)
    }
  }

  /// A bad payload of each kind, and the fields its error must name.
  static let badInputs: [(String, Gongjian_V1_RecordPayload, [String])] = [
    ("park", payload { $0.park = .with { $0.hostCounty = "宿城区"; $0.suzhouPartner = "x"; $0.plannedAreaCentimu = -1 } },
     ["payload.name", "payload.planned_area_centimu"]),
    ("indicator_report", payload {
      var r = report()
      r.industrialLandAreaCentimu = 0
      r.foreignInvestmentYuan = 200_000_000  // more than the industrial project investment
      r.period.quarter = 5
      $0.indicatorReport = r
    }, ["payload.period.quarter", "payload.industrial_land_area_centimu", "payload.foreign_investment_yuan"]),
    ("transferred_project", payload {
      var p = project(status: .signed)
      p.signedOn = ""
      p.plannedInvestmentYuan = 0
      $0.transferredProject = p
    }, ["payload.planned_investment_yuan", "payload.signed_on"]),
    ("exchange_activity", payload {
      $0.exchangeActivity = .with { $0.type = .training; $0.title = "培训"; $0.heldOn = "2026-02-30"; $0.hostSide = .suzhou; $0.peopleCount = 0 }
    }, ["payload.held_on", "payload.people_count"]),
    ("assistance_plan", payload {
      $0.assistancePlan = .with { $0.village = "马浦村"; $0.county = "泗洪县"; $0.suzhouHelper = "x"; $0.plan = "p"; $0.year = 1999 }
    }, ["payload.year"]),
    ("revenue_sharing_agreement", payload {
      $0.revenueSharingAgreement = .with {
        $0.title = "分成"
        $0.effectiveFrom = "2026-01-01"
        $0.shares = [.with { $0.party = "苏州"; $0.shareBp = 4_000 }, .with { $0.party = "宿迁"; $0.shareBp = 5_000 }]
      }
    }, ["payload.shares"]),
  ]

  @Test("Bad input of every kind is rejected naming each field, and nothing is stored", arguments: 0..<6)
  func badInput(index: Int) async throws {
    let (kind, bad, fields) = Self.badInputs[index]
    try await Harness.with(dataset: true) { h in
      let before = try await h.store.checkpoint(tenantID: "sip-suqian").headSequence
      let error = await #expect(throws: RPCError.self) {
        try await h.create("sip-suqian", as: "suqian.commerce", bad)
      }
      #expect(error?.code == .invalidArgument, "\(kind)")
      for field in fields {
        #expect(error?.message.contains(field + ":") == true, "\(kind): \(field) in \(error?.message ?? "")")
      }
      #expect(try await h.store.checkpoint(tenantID: "sip-suqian").headSequence == before)
    }
  }

  @Test("Good input of every kind is accepted (the sample dataset) and listed with filters")
  func sampleDatasetAndFilters() async throws {
    try await Harness.with(dataset: true) { h in
      var counts: [String: Int] = [:]
      for tenant in ["sip-suqian", "changshu-sihong", "wujiang-siyang", "city"] {
        for kind in RecordKind.all {
          counts[kind.name, default: 0] += try await h.store.liveRecords(tenantID: tenant, kind: kind.name).count
        }
      }
      #expect(counts == [
        "park": 4, "indicator_report": 32, "transferred_project": 69, "exchange_activity": 55,
        "assistance_plan": 6, "revenue_sharing_agreement": 3, "target": 11,
        "council": 1, "meeting": 2, "agenda_item": 6, "decision": 2, "action_item": 3, "evaluation_criterion": 4,
        "reference_park_report": 16, "weak_village": 10, "cadre_exchange": 6, "pairing_agreement": 4,
      ])
      let signed = try await h.records.list(
        .with { $0.tenantID = "changshu-sihong"; $0.kind = "transferred_project"; $0.status = .signed; $0.pageSize = 5 },
        metadata: office("suqian.commerce")
      )
      #expect(signed.records.count == 5)
      #expect(signed.records.allSatisfy { $0.payload.transferredProject.status == .signed })
      var all = signed.records
      var token = signed.nextPageToken
      while !token.isEmpty {
        let page = try await h.records.list(
          .with { $0.tenantID = "changshu-sihong"; $0.kind = "transferred_project"; $0.status = .signed; $0.pageSize = 5; $0.pageToken = token },
          metadata: office("suqian.commerce")
        )
        all += page.records
        token = page.nextPageToken
      }
      #expect(all.count == Int(signed.total))
      #expect(Set(all.map(\.id)).count == all.count)
      let q3 = try await h.records.list(
        .with { $0.tenantID = "sip-suqian"; $0.kind = "indicator_report"; $0.year = 2026; $0.quarter = 3 }, metadata: office("suqian.finance")
      )
      #expect(q3.records.map { $0.payload.indicatorReport.period.quarter } == [3])
      let events = try await h.records.list(
        .with { $0.tenantID = "wujiang-siyang"; $0.kind = "exchange_activity"; $0.type = .promotionEvent; $0.year = 2026 }, metadata: office("siyang.gov")
      )
      #expect(events.total == 0)
    }
  }

  @Test("Roles: viewers read, contributors write their tenant, overseers read all, only admins write targets")
  func roles() async throws {
    try await Harness.with(dataset: true) { h in
      _ = try await h.records.get(.with { $0.tenantID = "sip-suqian"; $0.kind = "park"; $0.id = flagshipPark }, metadata: office("suqian.finance"))
      let viewer = await #expect(throws: RPCError.self) {
        try await h.create("sip-suqian", as: "suqian.finance", payload { $0.transferredProject = project() })
      }
      #expect(viewer?.code == .permissionDenied)
      let outsider = await #expect(throws: RPCError.self) {
        try await h.records.list(.with { $0.tenantID = "sip-suqian"; $0.kind = "park" }, metadata: office("wujiang.commerce"))
      }
      #expect(outsider?.code == .permissionDenied)
      // Suzhou-side secretariat writes too (contributor rights included).
      _ = try await h.create("sip-suqian", as: "sip.admin", payload { $0.transferredProject = project() })
      let overseen = try await h.records.list(.with { $0.tenantID = "wujiang-siyang"; $0.kind = "park" }, metadata: office("suqian.stats"))
      #expect(overseen.total == 1)
      let target = payload { $0.target = .with { $0.metric = .inspectionTrips; $0.scope = .cityDepartments; $0.threshold = 3; $0.year = 2027 } }
      let contributor = await #expect(throws: RPCError.self) { try await h.create("city", as: "suqian.commerce", target) }
      #expect(contributor?.code == .permissionDenied)
      #expect(contributor?.message.contains("writing target needs role admin") == true)
      let admin = try await h.create("city", as: "suqian.drc", target)
      #expect(admin.payload.target.threshold == 3)
    }
  }
}
