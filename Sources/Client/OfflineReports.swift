public import GongjianProtocol
internal import Foundation
internal import SwiftProtobuf

/// Targets, the flagship comparison, the evaluation and the meeting packet computed from the
/// mirror with the same code the server runs (``TargetsCalculator``, ``MeetingPacket``), for
/// when the server is unreachable.
public struct OfflineReports: Sendable {
  public let mirror: Mirror
  /// The two-city tenant that keeps the targets and the city council. Default `city`.
  public var cityTenant: String

  public init(mirror: Mirror, cityTenant: String = "city") {
    self.mirror = mirror
    self.cityTenant = cityTenant
  }

  /// The tenants the office's figures cover, as the server scopes them.
  func scope() throws -> (tenants: [String], cityWide: Bool, label: String) {
    guard let me = try self.mirror.identity() else {
      throw GongjianClientError(.local, "the mirror was never synced: run `gongjian sync` once online")
    }
    let known = try self.mirror.tenants()
    // Overseers' mirrors hold every tenant; other members of the city tenant get city-wide
    // figures only from the server, which reads tenants they cannot pull.
    if me.office.overseer {
      return (known, true, "city-wide (from the mirror)")
    }
    let own = me.memberships.map(\.tenantID).filter(known.contains).sorted()
    let note = me.memberships.contains(where: { $0.tenantID == self.cityTenant }) ? "; city-wide figures come from the server" : ""
    return (own, false, "tenants \(own.joined(separator: ", ")) only (not city-wide; from the mirror\(note))")
  }

  /// The records the calculations read, from the mirror (queued writes included).
  func data(tenants: [String]) throws -> PartnershipData {
    var data = PartnershipData(tenantIDs: tenants)
    data.cityTenantID = self.cityTenant
    func items<P: SwiftProtobuf.Message & Sendable>(_ kind: RecordKind, _ tenantID: String, as type: P.Type) throws -> [PartnershipData.Item<P>] {
      try self.mirror.records(tenantID: tenantID, kind: kind.name).map { .init(tenantID: tenantID, id: $0.id, payload: try P(serializedBytes: $0.payload)) }
    }
    for tenantID in tenants {
      data.parks += try items(.park, tenantID, as: Gongjian_V1_Park.self)
      data.reports += try items(.indicatorReport, tenantID, as: Gongjian_V1_IndicatorReport.self)
      data.projects += try items(.transferredProject, tenantID, as: Gongjian_V1_TransferredProject.self)
      data.activities += try items(.exchangeActivity, tenantID, as: Gongjian_V1_ExchangeActivity.self)
      data.agreements += try items(.revenueSharingAgreement, tenantID, as: Gongjian_V1_RevenueSharingAgreement.self)
      data.assistancePlans += try items(.assistancePlan, tenantID, as: Gongjian_V1_AssistancePlan.self)
    }
    if tenants.contains(self.cityTenant) {
      data.referenceReports = try items(.referenceParkReport, self.cityTenant, as: Gongjian_V1_ReferenceParkReport.self)
      data.weakVillages = try items(.weakVillage, self.cityTenant, as: Gongjian_V1_WeakVillage.self)
      data.cadreExchanges = try items(.cadreExchange, self.cityTenant, as: Gongjian_V1_CadreExchange.self)
      data.pairingAgreements = try items(.pairingAgreement, self.cityTenant, as: Gongjian_V1_PairingAgreement.self)
    }
    data.targets = try items(.target, self.cityTenant, as: Gongjian_V1_Target.self).map(\.payload)
    data.criteria = try items(.evaluationCriterion, self.cityTenant, as: Gongjian_V1_EvaluationCriterion.self).map(\.payload)
    data.councils = try items(.council, self.cityTenant, as: Gongjian_V1_Council.self)
    data.meetings = try items(.meeting, self.cityTenant, as: Gongjian_V1_Meeting.self)
    data.cityDepartments = try self.mirror.cityMemberships().filter(\.keyDepartment).map(\.officeID)
    if let me = try self.mirror.identity() {
      data.officeNames = Dictionary(me.partners.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
      data.officeNames[me.office.id] = me.office.name
      data.tenantNames = Dictionary(me.tenants.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }
    return data
  }

  /// The targets report of a year.
  public func targetsReport(year: Int32) throws -> Gongjian_V1_TargetsReport {
    let scope = try self.scope()
    let calculator = TargetsCalculator(data: try self.data(tenants: scope.tenants))
    return .with {
      $0.year = year
      $0.cityWide = scope.cityWide
      $0.tenantIds = scope.tenants
      $0.scopeLabel = scope.label
      $0.results = calculator.report(year: year)
    }
  }

  /// The flagship comparison of a period.
  public func flagship(period: Gongjian_V1_Period) throws -> Gongjian_V1_FlagshipComparison {
    let scope = try self.scope()
    var comparison = TargetsCalculator(data: try self.data(tenants: scope.tenants)).flagship(period: period)
    comparison.cityWide = scope.cityWide
    return comparison
  }

  /// The evaluation scorecards of a year.
  public func evaluation(year: Int32) throws -> Gongjian_V1_EvaluationReport {
    let scope = try self.scope()
    let calculator = TargetsCalculator(data: try self.data(tenants: scope.tenants))
    return .with {
      $0.year = year
      $0.cityWide = scope.cityWide
      $0.scopeLabel = scope.label
      $0.parks = calculator.evaluation(year: year)
      // The city's monitoring of its counties (Art. 十三) is the whole city's: city-wide readers only.
      $0.counties = scope.cityWide ? calculator.countyMonitoring(year: year) : []
    }
  }

  /// A meeting's packet from the mirror. Linked records of tenants not in the mirror read as
  /// not visible, as on the server.
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
    let cityWide = tenantID == self.cityTenant
    let tenants = cityWide ? Array(known).sorted() : [tenantID]
    let data = try self.data(tenants: tenants)
    return MeetingPacket.assemble(
      meeting: meeting, councilName: councilName,
      records: .init(
        meetings: meetings, items: items, decisions: try entries(.decision, as: Gongjian_V1_Decision.self),
        actions: try entries(.actionItem, as: Gongjian_V1_ActionItem.self)
      ),
      data: data, links: links, officeNames: data.officeNames, cityWide: cityWide, edition: edition
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
