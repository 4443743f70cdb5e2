import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GongjianProtocol
import GongjianServer
import GRPCCore
import Testing

typealias CID = DevDataset.CouncilID

extension Harness {
  func propose(_ title: String, as officeID: String, meeting: String = CID.meeting2026, attachments: [Gongjian_V1_AttachmentRef] = []) async throws -> Gongjian_V1_AgendaItemView {
    try await self.councils.propose(
      .with {
        $0.tenantID = "city"
        $0.meetingID = meeting
        $0.title = title
        $0.summary = "\(title)：情况说明"
        $0.responsibleUnits = ["市发展改革委"]
        $0.attachments = attachments
      },
      metadata: office(officeID)
    )
  }

  func itemAction(_ item: String, as officeID: String) -> Gongjian_V1_AgendaActionRequest {
    .with { $0.tenantID = "city"; $0.itemID = item }
  }
}

@Suite("Joint council: agenda workflow, decisions, actions and the packet")
struct CouncilTests {
  @Test("Either side proposes; viewers cannot; the side comes from the membership")
  func proposals() async throws {
    try await Harness.with(dataset: true) { h in
      let north = try await h.propose("宿迁方议题", as: "suqian.commerce")
      #expect(north.item.status == .proposed)
      #expect(north.item.proposingSide == .suqian)
      #expect(north.item.history.map(\.action) == ["proposed"])
      let south = try await h.propose("苏州方议题", as: "suzhou.drc")
      #expect(south.item.proposingSide == .suzhou)
      let viewer = await #expect(throws: RPCError.self) { try await h.propose("x", as: "suqian.finance") }
      #expect(viewer?.code == .permissionDenied)
      #expect(viewer?.message == "office suqian.finance has role viewer in tenant city; propose an agenda item needs contributor")
    }
  }

