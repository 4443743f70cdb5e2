public import GongjianProtocol
public import GRPCCore
internal import Foundation
internal import SwiftProtobuf

/// `gongjian.v1.Admin`: tenants, offices, memberships and certificates.
public struct AdminService: Gongjian_V1_Admin.SimpleServiceProtocol {
  private let store: any GongjianStore
  private let authorizer: Authorizer
  private let revocations: RevocationList
  private let directory: DirectoryCache

  /// Creates the service.
  ///
  /// - Parameters:
  ///   - store: The store.
  ///   - authorizer: Membership checks.
  ///   - revocations: Updated at once when a certificate is revoked.
  ///   - directory: Cleared at once when offices or memberships change.
  public init(store: any GongjianStore, authorizer: Authorizer, revocations: RevocationList, directory: DirectoryCache) {
    self.store = store
    self.authorizer = authorizer
    self.revocations = revocations
    self.directory = directory
  }

  public func createTenant(request: Gongjian_V1_CreateTenantRequest, context: ServerContext) async throws -> Gongjian_V1_Tenant {
    let caller = try context.caller
    try await self.authorizer.requireOperator(caller, action: "create tenant")
    let tenant = try await DirectoryAdmin(store: self.store, actor: caller.office.id).createTenant(id: request.id, name: request.name)
    self.directory.invalidate()
    return tenant
  }

  public func listTenants(request: Gongjian_V1_ListTenantsRequest, context: ServerContext) async throws -> Gongjian_V1_ListTenantsResponse {
    let caller = try context.caller
    let all = try await self.store.tenants()
    if caller.office.overseer {
      return .with { $0.tenants = all }
    }
    let mine = Set(try await self.store.memberships(officeID: caller.office.id).map(\.tenantID))
    return .with { $0.tenants = all.filter { mine.contains($0.id) } }
  }

  public func putOffice(request: Gongjian_V1_PutOfficeRequest, context: ServerContext) async throws -> Gongjian_V1_Office {
    let caller = try context.caller
    try await self.authorizer.requireOperator(caller, action: "register office")
    let office = try await DirectoryAdmin(store: self.store, actor: caller.office.id).putOffice(request.office)
    self.directory.invalidate()
    return office
  }

  public func listOffices(request: Gongjian_V1_ListOfficesRequest, context: ServerContext) async throws -> Gongjian_V1_ListOfficesResponse {
    try await self.authorizer.requireOperator(try context.caller, action: "list offices")
    let offices = try await self.store.offices()
    return .with { $0.offices = offices }
  }

  public func setMembership(request: Gongjian_V1_SetMembershipRequest, context: ServerContext) async throws -> Gongjian_V1_Membership {
    let caller = try context.caller
    try await self.authorizer.require(.role(.admin), tenant: request.tenantID, caller: caller, action: "set membership")
    let membership = try await DirectoryAdmin(store: self.store, actor: caller.office.id).setMembership(
      tenantID: request.tenantID, officeID: request.officeID, role: request.role, keyDepartment: request.keyDepartment
    )
    self.directory.invalidate()
    return membership
  }

  public func removeMembership(request: Gongjian_V1_RemoveMembershipRequest, context: ServerContext) async throws -> Gongjian_V1_RemoveMembershipResponse {
    let caller = try context.caller
    try await self.authorizer.require(.role(.admin), tenant: request.tenantID, caller: caller, action: "remove membership")
    try await DirectoryAdmin(store: self.store, actor: caller.office.id).removeMembership(tenantID: request.tenantID, officeID: request.officeID)
    self.directory.invalidate()
    return .init()
  }

  public func listMemberships(request: Gongjian_V1_ListMembershipsRequest, context: ServerContext) async throws -> Gongjian_V1_ListMembershipsResponse {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: try context.caller, action: "list memberships")
    let memberships = try await self.store.memberships(tenantID: request.tenantID)
    return .with { $0.memberships = memberships }
  }

  public func listCertificates(request: Gongjian_V1_ListCertificatesRequest, context: ServerContext) async throws -> Gongjian_V1_ListCertificatesResponse {
    try await self.authorizer.requireOperator(try context.caller, action: "list certificates")
    let certificates = try await self.store.certificates(officeID: request.officeID.isEmpty ? nil : request.officeID)
    return .with { $0.certificates = certificates.map(\.proto) }
  }

  public func revokeCertificate(request: Gongjian_V1_RevokeCertificateRequest, context: ServerContext) async throws -> Gongjian_V1_CertificateInfo {
    let caller = try context.caller
    try await self.authorizer.requireOperator(caller, action: "revoke certificate")
    let serial = request.serial.lowercased().replacingOccurrences(of: ":", with: "")
    guard !serial.isEmpty else { throw GongjianError.invalidField("serial", "required") }
    guard let certificate = try await self.store.revokeCertificate(serial: serial, at: Date(), actor: caller.office.id) else {
      throw GongjianError(.notFound, "no certificate with serial \(serial)")
    }
    self.revocations.insert(serial)
    return certificate.proto
  }
}

extension CertificateRecord {
  var proto: Gongjian_V1_CertificateInfo {
    .with {
      $0.serial = self.serial
      $0.officeID = self.officeID
      $0.notBefore = Google_Protobuf_Timestamp(date: self.notBefore)
      $0.notAfter = Google_Protobuf_Timestamp(date: self.notAfter)
      if let revokedAt = self.revokedAt { $0.revokedAt = Google_Protobuf_Timestamp(date: revokedAt) }
    }
  }
}
