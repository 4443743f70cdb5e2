public import GongjianProtocol
internal import Foundation
internal import SwiftProtobuf

/// Targets, the flagship comparison, the evaluation and the meeting packet when the server is
/// unreachable: the figures from the summary the server computed for this office at the last
/// sync (they cover tenants the office cannot pull), the council's records from the mirror.
///
/// A figure is never computed from less than its scope: what the summary lacks (a year, a
/// meeting newer than the last sync) is refused with the command that fixes it, and what the
/// mirror holds that the summary does not count is said beside the figures (``Gongjian_V1_FiguresAsOf``).
public struct OfflineReports: Sendable {
  public let mirror: Mirror
  /// The two-city tenant that keeps the targets and the city council. Default `city`.
  public var cityTenant: String

  public init(mirror: Mirror, cityTenant: String = "city") {
    self.mirror = mirror
    self.cityTenant = cityTenant
  }

  /// The server's summary and what the mirror holds beyond it.
  func summary() throws -> (Gongjian_V1_OfflineSummary, Gongjian_V1_FiguresAsOf) {
    guard try self.mirror.identity() != nil else {
      throw GongjianClientError(.local, "the mirror was never synced: run `gongjian sync` once online")
    }
    guard let summary = try self.mirror.summary() else {
      throw GongjianClientError(.local, "the mirror holds no figures from the server (synced by an older client, or from a server that sends none): run `gongjian sync` once online")
    }
    return (summary, try self.mirror.asOf(summary))
  }

  /// The refusal for figures the summary does not hold.
  private static func missing(_ what: String, _ summary: Gongjian_V1_OfflineSummary, covered: String) -> GongjianClientError {
    let when = summary.computedAt.date.formatted(.iso8601)
    return GongjianClientError(
      .local, "the mirror's figures (computed by the server at \(when)) cover \(covered), not \(what): run the command online, or `gongjian sync` first"
    )
  }

  private static func years(_ summary: Gongjian_V1_OfflineSummary) -> String {
    let years = summary.targets.map(\.year)
    guard let first = years.min(), let last = years.max() else { return "no year" }
    return first == last ? "\(first)" : "\(first) to \(last)"
  }

