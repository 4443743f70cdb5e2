internal import GongjianProtocol

/// The agenda workflow: either side proposes; the secretariat accepts, defers (to the next
/// meeting, keeping the history) and orders; the proposer withdraws. Once the agenda is
/// published, changes need the secretariat and count as revisions. The history only grows.
enum AgendaItemRules {
  typealias Status = Gongjian_V1_AgendaItemStatus

  /// The item without its workflow fields: what a proposer writes.
  static func contentOnly(_ item: Gongjian_V1_AgendaItem) -> Gongjian_V1_AgendaItem {
    var content = item
    content.status = .unspecified
    content.order = 0
    content.history = []
    content.revision = 0
    content.meetingID = ""
    content.deferredFromMeetingID = ""
    return content
  }

  static func name(_ status: Status) -> String {
    switch status {
    case .proposed: "PROPOSED"
    case .accepted: "ACCEPTED"
    case .deferred: "DEFERRED"
    case .withdrawn: "WITHDRAWN"
    default: "UNSPECIFIED"
    }
  }

  /// Who may make each move: `true` for the secretariat, `false` for the proposer.
  static let moves: [Status: [(to: Status, bySecretariat: Bool)]] = [
    .proposed: [(.accepted, true), (.deferred, true), (.withdrawn, false)],
    .accepted: [(.deferred, true), (.withdrawn, false)],
    // A deferred item moves to the next meeting as a proposal again.
    .deferred: [(.proposed, true)],
  ]

  static let rule = KindRule(
    .agendaItem, payload: Gongjian_V1_AgendaItem.self, deletable: false,
    trim: { item in
      item.title = FieldChecks.trimmed(item.title)
      item.summary = FieldChecks.trimmed(item.summary)
      item.decisionSought = FieldChecks.trimmed(item.decisionSought)
      item.responsibleUnits = item.responsibleUnits.map(FieldChecks.trimmed)
    },
    validate: { item in
      var checks = FieldChecks()
      checks.requireUUID(item.meetingID, "meeting_id")
      checks.requireText(item.title, "title")
      checks.requireText(item.summary, "summary", maxLength: 4000)
      if !OfficeIdentity.isValidIdentifier(item.proposingOffice) { checks.fail("proposing_office", "an office id") }
      if item.proposingSide != .suzhou && item.proposingSide != .suqian { checks.fail("proposing_side", "SIDE_SUZHOU or SIDE_SUQIAN") }
      if item.responsibleUnits.isEmpty { checks.fail("responsible_units", "at least one responsible unit (责任单位)") }
      for (index, unit) in item.responsibleUnits.enumerated() { checks.requireText(unit, "responsible_units[\(index)]") }
      checks.limitText(item.decisionSought, "decision_sought", maxLength: 2000)
      for (index, link) in item.linkedRecords.enumerated() {
        if RecordKind.named(link.kind) == nil { checks.fail("linked_records[\(index)].kind", "unknown kind '\(link.kind)'") }
        checks.requireUUID(link.id, "linked_records[\(index)].id")
        if !link.tenantID.isEmpty && !OfficeIdentity.isValidIdentifier(link.tenantID) {
          checks.fail("linked_records[\(index)].tenant_id", "a tenant id, or empty for this tenant")
        }
      }
      for (index, attachment) in item.attachments.enumerated() {
        checks.requireText(attachment.name, "attachments[\(index)].name")
        if attachment.sha256.count != 64 || !attachment.sha256.allSatisfy(\.isHexDigit) {
          checks.fail("attachments[\(index)].sha256", "64 hex digits of an uploaded attachment")
        }
      }
      if ![.proposed, .accepted, .deferred, .withdrawn].contains(item.status) {
        checks.fail("status", "one of PROPOSED, ACCEPTED, DEFERRED, WITHDRAWN")
      }
      if item.status == .accepted ? item.order < 1 : item.order != 0 {
        checks.fail("order", item.status == .accepted ? "accepted items have a position from 1" : "only accepted items have a position")
      }
      checks.optionalUUID(item.deferredFromMeetingID, "deferred_from_meeting_id")
      return checks.violations
    },
    references: { item in
      [.init(field: "meeting_id", kind: .meeting, id: item.meetingID)]
        // Links into another tenant too: the engine checks that the writer can read that tenant.
        + item.linkedRecords.enumerated().compactMap { index, link in
          RecordKind.named(link.kind).map { .init(field: "linked_records[\(index)].id", kind: $0, id: link.id, tenantID: link.tenantID) }
        }
    },
    check: { input in
      var violations: [GongjianError.FieldViolation] = []
      func fail(_ field: String, _ description: String) { violations.append(.init(field: field, description: description)) }
      let new = input.new
      let context = input.context
      let secretariat = context.role.includes(.secretariat)
      let meeting = input.record(.meeting, new.meetingID, as: Gongjian_V1_Meeting.self)
      let published = (meeting?.status ?? .draft) != .draft
      if meeting.map({ $0.status == .held || $0.status == .minutesApproved }) == true, !secretariat {
        fail("meeting_id", "the meeting is \(MeetingRules.name(meeting!.status)); only the secretariat changes its agenda")
      }
      guard let current = input.current else {
        // A proposal: by the office itself, as PROPOSED.
        if new.proposingOffice != context.officeID {
          fail("proposing_office", "must be the proposing office itself (\(context.officeID))")
        }
        if new.proposingSide != context.side {
          fail("proposing_side", "must be the office's side (\(context.side.displayName))")
        }
        if new.status != .proposed { fail("status", "a new agenda item starts as PROPOSED") }
        if published && !secretariat {
          fail("meeting_id", "the agenda is published; only the secretariat adds items now")
        }
        return violations
      }
      let isProposer = context.officeID == current.proposingOffice
      if new.proposingOffice != current.proposingOffice || new.proposingSide != current.proposingSide {
        fail("proposing_office", "the proposer of an item does not change")
      }
      if new.history.count < current.history.count || Array(new.history.prefix(current.history.count)) != current.history {
        fail("history", "the history only grows: keep the \(current.history.count) earlier entries")
      }
      if new.status != current.status {
        let allowed = moves[current.status] ?? []
        if let move = allowed.first(where: { $0.to == new.status }) {
          if move.bySecretariat && !secretariat {
            fail("status", "\(name(current.status)) → \(name(new.status)) is the secretariat's move")
          } else if !move.bySecretariat && !isProposer {
            fail("status", "\(name(current.status)) → \(name(new.status)) is the proposer's (\(current.proposingOffice)) move")
          }
        } else {
          let options = allowed.isEmpty ? "none: \(name(current.status)) is final" : allowed.map { name($0.to) }.joined(separator: ", ")
          fail("status", "\(name(current.status)) → \(name(new.status)) is not allowed; allowed next: \(options)")
        }
      }
      // Leaving the accepted list (withdrawal) clears the position; only the secretariat sets one.
      if new.order != current.order && !secretariat && !(new.order == 0 && new.status != .accepted) {
        fail("order", "the secretariat orders the agenda")
      }
      if new.meetingID != current.meetingID && !(current.status == .deferred && new.status == .proposed) {
        fail("meeting_id", "an item changes meeting only when a deferred item moves on")
      }
      if contentOnly(new) != contentOnly(current) {
        if published {
          if !secretariat { fail("title", "the agenda is published; only the secretariat revises items") }
          if new.revision != current.revision + 1 {
            fail("revision", "a change after publication is revision \(current.revision + 1)")
          }
        } else if !secretariat && !isProposer {
          fail("title", "only the proposer or the secretariat edits an item")
        }
      }
      return violations
    }
  )
}
