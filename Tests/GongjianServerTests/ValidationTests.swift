import Foundation
import GongjianProtocol
import GongjianServer
import GRPCCore
import Testing

/// The seed's rules and the checks a reviewer found missing: each bad input is refused with
/// the field named, and loses nothing else.
@Suite("Record validation beyond types")
struct ValidationTests {
  /// The refusal of a create, or nil when it was applied.
  static func refusal(_ h: Harness, _ payload: Gongjian_V1_RecordPayload, tenant: String = "sip-suqian", as office: String = "suqian.commerce") async -> RPCError? {
    do {
      _ = try await h.create(tenant, as: office, payload)
      return nil
    } catch {
      return error as? RPCError
    }
  }

  @Test("Art. 四: a project comes from one of Suzhou's districts; a park lies in one of Suqian's counties")
  func jurisdictions() async throws {
    try await Harness.with(dataset: true) { h in
      var from = project()
      from.sourceDistrict = "南京市"
      let district = await Self.refusal(h, payload { $0.transferredProject = from })
      #expect(district?.code == .invalidArgument)
      #expect(district?.message.contains("payload.source_district: '南京市' is not one of Suzhou's districts or county-level cities; allowed: 姑苏区, 虎丘区, 苏州高新区") == true)
      let park = await Self.refusal(h, payload { $0.park = .with { $0.name = "无锡园"; $0.hostCounty = "江阴市"; $0.suzhouPartner = "苏州工业园区" } })
      #expect(park?.message.contains("payload.host_county: '江阴市' is not one of Suqian's counties, districts or functional zones; allowed: 宿城区, 宿豫区, 沭阳县, 泗阳县, 泗洪县") == true)
    }
  }

