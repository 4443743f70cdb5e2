public import GongjianProtocol
internal import SwiftProtobuf

extension PartnershipData {
  /// Loads the records of the given tenants from a store.
  ///
  /// - Parameters:
  ///   - store: The store.
  ///   - tenantIDs: The tenants to read (already authorised).
  ///   - targetsTenant: Where the targets are kept (`city`).
  public static func load(from store: any GongjianStore, tenantIDs: [String], targetsTenant: String) async throws -> PartnershipData {
    var data = PartnershipData(tenantIDs: tenantIDs)
    data.cityTenantID = targetsTenant
    for tenantID in tenantIDs {
      for record in try await store.liveRecords(tenantID: tenantID, kind: RecordKind.park.name) {
        data.parks.append(.init(tenantID: tenantID, id: record.id, payload: try .init(serializedBytes: record.payload)))
      }
      for record in try await store.liveRecords(tenantID: tenantID, kind: RecordKind.indicatorReport.name) {
        data.reports.append(.init(tenantID: tenantID, id: record.id, payload: try .init(serializedBytes: record.payload)))
      }
      for record in try await store.liveRecords(tenantID: tenantID, kind: RecordKind.transferredProject.name) {
        data.projects.append(.init(tenantID: tenantID, id: record.id, payload: try .init(serializedBytes: record.payload)))
      }
      for record in try await store.liveRecords(tenantID: tenantID, kind: RecordKind.exchangeActivity.name) {
        data.activities.append(.init(tenantID: tenantID, id: record.id, payload: try .init(serializedBytes: record.payload)))
      }
      for record in try await store.liveRecords(tenantID: tenantID, kind: RecordKind.revenueSharingAgreement.name) {
        data.agreements.append(.init(tenantID: tenantID, id: record.id, payload: try .init(serializedBytes: record.payload)))
      }
      for record in try await store.liveRecords(tenantID: tenantID, kind: RecordKind.assistancePlan.name) {
        data.assistancePlans.append(.init(tenantID: tenantID, id: record.id, payload: try .init(serializedBytes: record.payload)))
      }
    }
    if tenantIDs.contains(targetsTenant) {
      func items<P: SwiftProtobuf.Message & Sendable>(_ kind: RecordKind, as type: P.Type) async throws -> [Item<P>] {
        try await store.liveRecords(tenantID: targetsTenant, kind: kind.name).map {
          .init(tenantID: targetsTenant, id: $0.id, payload: try P(serializedBytes: $0.payload))
        }
      }
      data.referenceReports = try await items(.referenceParkReport, as: Gongjian_V1_ReferenceParkReport.self)
      data.weakVillages = try await items(.weakVillage, as: Gongjian_V1_WeakVillage.self)
      data.cadreExchanges = try await items(.cadreExchange, as: Gongjian_V1_CadreExchange.self)
      data.pairingAgreements = try await items(.pairingAgreement, as: Gongjian_V1_PairingAgreement.self)
    }
    // The two cities' council lives in the city tenant (Art. 十一).
    for record in try await store.liveRecords(tenantID: targetsTenant, kind: RecordKind.council.name) {
      data.councils.append(.init(tenantID: targetsTenant, id: record.id, payload: try .init(serializedBytes: record.payload)))
    }
    for record in try await store.liveRecords(tenantID: targetsTenant, kind: RecordKind.meeting.name) {
      data.meetings.append(.init(tenantID: targetsTenant, id: record.id, payload: try .init(serializedBytes: record.payload)))
    }
    data.tenantNames = Dictionary(try await store.tenants().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    // Targets are the deployment's, whoever asks; the seed's apply where none are recorded.
    let stored = try await store.liveRecords(tenantID: targetsTenant, kind: RecordKind.target.name)
    data.targets = try stored.map { try Gongjian_V1_Target(serializedBytes: $0.payload) }
    data.criteria = try await store.liveRecords(tenantID: targetsTenant, kind: RecordKind.evaluationCriterion.name)
      .map { try Gongjian_V1_EvaluationCriterion(serializedBytes: $0.payload) }
    data.officeNames = Dictionary(try await store.offices().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    data.cityDepartments = try await store.memberships(tenantID: targetsTenant).filter(\.keyDepartment).map(\.officeID)
    return data
  }
}
