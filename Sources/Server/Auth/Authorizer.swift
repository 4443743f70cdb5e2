public import GongjianProtocol

/// Decides, before any data is touched, whether a caller may act on a tenant. Deny by default.
///
/// Refusals name the tenant and the roles involved, and never tell whether a record exists in a
/// tenant the caller cannot read: an unknown tenant and a tenant without membership answer alike.
public struct Authorizer: Sendable {
  /// What a call needs.
  public enum Access: Sendable {
    /// Read the tenant's records (viewer, or any overseer).
    case read
    /// At least this role in the tenant.
    case role(Gongjian_V1_Role)
  }

  private let directory: DirectoryCache
  /// Admins of this tenant manage the deployment.
  public let operatorTenant: String

  /// Creates an authorizer.
  ///
  /// - Parameters:
  ///   - directory: Where memberships are read.
  ///   - operatorTenant: Tenant whose admins manage tenants, offices and certificates.
  public init(directory: DirectoryCache, operatorTenant: String) {
    self.directory = directory
    self.operatorTenant = operatorTenant
  }

  /// Creates an authorizer that reads memberships from the store on every call.
  ///
  /// - Parameters:
  ///   - store: Where memberships live.
  ///   - operatorTenant: Tenant whose admins manage tenants, offices and certificates.
  public init(store: any GongjianStore, operatorTenant: String) {
    self.init(directory: DirectoryCache(store: store, timeToLive: .zero), operatorTenant: operatorTenant)
  }

  /// Checks access to a tenant.
  ///
  /// - Parameters:
  ///   - access: What the call needs.
  ///   - tenantID: The tenant.
  ///   - caller: The authenticated caller.
  ///   - action: The action's name, for the message.
  /// - Returns: The caller's membership, or `nil` when it reads as an overseer.
  /// - Throws: `invalidArgument` for an empty tenant id, `permissionDenied` otherwise.
  @discardableResult
  public func require(
    _ access: Access, tenant tenantID: String, caller: Caller, action: String
  ) async throws -> Gongjian_V1_Membership? {
    guard !tenantID.isEmpty else {
      throw GongjianError.invalidField("tenant_id", "required")
    }
    let office = caller.office
    let membership = try await self.directory.memberships(officeID: office.id).first { $0.tenantID == tenantID }
    switch access {
    case .read:
      if let membership, membership.role.includes(.viewer) { return membership }
      if office.overseer { return nil }
      throw GongjianError(
        .permissionDenied, "office \(office.id) is not a member of tenant \(tenantID); \(action) needs viewer or overseer"
      )
    case .role(let needed):
      guard let membership else {
        let note = office.overseer ? " (overseers read every tenant but write only where they are members)" : ""
        throw GongjianError(
          .permissionDenied,
          "office \(office.id) is not a member of tenant \(tenantID); \(action) needs \(needed.displayName)\(note)"
        )
      }
      guard membership.role.includes(needed) else {
        throw GongjianError(
          .permissionDenied,
          "office \(office.id) has role \(membership.role.displayName) in tenant \(tenantID); \(action) needs \(needed.displayName)"
        )
      }
      return membership
    }
  }

  /// Whether a caller has an access, without an error for the answer "no".
  ///
  /// - Parameters:
  ///   - access: What the caller would need.
  ///   - tenantID: The tenant.
  ///   - caller: The authenticated caller.
  public func allows(_ access: Access, tenant tenantID: String, caller: Caller) async -> Bool {
    do {
      try await self.require(access, tenant: tenantID, caller: caller, action: "")
      return true
    } catch {
      return false
    }
  }

  /// Checks that the caller administers the deployment (admin of the operator tenant).
  ///
  /// - Parameters:
  ///   - caller: The authenticated caller.
  ///   - action: The action's name, for the message.
  /// - Throws: `permissionDenied`.
  public func requireOperator(_ caller: Caller, action: String) async throws {
    try await self.require(.role(.admin), tenant: self.operatorTenant, caller: caller, action: action)
  }
}
