internal import Foundation
public import GongjianProtocol
public import GRPCCore
internal import SwiftProtobuf

extension TargetsService {
  /// The most years a summary covers, the latest ones.
  static let summaryYears: Int32 = 30

  /// Everything this office's figures need offline: the answers of Report, Flagship and
  /// Evaluation for every year of its scope, and the computed sections of every packet it may
  /// prepare, with the head sequence of each tenant they were computed from.
  public func summary(request: Gongjian_V1_OfflineSummaryRequest, context: ServerContext) async throws -> Gongjian_V1_OfflineSummary {
    let caller = try context.caller
    let scope = try await self.scope(caller)
    let allTenants = try await self.store.tenants().map(\.id)
    var councilTenants: [String] = []
    for tenantID in allTenants.sorted() where await self.authorizer.allows(.read, tenant: tenantID, caller: caller) {
      councilTenants.append(tenantID)
    }
    // The city council's packet reads every tenant; a park council's its own.
    let packetsReadAll = councilTenants.contains(self.cityTenant)
    let counted = Set(scope.tenants).union([self.cityTenant]).union(councilTenants).union(packetsReadAll ? allTenants : [])
    // Sequences before records: the figures count at least everything up to them, so a mirror
    // further along than a sequence is never taken for one the figures count.
    var sequences: [Gongjian_V1_TenantSequence] = []
    for tenantID in counted.sorted() where allTenants.contains(tenantID) {
      let head = try await self.store.checkpoint(tenantID: tenantID).headSequence
      sequences.append(.with { $0.tenantID = tenantID; $0.sequence = head })
    }
    let now = Date()
    let data = try await PartnershipData.load(from: self.store, tenantIDs: scope.tenants, targetsTenant: self.cityTenant)
    let calculator = TargetsCalculator(data: data)
    let years = Self.years(of: data, now: now)
    var summary = Gongjian_V1_OfflineSummary.with {
      $0.computedAt = Google_Protobuf_Timestamp(date: now)
      $0.sequences = sequences
      $0.targets = years.map { Self.report(calculator, scope, year: $0) }
      $0.flagships = years.flatMap { year in
        (0...4).map { quarter in Self.flagship(calculator, scope, period: .with { $0.year = year; $0.quarter = Int32(quarter) }) }
      }
      $0.evaluations = years.map { Self.evaluation(calculator, scope, year: $0) }
    }
    let officeNames = Dictionary(try await self.store.offices().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    for tenantID in councilTenants {
      let meetings = try await self.store.liveRecords(tenantID: tenantID, kind: RecordKind.meeting.name)
      guard !meetings.isEmpty else { continue }
      let tenants = tenantID == self.cityTenant ? allTenants : [tenantID]
      let packetData = tenants == scope.tenants
        ? data : try await PartnershipData.load(from: self.store, tenantIDs: tenants, targetsTenant: self.cityTenant)
      for record in meetings {
        let meeting = MeetingPacket.Entry(id: record.id, sequence: record.sequence, payload: try Gongjian_V1_Meeting(serializedBytes: record.payload))
        for language in PacketEdition.Language.allCases {
          // The computed sections read the meeting and the partnership's records, not the agenda.
          let packet = MeetingPacket.assemble(
            meeting: meeting, councilName: "", records: .init(meetings: [], items: [], decisions: [], actions: []),
            data: packetData, links: [:], officeNames: officeNames, cityWide: tenantID == self.cityTenant,
            edition: PacketEdition(language), ranges: self.ranges
          )
          summary.packets.append(packet.figures(tenantID: tenantID))
        }
      }
    }
    return summary
  }

  /// The years a summary covers: from the earliest year any record of the scope names to the
  /// year after now, at most ``summaryYears`` of them.
  static func years(of data: PartnershipData, now: Date) -> ClosedRange<Int32> {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
    let current = Int32(calendar.component(.year, from: now))
    var named: [Int32] = [current]
    named += data.reports.map(\.payload.period.year) + data.referenceReports.map(\.payload.period.year)
    named += data.projects.map { RecordFilter.year($0.payload.signedOn) } + data.activities.map { RecordFilter.year($0.payload.heldOn) }
    named += data.meetings.map { RecordFilter.year($0.payload.heldOn) } + data.targets.map(\.year)
    named += data.assistancePlans.map(\.payload.year) + data.pairingAgreements.map(\.payload.year)
    let plausible = named.filter { (2000...2100).contains($0) }
    let last = max(plausible.max() ?? current, current + 1)
    let first = max(plausible.min() ?? current, last - Self.summaryYears + 1)
    return first...last
  }
}