  @Test("Project dates: cancellation after the others, nothing beyond the horizon, a signing moved across years says why")
  func projectDates() async throws {
    try await Harness.with(dataset: true) { h in
      var early = project(status: .cancelled)
      early.signedOn = "2026-03-01"
      early.cancelledOn = "2026-02-01"
      let cancelled = await Self.refusal(h, payload { $0.transferredProject = early })
      #expect(cancelled?.message.contains("payload.cancelled_on: 2026-02-01 is before signed_on 2026-03-01") == true)

      var future = project(status: .signed)
      future.signedOn = "2099-03-01"
      let far = await Self.refusal(h, payload { $0.transferredProject = future })
      #expect(far?.code == .invalidArgument)
      #expect(far?.message.contains("payload.signed_on: 2099-03-01 is more than 366 days ahead") == true)

      let signed = try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.transferredProject = project(status: .signed) })
      var moved = signed.payload.transferredProject
      moved.signedOn = "2027-01-10"
      let unexplained = await #expect(throws: RPCError.self) {
        try await h.update("sip-suqian", as: "suqian.commerce", id: signed.id, base: signed.version, payload { $0.transferredProject = moved })
      }
      #expect(unexplained?.message.contains("signed_on_change_reason: required to move signed_on from 2026 to 2027") == true)
      moved.signedOnChangeReason = "签约仪式改期至2027年1月"
      let explained = try await h.update("sip-suqian", as: "suqian.commerce", id: signed.id, base: signed.version, payload { $0.transferredProject = moved })
      #expect(explained.payload.transferredProject.signedOn == "2027-01-10")
      // Within the year, no reason is needed.
      var sameYear = explained.payload.transferredProject
      sameYear.signedOn = "2027-01-12"
      _ = try await h.update("sip-suqian", as: "suqian.commerce", id: signed.id, base: explained.version, payload { $0.transferredProject = sameYear })
    }
  }

  @Test("The same project (enterprise and name) under a second id is refused, naming both fields")
  func duplicateProject() async throws {
    try await Harness.with(dataset: true) { h in
      let first = try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.transferredProject = project() })
      var twin = project()
      twin.name = " 苏州精密测试项目 "  // trimmed, so the same name
      let duplicate = await Self.refusal(h, payload { $0.transferredProject = twin })
      #expect(duplicate?.code == .aborted)
      #expect(duplicate?.message.contains("transferred_project \(first.id) already holds this key (source_enterprise+name=苏州某精密机械有限公司/苏州精密测试项目)") == true)
    }
  }

  @Test("Names of spaces or invisible characters are refused; leading and trailing spaces are trimmed")
  func blankAndTrimmed() async throws {
    try await Harness.with(dataset: true) { h in
      for name in ["\u{200B}\u{200B}", " \u{3000} ", "\u{FEFF}\u{2060}"] {
        let blank = await Self.refusal(h, payload { $0.park = .with { $0.name = name; $0.hostCounty = "宿城区"; $0.suzhouPartner = "苏州工业园区" } })
        #expect(blank?.code == .invalidArgument, "\(name.unicodeScalars.map { String($0.value, radix: 16) })")
        #expect(blank?.message.contains("payload.name: required") == true)
      }
      let created = try await h.create("sip-suqian", as: "suqian.commerce", payload {
        $0.park = .with { $0.name = "  新建园区\u{200B} "; $0.hostCounty = " 宿城区"; $0.suzhouPartner = "苏州工业园区  " }
      })
      #expect(created.payload.park.name == "新建园区")
      #expect(created.payload.park.hostCounty == "宿城区")
      #expect(created.payload.park.suzhouPartner == "苏州工业园区")
    }
  }

  @Test("An activity's participants are offices of the directory")
  func participants() async throws {
    try await Harness.with(dataset: true) { h in
      let activity = Gongjian_V1_ExchangeActivity.with {
        $0.type = .departmentExchange
        $0.title = "对口交流"
        $0.heldOn = "2026-06-01"
        $0.hostSide = .suzhou
        $0.participatingOffices = ["suqian.commerce", "suqian.nobody"]
        $0.peopleCount = 10
      }
      let unknown = await Self.refusal(h, payload { $0.exchangeActivity = activity }, tenant: "city")
      #expect(unknown?.code == .failedPrecondition)
      #expect(unknown?.message.contains("payload.participating_offices[1]: no office 'suqian.nobody' in the directory") == true)
    }
  }

  @Test("A target whose metric and scope contradict is refused, naming the scope it takes")
  func targetScope() async throws {
    try await Harness.with(dataset: true) { h in
      let target = Gongjian_V1_Target.with {
        $0.metric = .promotionEventsPerPark
        $0.scope = .cityWide
        $0.threshold = 1
        $0.year = 2027
      }
      let contradiction = await Self.refusal(h, payload { $0.target = target }, tenant: "city", as: "suqian.drc")
      #expect(contradiction?.message.contains("payload.scope: this metric is counted over TARGET_SCOPE_EACH_PARK, not TARGET_SCOPE_CITY_WIDE") == true)
    }
  }

  @Test("Values outside a field's plausible range are applied with a warning; the range is configurable")
  func plausibleRanges() async throws {
    try await Harness.with(dataset: true) { h in
      var slip = project()
      slip.name = "万元误录为元的项目"
      slip.plannedInvestmentYuan = 50_000  // 5 亿元 meant, entered in 万元
      let created = try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.transferredProject = slip })
      #expect(created.version == 1)
      #expect(created.warnings == [
        "planned_investment_yuan: 50000 is outside the plausible range 10000000…50000000000; check the unit (a unit slip such as 亩 for centimu or 万元 for yuan?)",
      ])
      // The raw push answers with the same warning, naming the mutation's field.
      var other = slip
      other.name = "另一个项目"
      let response = try await h.sync.push(pushRequest("sip-suqian", [.with {
        $0.mutationID = newID()
        $0.kind = "transferred_project"
        $0.recordID = newID()
        $0.payload = RecordKind.transferredProject.pack(serialized: try other.serializedBytes())
      }]), metadata: office("suqian.commerce"))
      #expect(response.results[0].applied.warnings.map(\.field) == ["mutations[0].payload.planned_investment_yuan"])
    }
    try await Harness.with(dataset: true, configure: { $0.validation.plausibleRanges.set(.init(kind: .transferredProject, field: "planned_investment_yuan", min: 1, max: 100)) }) { h in
      let created = try await h.create("sip-suqian", as: "suqian.commerce", payload { $0.transferredProject = project() })
      #expect(created.warnings.first?.hasPrefix("planned_investment_yuan: 500000000 is outside the plausible range 1…100") == true)
    }
  }
}
