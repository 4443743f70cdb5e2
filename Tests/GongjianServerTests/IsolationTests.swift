import Foundation
import GongjianProtocol
@testable import GongjianServer
import GRPCCore
import SwiftProtobuf
import Testing

/// Regression tests for the isolation defects an outside probe found (issue 8, defects 1–3).
@Suite("Tenant isolation on every path")
struct IsolationTests {
  /// A mutation writing `message` as a record of `kind`.
  static func put(_ kind: RecordKind, _ id: String, base: UInt64 = 0, _ message: some SwiftProtobuf.Message) throws -> Gongjian_V1_Mutation {
    try .with {
      $0.mutationID = UUID().uuidString
      $0.kind = kind.name
      $0.recordID = id
      $0.baseVersion = base
      $0.payload = kind.pack(serialized: try message.serializedBytes())
    }
  }

  /// A council and a DRAFT meeting of the sip-suqian partnership, written by its secretariat.
  static func parkMeeting(_ h: Harness) async throws -> String {
    let council = newID()
    let meeting = newID()
    let answer = try await h.sync.push(
      pushRequest("sip-suqian", [
        try put(.council, council, Gongjian_V1_Council.with { $0.name = "苏宿工业园区联席会议"; $0.level = .park }),
        try put(.meeting, meeting, Gongjian_V1_Meeting.with {
          $0.councilID = council; $0.title = "2026 年园区联席会议"; $0.heldOn = "2026-12-20"; $0.place = "宿迁"; $0.status = .draft
        }),
      ]),
      metadata: office("sip.admin")
    )
    #expect(answer.results.allSatisfy { $0.applied.version == 1 })
    return meeting
  }

  /// An agenda item proposed by `officeID` with links.
  static func item(meeting: String, by officeID: String, side: Gongjian_V1_Side, links: [(RecordKind, String, String)]) -> Gongjian_V1_AgendaItem {
    .with {
      $0.meetingID = meeting
      $0.title = "链接测试"
      $0.summary = "说明"
      $0.proposingOffice = officeID
      $0.proposingSide = side
      $0.responsibleUnits = ["园区管委会"]
      $0.status = .proposed
      $0.linkedRecords = links.map { kind, id, tenant in .with { $0.kind = kind.name; $0.id = id; $0.tenantID = tenant } }
    }
  }

