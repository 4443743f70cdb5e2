extension MeetingPacket {
  /// A record the packet is assembled from: id, feed sequence (for a stable order) and payload.
  public struct Entry<Payload: Sendable>: Sendable {
    public var id: String
    public var sequence: UInt64
    public var payload: Payload

    public init(id: String, sequence: UInt64, payload: Payload) {
      self.id = id
      self.sequence = sequence
      self.payload = payload
    }
  }

  /// Assembles a meeting's packet from a tenant's council records, on the server from its store
  /// and on a client from its mirror.
  ///
  /// - Parameters:
  ///   - meeting: The meeting.
  ///   - councilName: Its council's name.
  ///   - meetings: Every meeting of the tenant (for titles and dates of earlier meetings).
  ///   - items: Every agenda item of the tenant.
  ///   - actions: Every action item of the tenant.
  ///   - data: The partnership's records for the indicator, project and activity sections.
  ///   - linkLabels: `"kind/id"` → label of the linked records the reader may see.
  ///   - officeNames: Office id → name, where known.
  ///   - cityWide: True for the city council.
  public static func assemble(
    meeting: Entry<Gongjian_V1_Meeting>, councilName: String, meetings: [Entry<Gongjian_V1_Meeting>],
    items: [Entry<Gongjian_V1_AgendaItem>], actions: [Entry<Gongjian_V1_ActionItem>], data: PartnershipData,
    linkLabels: [String: String], officeNames: [String: String], cityWide: Bool
  ) -> MeetingPacket {
    let titles = Dictionary(meetings.map { ($0.id, $0.payload.title) }, uniquingKeysWith: { first, _ in first })
    var labels = linkLabels
    for (id, title) in titles where labels["meeting/\(id)"] == nil { labels["meeting/\(id)"] = title }
    let agenda = items
      .filter { $0.payload.meetingID == meeting.id && $0.payload.status == .accepted }
      .sorted { ($0.payload.order, $0.sequence) < ($1.payload.order, $1.sequence) }
    // Open actions of this council's earlier meetings.
    let dates = Dictionary(meetings.map { ($0.id, $0.payload.heldOn) }, uniquingKeysWith: { first, _ in first })
    let heldOn = meeting.payload.heldOn
    var open: [Action] = []
    for entry in actions {
      let action = entry.payload
      guard action.councilID == meeting.payload.councilID, action.status == .open, action.meetingID != meeting.id,
        (dates[action.meetingID] ?? "") < heldOn
      else { continue }
      open.append(.init(id: entry.id, action: action, meetingTitle: titles[action.meetingID] ?? "", overdue: action.dueOn < heldOn))
    }
    open.sort { ($0.action.dueOn, $0.id) < ($1.action.dueOn, $1.id) }
    return MeetingPacket(
      councilName: councilName, meeting: meeting.payload, agenda: agenda.map { .init(id: $0.id, item: $0.payload) },
      linkLabels: labels, officeNames: officeNames, data: data,
      actionsDue: open.filter { $0.action.dueOn <= heldOn },
      actionsCarried: open.filter { $0.action.dueOn > heldOn },
      cityWide: cityWide
    )
  }

  /// The label of a linked record in the packet.
  public static func linkLabel(_ payload: Gongjian_V1_RecordPayload) -> String {
    switch payload.kind {
    case .park(let p): p.name
    case .indicatorReport(let r): "indicator report \(TargetsCalculator.label(r.period))"
    case .transferredProject(let p): "\(p.name) (\(Self.projectStatusName(p.status)), \(Self.yuan(p.plannedInvestmentYuan)))"
    case .exchangeActivity(let a): "\(a.title) (\(a.heldOn))"
    case .assistancePlan(let a): "\(a.county) \(a.village)"
    case .revenueSharingAgreement(let r): r.title
    case .target(let t): t.description_p
    case .council(let c): c.name
    case .meeting(let m): m.title
    case .agendaItem(let a): a.title
    case .decision(let d): d.text
    case .actionItem(let a): a.title
    case nil: ""
    }
  }
}
