internal import Foundation
public import GongjianProtocol
internal import GRDB

extension SQLiteStore {
  public func createTenant(_ tenant: Gongjian_V1_Tenant, actor: String) async throws {
    try await self.writer.write { db in
      if try Bool.fetchOne(db, sql: "SELECT 1 FROM tenant WHERE id = ?", arguments: [tenant.id]) != nil {
        throw GongjianError(.alreadyExists, "tenant \(tenant.id) exists already")
      }
      try db.execute(
        sql: "INSERT INTO tenant (id, name, created_at) VALUES (?, ?, ?)",
        arguments: [tenant.id, tenant.name, Date().timeIntervalSince1970]
      )
      try db.execute(sql: "INSERT INTO tenant_state (tenant_id) VALUES (?)", arguments: [tenant.id])
      try Self.audit(db, actor: actor, action: "tenant.create", subject: tenant.id, before: "", after: DirectoryAuditEntry.json(tenant))
    }
  }

  public func tenants() async throws -> [Gongjian_V1_Tenant] {
    try await self.writer.read { db in
      try Row.fetchAll(db, sql: "SELECT id, name FROM tenant ORDER BY id").map { row in
        Gongjian_V1_Tenant.with {
          $0.id = row["id"]
          $0.name = row["name"]
        }
      }
    }
  }

  public func putOffice(_ office: Gongjian_V1_Office, actor: String) async throws {
    try await self.writer.write { db in
      let before = try Row.fetchOne(db, sql: "SELECT * FROM office WHERE id = ?", arguments: [office.id]).map(Self.office(from:))
      try db.execute(
        sql: """
          INSERT INTO office (id, name, side, overseer, disabled) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET name = excluded.name, side = excluded.side,
            overseer = excluded.overseer, disabled = excluded.disabled
          """,
        arguments: [office.id, office.name, office.side.rawValue, office.overseer, office.disabled]
      )
      try Self.audit(db, actor: actor, action: "office.put", subject: office.id, before: before.map(DirectoryAuditEntry.json) ?? "", after: DirectoryAuditEntry.json(office))
    }
  }

  public func offices() async throws -> [Gongjian_V1_Office] {
    try await self.writer.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM office ORDER BY id").map(Self.office(from:))
    }
  }

  public func office(id: String) async throws -> Gongjian_V1_Office? {
    try await self.writer.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM office WHERE id = ?", arguments: [id]).map(Self.office(from:))
    }
  }

  static func office(from row: Row) -> Gongjian_V1_Office {
    Gongjian_V1_Office.with {
      $0.id = row["id"]
      $0.name = row["name"]
      $0.side = Gongjian_V1_Side(rawValue: row["side"]) ?? .unspecified
      $0.overseer = row["overseer"]
      $0.disabled = row["disabled"]
    }
  }

  public func setMembership(
    tenantID: String, officeID: String, role: Gongjian_V1_Role, keyDepartment: Bool, actor: String
  ) async throws -> Gongjian_V1_Membership {
    try await self.writer.write { db in
      guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tenant WHERE id = ?", arguments: [tenantID]) != nil else {
        throw GongjianError(.notFound, "tenant \(tenantID) does not exist")
      }
      guard let office = try Row.fetchOne(db, sql: "SELECT * FROM office WHERE id = ?", arguments: [officeID]) else {
        throw GongjianError(.notFound, "office \(officeID) does not exist")
      }
      let before = try Row.fetchOne(
        db, sql: Self.membershipSelect + " WHERE m.tenant_id = ? AND m.office_id = ?", arguments: [tenantID, officeID]
      ).map(Self.membership(from:))
      try db.execute(
        sql: """
          INSERT INTO membership (tenant_id, office_id, role, key_department) VALUES (?, ?, ?, ?)
          ON CONFLICT (tenant_id, office_id) DO UPDATE SET role = excluded.role, key_department = excluded.key_department
          """,
        arguments: [tenantID, officeID, role.rawValue, keyDepartment]
      )
      let membership = Gongjian_V1_Membership.with {
        $0.tenantID = tenantID
        $0.officeID = officeID
        $0.role = role
        $0.keyDepartment = keyDepartment
        $0.side = Gongjian_V1_Side(rawValue: office["side"]) ?? .unspecified
      }
      try Self.audit(
        db, actor: actor, action: "membership.set", subject: "\(tenantID)/\(officeID)", before: before.map(DirectoryAuditEntry.json) ?? "",
        after: DirectoryAuditEntry.json(membership)
      )
      return membership
    }
  }

  public func removeMembership(tenantID: String, officeID: String, actor: String) async throws -> Bool {
    try await self.writer.write { db in
      guard let before = try Row.fetchOne(
        db, sql: Self.membershipSelect + " WHERE m.tenant_id = ? AND m.office_id = ?", arguments: [tenantID, officeID]
      ).map(Self.membership(from:)) else { return false }
      try db.execute(
        sql: "DELETE FROM membership WHERE tenant_id = ? AND office_id = ?",
        arguments: [tenantID, officeID]
      )
      try Self.audit(db, actor: actor, action: "membership.remove", subject: "\(tenantID)/\(officeID)", before: DirectoryAuditEntry.json(before), after: "")
      return true
    }
  }

  static let membershipSelect = """
    SELECT m.tenant_id, m.office_id, m.role, m.key_department, o.side FROM membership m
    JOIN office o ON o.id = m.office_id
    """

  public func memberships(tenantID: String) async throws -> [Gongjian_V1_Membership] {
    try await self.writer.read { db in
      try Row.fetchAll(
        db, sql: Self.membershipSelect + " WHERE m.tenant_id = ? ORDER BY m.office_id", arguments: [tenantID]
      ).map(Self.membership(from:))
    }
  }

  public func memberships(officeID: String) async throws -> [Gongjian_V1_Membership] {
    try await self.writer.read { db in
      try Row.fetchAll(
        db, sql: Self.membershipSelect + " WHERE m.office_id = ? ORDER BY m.tenant_id", arguments: [officeID]
      ).map(Self.membership(from:))
    }
  }

  static func membership(from row: Row) -> Gongjian_V1_Membership {
    Gongjian_V1_Membership.with {
      $0.tenantID = row["tenant_id"]
      $0.officeID = row["office_id"]
      $0.role = Gongjian_V1_Role(rawValue: row["role"]) ?? .unspecified
      $0.keyDepartment = row["key_department"]
      $0.side = Gongjian_V1_Side(rawValue: row["side"]) ?? .unspecified
    }
  }
}
