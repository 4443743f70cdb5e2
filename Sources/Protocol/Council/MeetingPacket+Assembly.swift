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

  /// The council records a packet is assembled from, from the server's store or a mirror.
  public struct Records: Sendable {
    /// Every meeting of the tenant (titles and dates of earlier meetings).
    public var meetings: [Entry<Gongjian_V1_Meeting>]
    /// Every agenda item of the tenant.
    public var items: [Entry<Gongjian_V1_AgendaItem>]
    /// Every decision of the tenant.
    public var decisions: [Entry<Gongjian_V1_Decision>]
    /// Every action item of the tenant.
    public var actions: [Entry<Gongjian_V1_ActionItem>]

    public init(
      meetings: [Entry<Gongjian_V1_Meeting>], items: [Entry<Gongjian_V1_AgendaItem>],
      decisions: [Entry<Gongjian_V1_Decision>], actions: [Entry<Gongjian_V1_ActionItem>]
    ) {
      self.meetings = meetings
      self.items = items
      self.decisions = decisions
      self.actions = actions
    }
  }

  /// Assembles a meeting's packet, on the server from its store and on a client from its mirror.
  ///
  /// - Parameters:
  ///   - meeting: The meeting.
  ///   - councilName: Its council's name.
  ///   - records: The tenant's council records.
  ///   - data: The partnership's records for the targets, projects, indicators and revenue sections.
  ///   - links: `"kind/id"` → the linked records of the accepted items, as the reader may see them.
  ///   - officeNames: Office id → name, where known.
  ///   - cityWide: True for the city council.
  ///   - edition: The packet's language.
  ///   - ranges: Where values are plausible, for the data-quality notes.
  ///   - figures: The computed sections as the server laid them out (offline, from a summary), in
  ///     this edition; nil to compute them from `data`.
  ///   - asOf: When the server computed `figures`, and what the mirror holds that they do not count.
  public static func assemble(
    meeting: Entry<Gongjian_V1_Meeting>, councilName: String, records: Records, data: PartnershipData,
    links: [String: Link], officeNames: [String: String], cityWide: Bool, edition: PacketEdition,
    ranges: PlausibleRanges = .defaults, figures: Gongjian_V1_PacketFigures? = nil, asOf: Gongjian_V1_FiguresAsOf? = nil
  ) -> MeetingPacket {
    let titles = Dictionary(records.meetings.map { ($0.id, $0.payload.title) }, uniquingKeysWith: { first, _ in first })
    let agenda = records.items
      .filter { $0.payload.meetingID == meeting.id && $0.payload.status == .accepted }
      .sorted { ($0.payload.order, $0.sequence) < ($1.payload.order, $1.sequence) }
    let heldOn = meeting.payload.heldOn
    // The council's meeting just before this one.
    let previous = records.meetings
      .filter { $0.payload.councilID == meeting.payload.councilID && $0.id != meeting.id && $0.payload.heldOn < heldOn }
      .max { ($0.payload.heldOn, $0.sequence) < ($1.payload.heldOn, $1.sequence) }
    let dates = Dictionary(records.meetings.map { ($0.id, $0.payload.heldOn) }, uniquingKeysWith: { first, _ in first })
    let itemsByID = Dictionary(records.items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    func action(_ entry: Entry<Gongjian_V1_ActionItem>) -> Action {
      Action(
        id: entry.id, action: entry.payload, meetingTitle: titles[entry.payload.meetingID] ?? "",
        overdue: entry.payload.status == .open && entry.payload.dueOn < heldOn
      )
    }
    var followUps: [FollowUp] = []
    if let previous {
      let decisions = records.decisions.filter { $0.payload.meetingID == previous.id }.sorted {
        let a = itemsByID[$0.payload.agendaItemID]?.payload.order ?? .max
        let b = itemsByID[$1.payload.agendaItemID]?.payload.order ?? .max
        return (a, $0.sequence) < (b, $1.sequence)
      }
      followUps = decisions.map { decision in
        FollowUp(
          id: decision.id, decision: decision.payload, itemTitle: itemsByID[decision.payload.agendaItemID]?.payload.title ?? "",
          actions: records.actions.filter { $0.payload.decisionID == decision.id }
            .sorted { ($0.payload.dueOn, $0.sequence) < ($1.payload.dueOn, $1.sequence) }.map(action)
        )
      }
    }
    // Still-open actions of the council's meetings before the previous one.
    let older = records.actions.filter { entry in
      entry.payload.councilID == meeting.payload.councilID && entry.payload.status == .open
        && entry.payload.meetingID != previous?.id && entry.payload.meetingID != meeting.id
        && (dates[entry.payload.meetingID] ?? "") < (previous?.payload.heldOn ?? heldOn)
    }.sorted { ($0.payload.dueOn, $0.id) < ($1.payload.dueOn, $1.id) }.map(action)
    return MeetingPacket(
      councilName: councilName, meetingID: meeting.id, meeting: meeting.payload, edition: edition,
      agenda: agenda.map { .init(id: $0.id, item: $0.payload) },
      pendingCarried: records.items
        .filter { $0.payload.meetingID == meeting.id && $0.payload.status == .proposed && !$0.payload.deferredFromMeetingID.isEmpty }
        .sorted { $0.sequence < $1.sequence }.map { .init(id: $0.id, item: $0.payload) },
      links: links, meetingTitles: titles,
      officeNames: officeNames, data: data, previousMeeting: previous?.payload, followUps: followUps,
      olderOpenActions: older, cityWide: cityWide, ranges: ranges,
      precomputed: figures.map { figures in
        Dictionary(figures.sections.map { (Int($0.number), $0.blocks.compactMap(PacketDocument.Block.init)) }, uniquingKeysWith: { first, _ in first })
      },
      asOf: asOf
    )
  }
}