  @Test("Defect 1: a raw push cannot link records of a tenant the writer cannot read; packets show links only to readers")
  func crossTenantLinks() async throws {
    try await Harness.with(dataset: true) { h in
      let meeting = try await Self.parkMeeting(h)
      let project = try #require(try await h.store.liveRecords(tenantID: "changshu-sihong", kind: "transferred_project").first)
      let projectName = try Gongjian_V1_TransferredProject(serializedBytes: project.payload).name
      // sip.admin is not a member of changshu-sihong: refused on the raw path as on the typed one.
      let raw = try await h.sync.push(
        pushRequest("sip-suqian", [
          try Self.put(.agendaItem, newID(), Self.item(meeting: meeting, by: "sip.admin", side: .suzhou, links: [(.transferredProject, project.id, "changshu-sihong")])),
        ]),
        metadata: office("sip.admin")
      )
      let rejected = try #require(raw.results.first?.rejected)
      #expect(rejected.code == 7)
      #expect(rejected.violations.map(\.field) == ["mutations[0].payload.linked_records[0].tenant_id"])
      #expect(rejected.message.contains("cannot read tenant changshu-sihong"))
      // The same through the typed call, with the same answer for an existing and a random id.
      for id in [project.id, newID()] {
        let typed = await #expect(throws: RPCError.self) {
          try await h.councils.propose(
            .with {
              $0.tenantID = "sip-suqian"; $0.meetingID = meeting; $0.title = "x"; $0.summary = "y"; $0.responsibleUnits = ["z"]
              $0.linkedRecords = [.with { $0.kind = "transferred_project"; $0.id = id; $0.tenantID = "changshu-sihong" }]
            },
            metadata: office("sip.admin")
          )
        }
        #expect(typed?.code == .permissionDenied)
        #expect(typed?.message.contains("cannot read tenant changshu-sihong") == true)
      }

      // suqian.commerce reads both partnerships: its link is legitimate, as is one to a park it later deletes.
      let park = newID()
      _ = try await h.sync.push(
        pushRequest("changshu-sihong", [try Self.put(.park, park, Gongjian_V1_Park.with {
          $0.name = "临时测试园区"; $0.hostCounty = "泗洪县"; $0.suzhouPartner = "常熟市"; $0.plannedAreaCentimu = 1000; $0.builtAreaCentimu = 500
        })]),
        metadata: office("suqian.commerce")
      )
      let linked = try await h.sync.push(
        pushRequest("sip-suqian", [
          try Self.put(.agendaItem, newID(), Self.item(
            meeting: meeting, by: "suqian.commerce", side: .suqian,
            links: [(.transferredProject, project.id, "changshu-sihong"), (.park, park, "changshu-sihong")]
          )),
        ]),
        metadata: office("suqian.commerce")
      )
      #expect(linked.results.first?.applied.version == 1)
      // A link to a record that does not exist is refused, naming the field.
      let missing = try await h.sync.push(
        pushRequest("sip-suqian", [
          try Self.put(.agendaItem, newID(), Self.item(meeting: meeting, by: "suqian.commerce", side: .suqian, links: [(.park, newID(), "changshu-sihong")])),
        ]),
        metadata: office("suqian.commerce")
      )
      #expect(missing.results.first?.rejected.violations.map(\.field) == ["mutations[0].payload.linked_records[0].id"])

      let items = try await h.sync.push(
        pushRequest("sip-suqian", [try Self.put(.agendaItem, newID(), Self.item(meeting: meeting, by: "sip.admin", side: .suzhou, links: []))]),
        metadata: office("sip.admin")
      )
      #expect(items.results.first?.applied.version == 1)
      // Accept the linked item so that it is in the packet.
      let agenda = try await h.councils.getAgenda(.with { $0.tenantID = "sip-suqian"; $0.meetingID = meeting }, metadata: office("sip.admin"))
      for view in agenda.items where !view.item.linkedRecords.isEmpty {
        _ = try await h.councils.acceptItem(.with { $0.tenantID = "sip-suqian"; $0.itemID = view.id }, metadata: office("sip.admin"))
      }
      _ = try await h.sync.push(
        pushRequest("changshu-sihong", [.with { $0.mutationID = UUID().uuidString; $0.kind = "park"; $0.recordID = park; $0.baseVersion = 1; $0.delete = true }]),
        metadata: office("suqian.commerce")
      )

      let packet = { (reader: String) in
        try await h.councils.preparePacket(.with { $0.tenantID = "sip-suqian"; $0.meetingID = meeting }, metadata: office(reader)).html
      }
      // A reader of both partnerships sees the project; a viewer of sip-suqian only sees neither
      // the project nor whether the deleted park's id exists.
      #expect(try await packet("suqian.commerce").contains(projectName))
      let outsider = try await packet("suqian.finance")
      #expect(!outsider.contains(projectName))
      #expect(!outsider.contains(project.id))
      #expect(!outsider.contains(park))
      #expect(outsider.components(separatedBy: MeetingPacket.restrictedLinkLabel).count - 1 == 2)
      // The secretariat, which cannot read changshu-sihong, still moves the item whose linked park
      // is gone, and learns nothing about it.
      let linkedItem = try #require(agenda.items.first { !$0.item.linkedRecords.isEmpty })
      let deferred = try await h.councils.deferItem(.with { $0.tenantID = "sip-suqian"; $0.itemID = linkedItem.id }, metadata: office("sip.admin"))
      #expect(deferred.item.status == .deferred)
    }
  }

  /// One call per RPC that takes an id, made as an office that cannot read the id's tenant.
  struct Probe: Sendable, CustomTestStringConvertible {
    var name: String
    var call: @Sendable (Harness, _ id: String, _ caller: String) async throws -> Void
    var testDescription: String { self.name }
  }

  static let probes: [Probe] = [
    Probe(name: "Records.Get") { h, id, who in
      _ = try await h.records.get(.with { $0.tenantID = "changshu-sihong"; $0.kind = "transferred_project"; $0.id = id }, metadata: office(who))
    },
    Probe(name: "Records.Update") { h, id, who in
      _ = try await h.records.update(.with {
        $0.tenantID = "changshu-sihong"; $0.id = id; $0.baseVersion = 1; $0.payload.park = .with { $0.name = "x" }
      }, metadata: office(who))
    },
    Probe(name: "Records.Delete") { h, id, who in
      _ = try await h.records.delete(.with { $0.tenantID = "changshu-sihong"; $0.kind = "park"; $0.id = id; $0.baseVersion = 1 }, metadata: office(who))
    },
    Probe(name: "Records.Create with an id") { h, id, who in
      _ = try await h.records.create(.with { $0.tenantID = "changshu-sihong"; $0.id = id; $0.payload.park = .with { $0.name = "x" } }, metadata: office(who))
    },
    Probe(name: "Sync.GetRecord") { h, id, who in
      _ = try await h.sync.getRecord(.with { $0.tenantID = "changshu-sihong"; $0.kind = "transferred_project"; $0.id = id }, metadata: office(who))
    },
    Probe(name: "Sync.Push of an update") { h, id, who in
      let answer = try await h.sync.push(pushRequest("changshu-sihong", [putPark(id, base: 1, name: "x")]), metadata: office(who))
      throw RPCError(code: .unknown, message: "answered \(answer.results.first?.outcome.debugDescription ?? "")")
    },
    Probe(name: "Councils.SetMeetingStatus") { h, id, who in
      _ = try await h.councils.setMeetingStatus(.with { $0.tenantID = "city"; $0.meetingID = id; $0.status = .held }, metadata: office(who))
    },
    Probe(name: "Councils.GetAgenda") { h, id, who in
      _ = try await h.councils.getAgenda(.with { $0.tenantID = "city"; $0.meetingID = id }, metadata: office(who))
    },
    Probe(name: "Councils.Propose") { h, id, who in
      _ = try await h.councils.propose(.with { $0.tenantID = "city"; $0.meetingID = id; $0.title = "x"; $0.summary = "y"; $0.responsibleUnits = ["z"] }, metadata: office(who))
    },
    Probe(name: "Councils.AcceptItem") { h, id, who in
      _ = try await h.councils.acceptItem(.with { $0.tenantID = "city"; $0.itemID = id }, metadata: office(who))
    },
    Probe(name: "Councils.DeferItem") { h, id, who in
      _ = try await h.councils.deferItem(.with { $0.tenantID = "city"; $0.itemID = id }, metadata: office(who))
    },
    Probe(name: "Councils.WithdrawItem") { h, id, who in
      _ = try await h.councils.withdrawItem(.with { $0.tenantID = "city"; $0.itemID = id }, metadata: office(who))
    },
    Probe(name: "Councils.OrderItems") { h, id, who in
      _ = try await h.councils.orderItems(.with { $0.tenantID = "city"; $0.meetingID = id; $0.itemIds = [] }, metadata: office(who))
    },
    Probe(name: "Councils.Decide") { h, id, who in
      _ = try await h.councils.decide(.with { $0.tenantID = "city"; $0.itemID = id; $0.text = "x" }, metadata: office(who))
    },
    Probe(name: "Councils.UpdateAction") { h, id, who in
      _ = try await h.councils.updateAction(.with { $0.tenantID = "city"; $0.actionID = id; $0.note = "x" }, metadata: office(who))
    },
    Probe(name: "Councils.PreparePacket") { h, id, who in
      _ = try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = id }, metadata: office(who))
    },
    Probe(name: "Admin.RevokeCertificate") { h, id, who in
      _ = try await h.admin.revokeCertificate(.with { $0.serial = id }, metadata: office(who))
    },
    Probe(name: "Admin.RemoveMembership") { h, id, who in
      _ = try await h.admin.removeMembership(.with { $0.tenantID = "city"; $0.officeID = id }, metadata: office(who))
    },
  ]

  @Test("Defect 2: every id-taking RPC answers an outsider alike for an existing and a random id", arguments: probes)
  func noExistenceOracle(_ probe: Probe) async throws {
    try await Harness.with(dataset: true) { h in
      // An id that exists for each probe's tenant and kind.
      let existing: String
      switch probe.name {
      case "Records.Get", "Sync.GetRecord", "Records.Update", "Records.Create with an id", "Sync.Push of an update":
        existing = try #require(try await h.store.liveRecords(tenantID: "changshu-sihong", kind: "transferred_project").first?.id)
      case "Records.Delete":
        existing = try #require(try await h.store.liveRecords(tenantID: "changshu-sihong", kind: "park").first?.id)
      case "Councils.AcceptItem", "Councils.DeferItem", "Councils.WithdrawItem", "Councils.Decide":
        existing = CID.item2026Training
      case "Councils.UpdateAction":
        existing = try #require(try await h.store.liveRecords(tenantID: "city", kind: "action_item").first?.id)
      case "Admin.RevokeCertificate":
        existing = "01"
      case "Admin.RemoveMembership":
        existing = "suqian.liaison"
      default:
        existing = CID.meeting2026
      }
      // sip.admin belongs to sip-suqian only: it can read neither changshu-sihong nor city.
      func answer(_ id: String) async -> String {
        do {
          try await probe.call(h, id, "sip.admin")
          return "OK"
        } catch let error as RPCError {
          return "\(error.code): \(error.message)"
        } catch {
          return "\(error)"
        }
      }
      let forExisting = await answer(existing)
      let forRandom = await answer(probe.name.hasPrefix("Admin.Remove") ? "nobody.here" : newID())
      #expect(forExisting == forRandom)
      #expect(forExisting.hasPrefix("permissionDenied"), "\(probe.name): \(forExisting)")
    }
  }

  @Test("Defect 3: a client id cannot be claimed for another office")
  func clientIDsAreScopedByOffice() async throws {
    try await Harness.with(dataset: true) { h in
      // suqian.commerce claims the client id the typed calls of suqian.liaison use.
      let squat = try await h.sync.push(
        pushRequest("sip-suqian", client: "rpc:suqian.liaison", [putPark(newID(), base: 0, name: "占用")]),
        metadata: office("suqian.commerce")
      )
      #expect(squat.results.first?.applied.version == 1)
      // The victim's typed writes and raw pushes with the same client id still work.
      let proposal = try await h.propose("联络处议题", as: "suqian.liaison")
      #expect(proposal.item.status == .proposed)
      let own = try await h.sync.push(
        pushRequest("city", client: "rpc:suqian.liaison", [try Self.put(.agendaItem, newID(), Self.item(meeting: CID.meeting2026, by: "suqian.liaison", side: .suqian, links: []))]),
        metadata: office("suqian.liaison")
      )
      #expect(own.results.first?.applied.version == 1)
      // The same mutation id from two offices are two mutations, not a replay of the other's.
      let mutation = putPark(newID(), base: 0, name: "同号", mutationID: "shared-mutation-id")
      let first = try await h.sync.push(pushRequest("sip-suqian", client: "laptop", [mutation]), metadata: office("suqian.commerce"))
      var second = mutation
      second.recordID = newID()
      second.payload = parkPayload("同号之二")  // a park of its own (a tenant's parks have distinct names)
      let other = try await h.sync.push(pushRequest("sip-suqian", client: "laptop", [second]), metadata: office("sip-suqian.admin"))
      #expect(!first.results[0].replayed && !other.results[0].replayed)
      #expect(other.results[0].applied.version == 1)
    }
  }
}
