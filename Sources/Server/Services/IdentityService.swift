public import GongjianProtocol
public import GRPCCore
internal import SwiftProtobuf

/// `gongjian.v1.Identity`: who the caller is.
public struct IdentityService: Gongjian_V1_Identity.SimpleServiceProtocol {
  private let directory: DirectoryCache
  private let store: any GongjianStore

  /// Creates the service.
  public init(directory: DirectoryCache, store: any GongjianStore) {
    self.directory = directory
    self.store = store
  }

  public func whoAmI(
    request: Gongjian_V1_WhoAmIRequest, context: ServerContext
  ) async throws -> Gongjian_V1_WhoAmIResponse {
    let caller = try context.caller
    let memberships = try await self.directory.memberships(officeID: caller.office.id)
    // The names a client shows offline: its tenants and their offices (all, for an overseer).
    let tenants = try await self.store.tenants().filter { tenant in
      caller.office.overseer || memberships.contains { $0.tenantID == tenant.id }
    }
    var partnerIDs = Set<String>()
    if !caller.office.overseer {
      for tenant in tenants { partnerIDs.formUnion(try await self.store.memberships(tenantID: tenant.id).map(\.officeID)) }
    }
    let partners = try await self.store.offices().filter { caller.office.overseer || partnerIDs.contains($0.id) }
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
