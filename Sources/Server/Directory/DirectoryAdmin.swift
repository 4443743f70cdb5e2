public import GongjianProtocol

/// Changes to the directory (tenants, offices, memberships) with their validation, for the Admin
/// service and for the offline commands on a data directory alike: the same checks and messages,
/// each change audited under its actor.
public struct DirectoryAdmin: Sendable {
  private let store: any GongjianStore
  private let actor: String

  /// Creates an administrator acting as `actor`: an office id, or `operator:<command>` offline.
  public init(store: any GongjianStore, actor: String) {
    self.store = store
    self.actor = actor
  }

  static let idRule = "2-63 of a-z 0-9 . - starting with a letter or digit"

  /// Creates a tenant (a partnership).
  @discardableResult
  public func createTenant(id: String, name: String) async throws -> Gongjian_V1_Tenant {
    var violations: [GongjianError.FieldViolation] = []
    if !OfficeIdentity.isValidIdentifier(id) {
      violations.append(.init(field: "id", description: "\(Self.idRule) (got '\(id)')"))
    }
    if name.isEmpty || name.count > 200 {
      violations.append(.init(field: "name", description: "required, at most 200 characters"))
    }
    if !violations.isEmpty { throw GongjianError.invalid(violations, in: "tenant") }
    let tenant = Gongjian_V1_Tenant.with {
      $0.id = id
      $0.name = name
    }
    try await self.store.createTenant(tenant, actor: self.actor)
    return tenant
  }

  /// Registers or updates an office.
  ///
  /// - Parameters:
  ///   - office: The office.
  ///   - field: The request field that holds it, for messages.
  @discardableResult
  public func putOffice(_ office: Gongjian_V1_Office, field: String = "office") async throws -> Gongjian_V1_Office {
    var violations: [GongjianError.FieldViolation] = []
    let prefix = field.isEmpty ? "" : "\(field)."
    if !OfficeIdentity.isValidIdentifier(office.id) {
      violations.append(.init(field: "\(prefix)id", description: "\(Self.idRule) (got '\(office.id)')"))
    }
    if office.name.isEmpty || office.name.count > 200 {
      violations.append(.init(field: "\(prefix)name", description: "required, at most 200 characters"))
    }
    if office.side != .suzhou && office.side != .suqian {
      violations.append(.init(field: "\(prefix)side", description: "SIDE_SUZHOU or SIDE_SUQIAN (suzhou or suqian)"))
    }
    if !violations.isEmpty { throw GongjianError.invalid(violations, in: "office") }
    try await self.store.putOffice(office, actor: self.actor)
    return office
  }

  /// Changes a registered office.
  ///
  /// - Throws: `notFound` naming the office when it is not registered.
  @discardableResult
  public func updateOffice(_ id: String, _ change: (inout Gongjian_V1_Office) -> Void) async throws -> Gongjian_V1_Office {
    guard var office = try await self.store.office(id: id) else {
      throw GongjianError(.notFound, "office \(id) is not registered")
    }
    change(&office)
    return try await self.putOffice(office)
  }

  /// Creates or changes a membership.
  @discardableResult
  public func setMembership(tenantID: String, officeID: String, role: Gongjian_V1_Role, keyDepartment: Bool = false) async throws -> Gongjian_V1_Membership {
    guard [.viewer, .contributor, .secretariat, .admin].contains(role) else {
      throw GongjianError.invalidField("role", "one of viewer, contributor, secretariat, admin")
    }
    guard OfficeIdentity.isValidIdentifier(officeID) else {
      throw GongjianError.invalidField("office_id", "not a valid office id (\(Self.idRule)): '\(officeID)'")
    }
    return try await self.store.setMembership(tenantID: tenantID, officeID: officeID, role: role, keyDepartment: keyDepartment, actor: self.actor)
  }

  /// Removes a membership.
  ///
  /// - Throws: `notFound` when there is none.
  public func removeMembership(tenantID: String, officeID: String) async throws {
    guard try await self.store.removeMembership(tenantID: tenantID, officeID: officeID, actor: self.actor) else {
      throw GongjianError(.notFound, "office \(officeID) is not a member of tenant \(tenantID)")
    }
  }
}
