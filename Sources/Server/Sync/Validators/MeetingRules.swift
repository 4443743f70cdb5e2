internal import GongjianProtocol

/// Meetings: DRAFT → AGENDA_PUBLISHED → HELD → MINUTES_APPROVED, one step at a time; the
/// secretariat writes them.
enum MeetingRules {
  typealias Status = Gongjian_V1_MeetingStatus

  static func name(_ status: Status) -> String {
    switch status {
    case .draft: "DRAFT"
    case .agendaPublished: "AGENDA_PUBLISHED"
    case .held: "HELD"
    case .minutesApproved: "MINUTES_APPROVED"
    default: "UNSPECIFIED"
    }
  }

  static func next(after status: Status) -> Status? {
    switch status {
    case .draft: .agendaPublished
    case .agendaPublished: .held
    case .held: .minutesApproved
    default: nil
    }
  }

  static let rule = KindRule(
    .meeting, payload: Gongjian_V1_Meeting.self, writeRole: .secretariat, deletable: false,
    trim: { meeting in
      meeting.title = FieldChecks.trimmed(meeting.title)
      meeting.place = FieldChecks.trimmed(meeting.place)
      meeting.chair = FieldChecks.trimmed(meeting.chair)
      meeting.secretariat = FieldChecks.trimmed(meeting.secretariat)
      meeting.participatingUnits = meeting.participatingUnits.map(FieldChecks.trimmed)
      meeting.startsAt = FieldChecks.trimmed(meeting.startsAt)
    },
    validate: { meeting in
      var checks = FieldChecks()
      checks.requireUUID(meeting.councilID, "council_id")
      checks.requireText(meeting.title, "title")
      checks.requireDate(meeting.heldOn, "held_on")
      checks.requireText(meeting.place, "place")
      if !meeting.startsAt.isEmpty {
        let clock = meeting.startsAt.split(separator: ":")
        if clock.count != 2 || clock[1].count != 2 || !(0...23).contains(Int(clock[0]) ?? -1) || !(0...59).contains(Int(clock[1]) ?? -1) {
          checks.fail("starts_at", "a time HH:MM (got '\(meeting.startsAt)')")
        }
      }
      checks.limitText(meeting.chair, "chair")
      checks.limitText(meeting.secretariat, "secretariat")
      for (index, unit) in meeting.participatingUnits.enumerated() { checks.requireText(unit, "participating_units[\(index)]") }
      if ![.draft, .agendaPublished, .held, .minutesApproved].contains(meeting.status) {
        checks.fail("status", "one of DRAFT, AGENDA_PUBLISHED, HELD, MINUTES_APPROVED")
      }
      if meeting.agendaVersion < 0 { checks.fail("agenda_version", "must not be negative") }
      return checks.violations
    },
    references: { [.init(field: "council_id", kind: .council, id: $0.councilID)] },
    transition: { current, new in
      var violations: [GongjianError.FieldViolation] = []
      if current.status != new.status && next(after: current.status) != new.status {
        let allowed = next(after: current.status).map(name) ?? "none: \(name(current.status)) is final"
        violations.append(.init(field: "status", description: "\(name(current.status)) → \(name(new.status)) is not allowed; allowed next: \(allowed)"))
      }
      if new.agendaVersion < current.agendaVersion {
        violations.append(.init(field: "agenda_version", description: "never decreases (was \(current.agendaVersion))"))
      }
      if new.councilID != current.councilID {
        violations.append(.init(field: "council_id", description: "a meeting stays with its council"))
      }
      return violations
    },
    check: { input in
      // A new meeting starts as a draft.
      guard input.current == nil, input.new.status != .draft else { return [] }
      return [.init(field: "status", description: "a new meeting starts as DRAFT")]
    }
  )
}
