extension RecordKind {
  /// A joint coordination council (`Gongjian_V1_Council`).
  public static let council = RecordKind(
    "council", Gongjian_V1_Council.self,
    get: { if case .council(let c) = $0 { c } else { nil } }, set: { $0.council = $1 },
    label: .init("理事会", "council"),
    columns: ["NAME"],
    summary: { [$0.name] },
    fieldLabels: ["name": "名称", "description": "说明"],
    readerTitle: { c, _ in c.name }
  )

  /// A council meeting (`Gongjian_V1_Meeting`).
  public static let meeting = RecordKind(
    "meeting", Gongjian_V1_Meeting.self,
    get: { if case .meeting(let m) = $0 { m } else { nil } }, set: { $0.meeting = $1 },
    label: .init("会议", "meeting"),
    columns: ["TITLE", "HELD ON", "PLACE", "STATUS"],
    summary: { [$0.title, $0.heldOn, $0.place, String(describing: $0.status)] },
    fieldLabels: ["title": "标题", "held_on": "举办日期", "status": "状态"],
    filter: { meeting, r in RecordFilter.sameYear(r.year, RecordFilter.year(meeting.heldOn)) },
    readerTitle: { m, _ in m.title }
  )

  /// An agenda item (`Gongjian_V1_AgendaItem`).
  public static let agendaItem = RecordKind(
    "agenda_item", Gongjian_V1_AgendaItem.self,
    get: { if case .agendaItem(let a) = $0 { a } else { nil } }, set: { $0.agendaItem = $1 },
    label: .init("议题", "agenda item"),
    columns: ["TITLE", "PROPOSED BY", "STATUS", "ORDER"],
    summary: { [$0.title, $0.proposingOffice, String(describing: $0.status), $0.order > 0 ? "#\($0.order)" : ""] },
    fieldLabels: ["title": "标题", "status": "状态"],
    readerTitle: { a, _ in a.title }
  )

  /// A decision on an agenda item (`Gongjian_V1_Decision`).
  public static let decision = RecordKind(
    "decision", Gongjian_V1_Decision.self,
    get: { if case .decision(let d) = $0 { d } else { nil } }, set: { $0.decision = $1 },
    label: .init("决定", "decision"),
    columns: ["TEXT", "DECIDED ON"],
    summary: { [$0.text, $0.decidedOn] },
    fieldLabels: [:],
    readerTitle: { d, _ in d.text }
  )

  /// An action item from a decision (`Gongjian_V1_ActionItem`).
  public static let actionItem = RecordKind(
    "action_item", Gongjian_V1_ActionItem.self,
    get: { if case .actionItem(let a) = $0 { a } else { nil } }, set: { $0.actionItem = $1 },
    label: .init("督办事项", "action item"),
    columns: ["TITLE", "OWNER", "DUE", "STATUS"],
    summary: { [$0.title, $0.ownerUnit, $0.dueOn, String(describing: $0.status)] },
    fieldLabels: ["title": "标题", "status": "状态"],
    readerTitle: { a, _ in a.title }
  )
}
