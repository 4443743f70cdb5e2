internal import GongjianProtocol

/// Decisions are recorded by the secretariat on accepted agenda items.
enum DecisionRules {
  static let rule = KindRule(
    .decision, payload: Gongjian_V1_Decision.self, writeRole: .secretariat,
    validate: { decision in
      var checks = FieldChecks()
      checks.requireUUID(decision.meetingID, "meeting_id")
      checks.requireUUID(decision.agendaItemID, "agenda_item_id")
      checks.requireText(decision.text, "text", maxLength: 4000)
      checks.requireDate(decision.decidedOn, "decided_on")
      return checks.violations
    },
    eventDates: { [("decided_on", $0.decidedOn)] },
    references: {
      [.init(field: "meeting_id", kind: .meeting, id: $0.meetingID), .init(field: "agenda_item_id", kind: .agendaItem, id: $0.agendaItemID)]
    },
    check: { input in
      guard let item = input.record(.agendaItem, input.new.agendaItemID, as: Gongjian_V1_AgendaItem.self) else { return [] }
      var violations: [GongjianError.FieldViolation] = []
      if item.status != .accepted {
        violations.append(.init(field: "agenda_item_id", description: "decisions are taken on accepted items; this one is \(AgendaItemRules.name(item.status))"))
      }
      if item.meetingID != input.new.meetingID.lowercased() {
        violations.append(.init(field: "meeting_id", description: "the item is on the agenda of meeting \(item.meetingID)"))
      }
      // A meeting decides once it is held, on or after its day.
      if let meeting = input.record(.meeting, input.new.meetingID.lowercased(), as: Gongjian_V1_Meeting.self) {
        if ![.held, .minutesApproved].contains(meeting.status) {
          violations.append(.init(field: "meeting_id", description: "the meeting is \(MeetingRules.name(meeting.status)); decisions are recorded once it is HELD"))
        }
        if input.new.decidedOn < meeting.heldOn {
          violations.append(.init(field: "decided_on", description: "\(input.new.decidedOn) is before the meeting (\(meeting.heldOn))"))
        }
      }
      return violations
    }
  )
}