  @Test("The secretariat accepts, defers and orders; the proposer withdraws; illegal moves name the allowed ones")
  func workflowRoles() async throws {
    try await Harness.with(dataset: true) { h in
      let item = try await h.propose("宿迁方议题", as: "suqian.commerce")
      let notSecretariat = await #expect(throws: RPCError.self) {
        try await h.councils.acceptItem(h.itemAction(item.id, as: ""), metadata: office("suqian.commerce"))
      }
      #expect(notSecretariat?.code == .permissionDenied)
      let notProposer = await #expect(throws: RPCError.self) {
        try await h.councils.withdrawItem(h.itemAction(item.id, as: ""), metadata: office("suzhou.drc"))
      }
      #expect(notProposer?.code == .failedPrecondition)
      #expect(notProposer?.message.contains("PROPOSED → WITHDRAWN is the proposer's (suqian.commerce) move") == true)
      let accepted = try await h.councils.acceptItem(h.itemAction(item.id, as: ""), metadata: office("suzhou.drc"))
      #expect(accepted.item.status == .accepted)
      #expect(accepted.item.order == 4)  // after the three accepted sample items
      let withdrawn = try await h.councils.withdrawItem(h.itemAction(item.id, as: ""), metadata: office("suqian.commerce"))
      #expect(withdrawn.item.status == .withdrawn)
      #expect(withdrawn.item.order == 0)
      let final = await #expect(throws: RPCError.self) {
        try await h.councils.acceptItem(h.itemAction(item.id, as: ""), metadata: office("suzhou.drc"))
      }
      #expect(final?.message.contains("WITHDRAWN → ACCEPTED is not allowed; allowed next: none: WITHDRAWN is final") == true)
      #expect(withdrawn.item.history.map(\.action) == ["proposed", "accepted", "withdrawn"])

      // Ordering: the secretariat only, with every accepted item.
      let order = [CID.item2026Finance, CID.item2026Projects, CID.itemDeferred]
      let contributor = await #expect(throws: RPCError.self) {
        try await h.councils.orderItems(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026; $0.itemIds = order }, metadata: office("suqian.commerce"))
      }
      #expect(contributor?.code == .permissionDenied)
      let partial = await #expect(throws: RPCError.self) {
        try await h.councils.orderItems(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026; $0.itemIds = [CID.item2026Finance] }, metadata: office("suzhou.drc"))
      }
      #expect(partial?.message.contains("item_ids") == true)
      let agenda = try await h.councils.orderItems(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026; $0.itemIds = order }, metadata: office("suzhou.drc"))
      #expect(agenda.items.filter { $0.item.status == .accepted }.map(\.id) == order)
      #expect(agenda.items.first?.item.history.last?.action == "reordered")
    }
  }

  @Test("Once the agenda is published, only the secretariat changes it, and each change is a revision")
  func publishedAgenda() async throws {
    try await Harness.with(dataset: true) { h in
      let published = try await h.councils.setMeetingStatus(
        .with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026; $0.status = .agendaPublished }, metadata: office("suzhou.drc")
      )
      #expect(published.meeting.agendaVersion == 1)
      let late = await #expect(throws: RPCError.self) { try await h.propose("迟到的议题", as: "suqian.commerce") }
      #expect(late?.message.contains("the agenda is published; only the secretariat adds items now") == true)
      _ = try await h.propose("秘书处补充议题", as: "suzhou.drc")
      _ = try await h.councils.acceptItem(h.itemAction(CID.item2026Training, as: ""), metadata: office("suzhou.drc"))
      let agenda = try await h.councils.getAgenda(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026 }, metadata: office("suqian.finance"))
      #expect(agenda.meeting.meeting.agendaVersion == 3)
      // The proposer edits its published item directly: refused.
      let record = try await h.records.get(.with { $0.tenantID = "city"; $0.kind = "agenda_item"; $0.id = CID.item2026Projects }, metadata: office("suqian.commerce"))
      var edited = record.payload.agendaItem
      edited.summary = "改写"
      let edit = await #expect(throws: RPCError.self) {
        try await h.update("city", as: "suqian.commerce", id: CID.item2026Projects, base: record.version, payload { $0.agendaItem = edited })
      }
      #expect(edit?.message.contains("only the secretariat revises items") == true)
      // Skipping a meeting status is refused with the allowed one named.
      let skip = await #expect(throws: RPCError.self) {
        try await h.councils.setMeetingStatus(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026; $0.status = .minutesApproved }, metadata: office("suzhou.drc"))
      }
      #expect(skip?.message.contains("AGENDA_PUBLISHED → MINUTES_APPROVED is not allowed; allowed next: HELD") == true)
    }
  }

  @Test("Accepting an accepted item changes nothing and says so; the agenda stays numbered 1…n after every move")
  func denseAgenda() async throws {
    try await Harness.with(dataset: true) { h in
      let agenda = { try await h.councils.getAgenda(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026 }, metadata: office("suqian.finance")) }
      let before = try await agenda()
      let again = await #expect(throws: RPCError.self) {
        try await h.councils.acceptItem(h.itemAction(CID.item2026Finance, as: ""), metadata: office("suzhou.drc"))
      }
      #expect(again?.code == .failedPrecondition)
      #expect(again?.message == "item_id: the item is already accepted (number 2 on the agenda); nothing changed")
      let unchanged = try await agenda()
      #expect(unchanged.items.map(\.version) == before.items.map(\.version))
      func numbers() async throws -> [Int32] {
        try await agenda().items.filter { $0.item.status == .accepted }.map(\.item.order)
      }
      #expect(try await numbers() == [1, 2, 3])
      // The secretariat defers the first item: the others close up.
      _ = try await h.councils.deferItem(h.itemAction(CID.item2026Projects, as: ""), metadata: office("suzhou.drc"))
      #expect(try await numbers() == [1, 2])
      let stored = try await h.records.get(.with { $0.tenantID = "city"; $0.kind = "agenda_item"; $0.id = CID.itemDeferred }, metadata: office("suzhou.drc"))
      #expect(stored.payload.agendaItem.order == 2)
      // A proposal accepted goes last; its proposer withdrawing the middle one leaves 1…n as shown.
      let proposal = try await h.propose("新议题", as: "suqian.commerce")
      let accepted = try await h.councils.acceptItem(h.itemAction(proposal.id, as: ""), metadata: office("suzhou.drc"))
      #expect(accepted.item.order == 3)
      _ = try await h.councils.acceptItem(h.itemAction(CID.item2026Training, as: ""), metadata: office("suzhou.drc"))
      _ = try await h.councils.withdrawItem(h.itemAction(proposal.id, as: ""), metadata: office("suqian.commerce"))
      #expect(try await numbers() == [1, 2, 3])
      // The secretariat's next move stores them dense again.
      _ = try await h.councils.withdrawItem(h.itemAction(CID.item2026Finance, as: ""), metadata: office("suqian.drc"))
      let orders = try await h.store.liveRecords(tenantID: "city", kind: "agenda_item")
        .map { try Gongjian_V1_AgendaItem(serializedBytes: $0.payload) }
        .filter { $0.meetingID == CID.meeting2026 && $0.status == .accepted }.map(\.order).sorted()
      #expect(orders == [1, 2])
    }
  }

  @Test("Multi-step moves commit as one push: all or nothing")
  func atomicMoves() async throws {
    try await Harness.with(dataset: true) { h in
      // A raw atomic push with one bad mutation applies nothing and stores no answer to replay.
      let park = newID()
      let good = putPark(park, base: 0, name: "原子园区", mutationID: "atomic-1")
      var bad = putPark(newID(), base: 0, name: "x", mutationID: "atomic-2")
      bad.kind = "no_such_kind"
      var request = pushRequest("sip-suqian", [good, bad])
      request.atomic = true
      let refused = try await h.sync.push(request, metadata: office("sip-suqian.admin"))
      guard case .rejected(let aborted) = refused.results[0].outcome, case .rejected = refused.results[1].outcome else {
        Issue.record("expected both refused: \(refused.results)")
        return
      }
      #expect(aborted.code == 10)
      #expect(aborted.message == "not applied: this push is atomic and mutations[1] was not applied")
      #expect(try await h.store.record(tenantID: "sip-suqian", kind: "park", id: park) == nil)
      // Fixed and sent again with the same ids: applied, not replayed.
      request.mutations = [good]
      let applied = try await h.sync.push(request, metadata: office("sip-suqian.admin"))
      guard case .applied = applied.results[0].outcome else {
        Issue.record("expected applied: \(applied.results)")
        return
      }
      #expect(!applied.results[0].replayed)

      // A deferral moves the item to the next meeting in the same push: one commit, two versions.
      let next = try await h.councils.createMeeting(
        .with { $0.tenantID = "city"; $0.councilID = CID.council; $0.title = "2027年苏宿两市联合协调理事会会议"; $0.heldOn = "2027-12-15"; $0.place = "宿迁" },
        metadata: office("suzhou.drc")
      )
      let head = try await h.store.checkpoint(tenantID: "city").headSequence
      let deferred = try await h.councils.deferItem(h.itemAction(CID.item2026Training, as: ""), metadata: office("suzhou.drc"))
      #expect(deferred.item.meetingID == next.id)
      #expect(deferred.item.status == .proposed)
      #expect(deferred.item.history.suffix(2).map(\.action) == ["deferred", "moved"])
      #expect(try await h.store.checkpoint(tenantID: "city").headSequence == head + 2)
    }
  }

  @Test("Deferred items and open actions carry over to the next meeting")
  func carryOver() async throws {
    try await Harness.with(dataset: true) { h in
      let deferred = try await h.councils.deferItem(h.itemAction(CID.item2026Training, as: ""), metadata: office("suzhou.drc"))
      #expect(deferred.item.status == .deferred)  // no later meeting yet
      let next = try await h.councils.createMeeting(
        .with { $0.tenantID = "city"; $0.councilID = CID.council; $0.title = "2027 年度苏宿合作联席会议"; $0.heldOn = "2027-12-15"; $0.place = "宿迁" },
        metadata: office("suzhou.drc")
      )
      let agenda = try await h.councils.getAgenda(.with { $0.tenantID = "city"; $0.meetingID = next.id }, metadata: office("suqian.commerce"))
      let moved = try #require(agenda.items.first { $0.id == CID.item2026Training })
      #expect(moved.item.status == .proposed)
      #expect(moved.item.deferredFromMeetingID == CID.meeting2026)
      #expect(moved.item.history.map(\.action) == ["proposed", "deferred", "moved"])
      // The new meeting's packet names the carried-over item awaiting acceptance.
      let pending = try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = next.id }, metadata: office("suqian.commerce"))
      #expect(pending.markdown.contains("> 另有由此前会议顺延、尚待秘书处确认列入本次议程的议题：“园区管理人员赴苏州培训”。"))
      // The 2025 actions still open reach the 2026 packet (one due, one carried over) and, both
      // due by then, the 2027 packet; the one done does not.
      let packet2026 = try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026 }, metadata: office("suqian.commerce"))
      #expect(packet2026.markdown.contains("| 吴江（泗阳）园区赴吴江举办招商推介 | 泗阳县人民政府 | 2026年10月31日 | 逾期未完成 |"))
      #expect(packet2026.markdown.contains("| 苏宿工业园区研发投入占比提高到 3.5% | 苏宿工业园区管委会 | 2027年6月30日 | 推进中 |"))
      let packet = try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = next.id }, metadata: office("suqian.commerce"))
      // 2026 took no decisions; the 2025 items still open follow, both overdue by 2027-12-15.
      #expect(packet.markdown.contains("### （一）此前会议延续督办事项"))
      #expect(packet.markdown.contains("| 吴江（泗阳）园区赴吴江举办招商推介 | 泗阳县人民政府 | 2026年10月31日 | 逾期未完成 | 尚未报送进展 | 2025年苏宿两市联合协调理事会会议 |"))
      #expect(packet.markdown.contains("| 苏宿工业园区研发投入占比提高到 3.5% | 苏宿工业园区管委会 | 2027年6月30日 | 逾期未完成 |"))
      #expect(!packet.markdown.contains("制定外资招引专项方案"))
    }
  }

  @Test("Decisions on accepted items create open action items; owners report progress and close them")
  func decisionsAndActions() async throws {
    try await Harness.with(dataset: true) { h in
      // Decisions are recorded once the meeting is held.
      let early = await #expect(throws: RPCError.self) {
        try await h.councils.decide(.with { $0.tenantID = "city"; $0.itemID = CID.item2026Projects; $0.text = "x" }, metadata: office("suzhou.drc"))
      }
      #expect(early?.message.contains("meeting_id: the meeting is DRAFT; decisions are recorded once it is HELD") == true)
      for status in [Gongjian_V1_MeetingStatus.agendaPublished, .held] {
        _ = try await h.councils.setMeetingStatus(.with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026; $0.status = status }, metadata: office("suzhou.drc"))
      }
      // An action due before its decision is refused, naming due_on.
      let dueEarly = await #expect(throws: RPCError.self) {
        try await h.councils.decide(.with {
          $0.tenantID = "city"
          $0.itemID = CID.item2026Projects
          $0.text = "x"
          $0.actions = [.with { $0.title = "补报材料"; $0.ownerUnit = "市商务局"; $0.dueOn = "2026-12-01" }]
        }, metadata: office("suzhou.drc"))
      }
      #expect(dueEarly?.message.contains("due_on: 2026-12-01 is before the decision (2026-12-16)") == true)
      let decided = try await h.councils.decide(
        .with {
          $0.tenantID = "city"
          $0.itemID = CID.item2026Projects
          $0.text = "加快项目落地"
          $0.actions = [.with { $0.title = "建立项目协调台账"; $0.ownerUnit = "市商务局"; $0.dueOn = "2027-03-31" }]
        },
        metadata: office("suzhou.drc")
      )
      let action = try #require(decided.actions.first)
      #expect(action.action.status == .open)
      let notAccepted = await #expect(throws: RPCError.self) {
        try await h.councils.decide(.with { $0.tenantID = "city"; $0.itemID = CID.item2026Training; $0.text = "x" }, metadata: office("suzhou.drc"))
      }
      #expect(notAccepted?.message.contains("decisions are taken on accepted items; this one is PROPOSED") == true)
      let byContributor = await #expect(throws: RPCError.self) {
        try await h.councils.decide(.with { $0.tenantID = "city"; $0.itemID = CID.item2026Projects; $0.text = "x" }, metadata: office("suqian.commerce"))
      }
      #expect(byContributor?.code == .permissionDenied)
      let progressed = try await h.councils.updateAction(.with { $0.tenantID = "city"; $0.actionID = action.id; $0.note = "台账已建立" }, metadata: office("suqian.commerce"))
      #expect(progressed.action.progress.map(\.note) == ["台账已建立"])
      let done = try await h.councils.updateAction(.with { $0.tenantID = "city"; $0.actionID = action.id; $0.status = .done }, metadata: office("suqian.commerce"))
      #expect(done.action.status == .done)
      let reopen = await #expect(throws: RPCError.self) {
        try await h.councils.updateAction(.with { $0.tenantID = "city"; $0.actionID = action.id; $0.status = .open }, metadata: office("suqian.commerce"))
      }
      #expect(reopen?.message.contains("DONE → OPEN is not allowed") == true)
      let open = try await h.councils.listActions(.with { $0.tenantID = "city"; $0.openOnly = true }, metadata: office("suqian.finance"))
      #expect(open.actions.map(\.id).sorted() == [CID.actionOverdue, CID.actionCarried].sorted())
    }
  }

  @Test("Attachments are stored by content hash, listed with name, type and size, and size-limited")
  func attachments() async throws {
    try await Harness.with(dataset: true, configure: { $0.limits.maxAttachmentBytes = 1024 }) { h in
      let content = Data("项目清单\n".utf8)
      let ref = try await h.councils.uploadAttachment(
        .with { $0.tenantID = "city"; $0.name = "项目清单.txt"; $0.contentType = "text/plain"; $0.content = content }, metadata: office("suqian.commerce")
      )
      #expect(ref.size == Int64(content.count))
      #expect(ref.sha256.count == 64)
      let item = try await h.propose("带附件的议题", as: "suqian.commerce", attachments: [ref])
      #expect(item.item.attachments == [ref])
      let big = await #expect(throws: RPCError.self) {
        try await h.councils.uploadAttachment(.with { $0.tenantID = "city"; $0.name = "big.bin"; $0.content = Data(count: 2048) }, metadata: office("suqian.commerce"))
      }
      #expect(big?.code == .resourceExhausted)
      var unknown = ref
      unknown.sha256 = String(repeating: "a", count: 64)
      let missing = await #expect(throws: RPCError.self) { try await h.propose("x", as: "suqian.commerce", attachments: [unknown]) }
      #expect(missing?.message.contains("attachments[0].sha256") == true)
    }
  }

  @Test("Both sides see a proposal, an acceptance and a reordering live, in order")
  func liveAgenda() async throws {
    try await Harness.with(dataset: true, configure: { $0.sync.heartbeatInterval = .milliseconds(200) }) { h in
      let head = try await h.store.checkpoint(tenantID: "city").headSequence
      typealias Stamped = (source: String, action: String, at: ContinuousClock.Instant)
      let live = Counter()
      let stamps = try await withThrowingTaskGroup(of: [Stamped].self) { group in
        group.addTask {
          try await h.sync.subscribe(.with { $0.tenantID = "city"; $0.cursor = head }, metadata: office("suqian.finance")) { response in
            var events: [Stamped] = []
            let start = ContinuousClock.now
            for try await event in response.messages {
              live.add(1)  // caught up at the head: what follows is live
              for record in event.changes.records where record.kind == "agenda_item" {
                let item = try Gongjian_V1_AgendaItem(serializedBytes: record.payload.value)
                events.append(("subscriber", item.history.last?.action ?? "", .now))
              }
              if events.count >= 3 || ContinuousClock.now - start > .seconds(10) { break }
            }
            return events
          }
        }
        group.addTask {
          try await MutualTLSTests.waitUntil("the subscriber caught up") { live.value > 0 }
          var commits: [Stamped] = []
          let item = try await h.propose("实时议题", as: "suqian.commerce")
          commits.append(("writer", "proposed", .now))
          _ = try await h.councils.acceptItem(h.itemAction(item.id, as: ""), metadata: office("suzhou.drc"))
          commits.append(("writer", "accepted", .now))
          _ = try await h.councils.orderItems(
            .with { $0.tenantID = "city"; $0.meetingID = CID.meeting2026; $0.itemIds = [item.id, CID.item2026Projects, CID.item2026Finance, CID.itemDeferred] },
            metadata: office("suzhou.drc")
          )
          commits.append(("writer", "reordered", .now))
          return commits
        }
        return try await group.reduce(into: []) { $0 += $1 }
      }
      let seen = stamps.filter { $0.source == "subscriber" }.prefix(3)
      let commits = Dictionary(stamps.filter { $0.source == "writer" }.map { ($0.action, $0.at) }, uniquingKeysWith: { first, _ in first })
      #expect(seen.map(\.action) == ["proposed", "accepted", "reordered"])
      // Each was delivered live, after the subscriber had caught up; how fast is bench/run's to say.
      for (_, action, _) in seen { #expect(commits[action] != nil, "no commit recorded for \(action)") }
    }
  }
}
