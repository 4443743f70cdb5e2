public import GongjianProtocol

/// Tenants, offices and memberships. Every change names its actor and is appended to the
/// directory's audit chain in the same transaction.
public protocol DirectoryStore: Sendable {
  /// Creates a tenant. - Throws: `alreadyExists` when the id is taken.
  func createTenant(_ tenant: Gongjian_V1_Tenant, actor: String) async throws
  /// All tenants, by id.
  func tenants() async throws -> [Gongjian_V1_Tenant]
  /// Creates or updates an office.
  func putOffice(_ office: Gongjian_V1_Office, actor: String) async throws
  /// All offices, by id.
  func offices() async throws -> [Gongjian_V1_Office]
  /// One office.
  func office(id: String) async throws -> Gongjian_V1_Office?
  /// Creates or changes a membership; `keyDepartment` marks a key city department (Art. 六).
  /// - Throws: `notFound` when tenant or office is unknown.
  func setMembership(
    tenantID: String, officeID: String, role: Gongjian_V1_Role, keyDepartment: Bool, actor: String
  ) async throws -> Gongjian_V1_Membership
  /// Removes a membership; returns whether there was one.
  func removeMembership(tenantID: String, officeID: String, actor: String) async throws -> Bool
  /// The memberships of a tenant.
  func memberships(tenantID: String) async throws -> [Gongjian_V1_Membership]
  /// The memberships of an office.
  func memberships(officeID: String) async throws -> [Gongjian_V1_Membership]
  /// The directory's audit chain (directory and certificate changes), oldest first.
  func directoryAudit() async throws -> [DirectoryAuditEntry]
  /// Verifies the directory's audit chain; returns the number of entries checked.
  /// - Throws: `internalError` naming the first entry whose hash does not match.
  func verifyDirectoryAudit() async throws -> Int
}

/// The directory changes of setup code (the sample partnership, tests), audited as `system`.
extension DirectoryStore {
  public func createTenant(_ tenant: Gongjian_V1_Tenant) async throws {
    try await self.createTenant(tenant, actor: "system")
  }

  public func putOffice(_ office: Gongjian_V1_Office) async throws {
    try await self.putOffice(office, actor: "system")
  }

  public func setMembership(
    tenantID: String, officeID: String, role: Gongjian_V1_Role, keyDepartment: Bool = false
  ) async throws -> Gongjian_V1_Membership {
    try await self.setMembership(tenantID: tenantID, officeID: officeID, role: role, keyDepartment: keyDepartment, actor: "system")
  }
}
