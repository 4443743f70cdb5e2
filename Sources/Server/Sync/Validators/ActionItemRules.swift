internal import GongjianProtocol

/// Action items: OPEN → DONE or DROPPED (final); progress notes only grow. Created by the
/// secretariat from a decision; owners (contributors) report progress and close them.
enum ActionItemRules {
  static func name(_ status: Gongjian_V1_ActionStatus) -> String {
    status.label
  }

  static let rule = KindRule(
    .actionItem, payload: Gongjian_V1_ActionItem.self, deletable: false,
    trim: { action in
      action.title = FieldChecks.trimmed(action.title)
      action.ownerUnit = FieldChecks.trimmed(action.ownerUnit)
    },
    validate: { action in
      var checks = FieldChecks()
      checks.requireUUID(action.decisionID, "decision_id")
      checks.requireUUID(action.meetingID, "meeting_id")
      checks.requireUUID(action.councilID, "council_id")
      checks.requireText(action.title, "title")
      checks.requireText(action.ownerUnit, "owner_unit")
      checks.requireDate(action.dueOn, "due_on")
      if ![.open, .done, .dropped].contains(action.status) { checks.fail("status", "one of OPEN, DONE, DROPPED") }
      for (index, note) in action.progress.enumerated() {
        checks.requireDate(note.on, "progress[\(index)].on")
        checks.requireText(note.note, "progress[\(index)].note", maxLength: 2000)
      }
      return checks.violations
    },
    eventDates: { action in action.progress.enumerated().map { ("progress[\($0.offset)].on", $0.element.on) } },
    references: {
      [
        .init(field: "decision_id", kind: .decision, id: $0.decisionID), .init(field: "meeting_id", kind: .meeting, id: $0.meetingID),
        .init(field: "council_id", kind: .council, id: $0.councilID),
      ]
    },
    transition: { current, new in
      var violations: [GongjianError.FieldViolation] = []
      if current.status != new.status && current.status != .open {
        violations.append(.init(field: "status", description: "\(name(current.status)) → \(name(new.status)) is not allowed; allowed next: none: \(name(current.status)) is final"))
      }
      if Array(new.progress.prefix(current.progress.count)) != current.progress {
        violations.append(.init(field: "progress", description: "progress notes only grow"))
      }
      if new.decisionID != current.decisionID || new.meetingID != current.meetingID || new.councilID != current.councilID {
        violations.append(.init(field: "decision_id", description: "an action item stays with its decision"))
      }
      return violations
    },
    check: { input in
      var violations: [GongjianError.FieldViolation] = []
      if let decision = input.record(.decision, input.new.decisionID.lowercased(), as: Gongjian_V1_Decision.self),
        input.new.dueOn < decision.decidedOn, input.current?.dueOn != input.new.dueOn
      {
        violations.append(.init(field: "due_on", description: "\(input.new.dueOn) is before the decision (\(decision.decidedOn))"))
      }
      guard input.current == nil else { return violations }
      if !input.context.role.includes(.secretariat) {
        violations.append(.init(field: "decision_id", description: "the secretariat creates action items from decisions"))
      }
      if input.new.status != .open {
        violations.append(.init(field: "status", description: "a new action item starts OPEN"))
      }
      return violations
    }
  )
}