  /// What a packet names outside its computed sections (the parks its agenda's links name,
  /// offices and pairings), from the mirror.
  func names(tenants: [String]) throws -> PartnershipData {
    var data = PartnershipData(tenantIDs: tenants)
    data.cityTenantID = self.cityTenant
    for tenantID in tenants {
      data.parks += try self.mirror.records(tenantID: tenantID, kind: RecordKind.park.name).map {
        .init(tenantID: tenantID, id: $0.id, payload: try Gongjian_V1_Park(serializedBytes: $0.payload))
      }
    }
    if let me = try self.mirror.identity() {
      data.officeNames = Dictionary(me.partners.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
      data.officeNames[me.office.id] = me.office.name
      data.tenantNames = Dictionary(me.tenants.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }
    return data
  }

  /// The targets report of a year, as the server computed it.
  public func targetsReport(year: Int32) throws -> Gongjian_V1_TargetsReport {
    let (summary, asOf) = try self.summary()
    guard var report = summary.targets.first(where: { $0.year == year }) else {
      throw Self.missing("\(year)", summary, covered: Self.years(summary))
    }
    report.asOf = asOf
    return report
  }

  /// The flagship comparison of a period, as the server computed it.
  public func flagship(period: Gongjian_V1_Period) throws -> Gongjian_V1_FlagshipComparison {
    let (summary, asOf) = try self.summary()
    guard var comparison = summary.flagships.first(where: { $0.period == period }) else {
      throw Self.missing(period.quarter == 0 ? "\(period.year)" : "\(period.year) Q\(period.quarter)", summary, covered: Self.years(summary))
    }
    comparison.asOf = asOf
    return comparison
  }

  /// The evaluation scorecards of a year, as the server computed them.
  public func evaluation(year: Int32) throws -> Gongjian_V1_EvaluationReport {
    let (summary, asOf) = try self.summary()
    guard var report = summary.evaluations.first(where: { $0.year == year }) else {
      throw Self.missing("\(year)", summary, covered: Self.years(summary))
    }
    report.asOf = asOf
    return report
  }

  /// A meeting's packet: its council's records from the mirror (queued writes included), the
  /// computed sections from the server's summary, said so under the cover. Linked records of
  /// tenants not in the mirror read as not visible, as on the server.
  public func packet(tenantID: String, meetingID: String, edition: PacketEdition = .init(.zh)) throws -> Gongjian_V1_Packet {
    func entries<P: SwiftProtobuf.Message & Sendable>(_ kind: RecordKind, as type: P.Type) throws -> [MeetingPacket.Entry<P>] {
      try self.mirror.records(tenantID: tenantID, kind: kind.name).map { .init(id: $0.id, sequence: $0.sequence, payload: try P(serializedBytes: $0.payload)) }
    }
    let meetings = try entries(.meeting, as: Gongjian_V1_Meeting.self)
    guard let meeting = meetings.first(where: { $0.id == meetingID.lowercased() }) else {
      throw GongjianClientError(.rejected, "not found: meeting_id: no meeting \(meetingID) in the mirror of \(tenantID) (run `gongjian sync`)")
    }
    let council = try self.mirror.record(tenantID: tenantID, kind: RecordKind.council.name, id: meeting.payload.councilID)
    let councilName = try council.map { try Gongjian_V1_Council(serializedBytes: $0.payload).name } ?? ""
    let items = try entries(.agendaItem, as: Gongjian_V1_AgendaItem.self)
    let known = Set(try self.mirror.tenants())
    var links: [String: MeetingPacket.Link] = [:]
    for item in items where item.payload.meetingID == meeting.id && item.payload.status == .accepted {
      for link in item.payload.linkedRecords {
        let linkTenant = link.tenantID.isEmpty ? tenantID : link.tenantID
        guard known.contains(linkTenant) else {
          links["\(link.kind)/\(link.id)"] = .restricted
          continue
        }
        guard let record = try self.mirror.record(tenantID: linkTenant, kind: link.kind, id: link.id),
          let payload = try? Gongjian_V1_RecordPayload(kind: link.kind, data: record.payload)
        else { continue }
        links["\(link.kind)/\(link.id)"] = .visible(payload)
      }
    }
    let (summary, asOf) = try self.summary()
    guard let figures = summary.packets.first(where: { $0.tenantID == tenantID && $0.meetingID == meeting.id && $0.language == edition.language.rawValue }) else {
      throw Self.missing("meeting \(meeting.id) of \(tenantID)", summary, covered: "\(Set(summary.packets.map { "\($0.tenantID)/\($0.meetingID)" }).count) meetings")
    }
    let cityWide = tenantID == self.cityTenant
    let tenants = cityWide ? Array(known).sorted() : [tenantID]
    // Names of parks, offices and pairings for the agenda's links; the figures are the summary's.
    let data = try self.names(tenants: tenants)
    return MeetingPacket.assemble(
      meeting: meeting, councilName: councilName,
      records: .init(
        meetings: meetings, items: items, decisions: try entries(.decision, as: Gongjian_V1_Decision.self),
        actions: try entries(.actionItem, as: Gongjian_V1_ActionItem.self)
      ),
      data: data, links: links, officeNames: data.officeNames, cityWide: cityWide, edition: edition,
      figures: figures, asOf: asOf
    ).proto
  }

  // MARK: Council

  private func views<P: SwiftProtobuf.Message & Sendable>(_ kind: RecordKind, _ tenantID: String, as type: P.Type) throws -> [(record: MirrorRecord, payload: P)] {
    try self.mirror.records(tenantID: tenantID, kind: kind.name).map { ($0, try P(serializedBytes: $0.payload)) }
  }

  /// The council's meetings, by date.
  public func meetings(tenantID: String) throws -> Gongjian_V1_ListMeetingsResponse {
    let councils = Dictionary(try self.views(.council, tenantID, as: Gongjian_V1_Council.self).map { ($0.record.id, $0.payload.name) }, uniquingKeysWith: { a, _ in a })
    let meetings = try self.views(.meeting, tenantID, as: Gongjian_V1_Meeting.self).map { entry in
      Gongjian_V1_MeetingView.with {
        $0.id = entry.record.id
        $0.version = entry.record.version
        $0.meeting = entry.payload
        $0.councilName = councils[entry.payload.councilID] ?? ""
      }
    }
    return .with { $0.meetings = meetings.sorted { ($0.meeting.heldOn, $0.id) < ($1.meeting.heldOn, $1.id) } }
  }

  /// A meeting's agenda: accepted items in order, then the others.
  public func agenda(tenantID: String, meetingID: String) throws -> Gongjian_V1_Agenda {
    guard let meeting = try self.meetings(tenantID: tenantID).meetings.first(where: { $0.id == meetingID.lowercased() }) else {
      throw GongjianClientError(.rejected, "not found: meeting_id: no meeting \(meetingID) in the mirror of \(tenantID) (run `gongjian sync`)")
    }
    let rank = AgendaWorkflow.agendaRank
    let items = try self.views(.agendaItem, tenantID, as: Gongjian_V1_AgendaItem.self)
      .filter { $0.payload.meetingID == meeting.id }
      .sorted { (rank($0.payload.status), $0.payload.order, $0.record.sequence) < (rank($1.payload.status), $1.payload.order, $1.record.sequence) }
    return .with {
      $0.meeting = meeting
      $0.items = AgendaWorkflow.numbered(items.map { entry in .with { $0.id = entry.record.id; $0.version = entry.record.version; $0.item = entry.payload } })
    }
  }

  /// The council's action items by due date; `today` marks the overdue ones.
  public func actions(tenantID: String, openOnly: Bool, today: String) throws -> Gongjian_V1_ListActionsResponse {
    let actions = try self.views(.actionItem, tenantID, as: Gongjian_V1_ActionItem.self)
      .filter { !openOnly || $0.payload.status == .open }
      .sorted { ($0.payload.dueOn, $0.record.id) < ($1.payload.dueOn, $1.record.id) }
    return .with {
      $0.actions = actions.map { entry in
        .with {
          $0.id = entry.record.id
          $0.version = entry.record.version
          $0.action = entry.payload
          $0.overdue = entry.payload.status == .open && entry.payload.dueOn < today
        }
      }
    }
  }
}
