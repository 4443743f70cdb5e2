public import GongjianProtocol
public import GRPCCore
internal import SwiftProtobuf

/// `gongjian.v1.Identity`: who the caller is.
public struct IdentityService: Gongjian_V1_Identity.SimpleServiceProtocol {
  private let directory: DirectoryCache

  /// Creates the service.
  ///
  /// - Parameter directory: Offices, memberships and the names of tenants and partners.
  public init(directory: DirectoryCache) {
    self.directory = directory
  }

  public func whoAmI(
    request: Gongjian_V1_WhoAmIRequest, context: ServerContext
  ) async throws -> Gongjian_V1_WhoAmIResponse {
    let caller = try context.caller
    return Self.response(
      caller, memberships: try await self.directory.memberships(officeID: caller.office.id), listing: try await self.directory.listing()
    )
  }

  /// `WhoAmI` answered from the directory cache without waiting, encoded once per office and
  /// certificate while the cache holds; nil when the cache must be read first.
  func whoAmIImmediately(caller: Caller) throws -> WireFrame<Gongjian_V1_WhoAmIResponse>? {
    let notAfter = caller.certificateNotAfter.map { String(Int64($0.timeIntervalSince1970)) } ?? ""
    let bytes = try self.directory.answer(officeID: caller.office.id, variant: caller.certificateSerial + " " + notAfter) {
      _, memberships, listing in
      try Self.response(caller, memberships: memberships, listing: listing).serializedBytes()
    }
    return bytes.map { .encoded($0) }
  }

  private static func response(
    _ caller: Caller, memberships: [Gongjian_V1_Membership], listing: DirectoryCache.Listing
  ) -> Gongjian_V1_WhoAmIResponse {
    // The names a client shows offline: its tenants and their offices (all, for an overseer).
    let tenants = listing.tenants.filter { tenant in
      caller.office.overseer || memberships.contains { $0.tenantID == tenant.id }
    }
    let partnerIDs = tenants.reduce(into: Set<String>()) { $0.formUnion(listing.members[$1.id] ?? []) }
    let partners = listing.offices.filter { caller.office.overseer || partnerIDs.contains($0.id) }
    return .with {
      $0.partners = partners
      $0.tenants = tenants
      $0.office = caller.office
      $0.memberships = memberships
      $0.certificateSerial = caller.certificateSerial
      if let notAfter = caller.certificateNotAfter {
        $0.certificateNotAfter = Google_Protobuf_Timestamp(date: notAfter)
      }
    }
  }
}
