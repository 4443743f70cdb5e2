public import Foundation
public import GongjianProtocol
internal import PostgresNIO

extension PostgresStore {
  /// Directory changes take this lock for their transaction: the directory's audit chain is one
  /// line for all nodes.
  static let directoryLock: Int64 = 0x6A67_6469_7200  // "jgdir"

  /// Runs a directory change: serialised with other nodes' changes, audited, and announced on
  /// ``directoryChannel`` when it commits.
  func directoryChange<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
    try await self.transaction(tenants: []) { connection in
      try await connection.query("SELECT pg_advisory_xact_lock(\(Self.directoryLock))", logger: self.logger)
      let result = try await body(connection)
      try await connection.query("SELECT pg_notify(\(Self.directoryChannel), 'changed')", logger: self.logger)
      return result
    }
  }

  /// Appends a directory change to its audit chain, in the caller's transaction.
  func audit(_ connection: PostgresConnection, actor: String, action: String, subject: String, before: String, after: String) async throws {
    let last = try await connection.query("SELECT n, hash FROM directory_audit ORDER BY n DESC LIMIT 1", logger: self.logger)
      .collect().first?.decode((Int64, Data).self)
    let entry = DirectoryAuditEntry(
      number: (last?.0 ?? 0) + 1, at: Date().timeIntervalSince1970, actor: actor, action: action,
      subject: subject, before: before, after: after, previousHash: last?.1 ?? Data()
    )
    try await connection.query(
      """
      INSERT INTO directory_audit (n, at, actor, action, subject, before, after, prev_hash, hash)
      VALUES (\(entry.number), \(entry.at), \(entry.actor), \(entry.action), \(entry.subject), \(entry.before),
        \(entry.after), \(entry.previousHash), \(entry.hash))
      """,
      logger: self.logger
    )
  }

  public func createTenant(_ tenant: Gongjian_V1_Tenant, actor: String) async throws {
    try await self.directoryChange { connection in
      let exists = try await connection.query("SELECT 1 FROM tenant WHERE id = \(tenant.id)", logger: self.logger).collect()
      guard exists.isEmpty else { throw GongjianError(.alreadyExists, "tenant \(tenant.id) exists already") }
      try await connection.query(
        "INSERT INTO tenant (id, name, created_at) VALUES (\(tenant.id), \(tenant.name), \(Date().timeIntervalSince1970))",
        logger: self.logger
      )
      // The new tenant's state row is behind the wall: this transaction names it to insert it.
      try await connection.query("SELECT set_config('gongjian.tenants', \([tenant.id])::text, true)", logger: self.logger)
      try await connection.query("INSERT INTO tenant_state (tenant_id) VALUES (\(tenant.id))", logger: self.logger)
      try await self.audit(
        connection, actor: actor, action: "tenant.create", subject: tenant.id, before: "", after: DirectoryAuditEntry.json(tenant)
      )
    }
  }

  public func tenants() async throws -> [Gongjian_V1_Tenant] {
    try await self.mapErrors {
      var tenants: [Gongjian_V1_Tenant] = []
      for try await (id, name) in try await self.client.query("SELECT id, name FROM tenant ORDER BY id", logger: self.logger)
        .decode((String, String).self)
      {
        tenants.append(.with {
          $0.id = id
          $0.name = name
        })
      }
      return tenants
    }
  }

  private static let officeColumns = "id, name, side, overseer, disabled"

  private static func office(_ row: PostgresRow) throws -> Gongjian_V1_Office {
    let (id, name, side, overseer, disabled) = try row.decode((String, String, Int, Bool, Bool).self)
    return .with {
      $0.id = id
      $0.name = name
      $0.side = Gongjian_V1_Side(rawValue: side) ?? .unspecified
      $0.overseer = overseer
      $0.disabled = disabled
    }
  }

  private func office(_ connection: PostgresConnection, id: String) async throws -> Gongjian_V1_Office? {
    try await connection.query("SELECT \(unescaped: Self.officeColumns) FROM office WHERE id = \(id)", logger: self.logger)
      .collect().first.map(Self.office)
  }

  public func putOffice(_ office: Gongjian_V1_Office, actor: String) async throws {
    try await self.directoryChange { connection in
      let before = try await self.office(connection, id: office.id)
      try await connection.query(
        """
        INSERT INTO office (id, name, side, overseer, disabled)
        VALUES (\(office.id), \(office.name), \(office.side.rawValue), \(office.overseer), \(office.disabled))
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, side = excluded.side,
          overseer = excluded.overseer, disabled = excluded.disabled
        """,
        logger: self.logger
      )
      try await self.audit(
        connection, actor: actor, action: "office.put", subject: office.id,
        before: before.map(DirectoryAuditEntry.json) ?? "", after: DirectoryAuditEntry.json(office)
      )
    }
  }

  public func offices() async throws -> [Gongjian_V1_Office] {
    try await self.mapErrors {
      try await self.client.query("SELECT \(unescaped: Self.officeColumns) FROM office ORDER BY id", logger: self.logger)
        .collect().map(Self.office)
    }
  }

  public func office(id: String) async throws -> Gongjian_V1_Office? {
    try await self.mapErrors {
      try await self.client.withConnection { try await self.office($0, id: id) }
    }
  }

  private static let membershipSelect = """
    SELECT m.tenant_id, m.office_id, m.role, m.key_department, o.side FROM membership m
    JOIN office o ON o.id = m.office_id
    """

  private static func membership(_ row: PostgresRow) throws -> Gongjian_V1_Membership {
    let (tenantID, officeID, role, keyDepartment, side) = try row.decode((String, String, Int, Bool, Int).self)
    return .with {
      $0.tenantID = tenantID
      $0.officeID = officeID
      $0.role = Gongjian_V1_Role(rawValue: role) ?? .unspecified
      $0.keyDepartment = keyDepartment
      $0.side = Gongjian_V1_Side(rawValue: side) ?? .unspecified
    }
  }

  private func membership(_ connection: PostgresConnection, tenantID: String, officeID: String) async throws -> Gongjian_V1_Membership? {
    try await connection.query(
      "\(unescaped: Self.membershipSelect) WHERE m.tenant_id = \(tenantID) AND m.office_id = \(officeID)", logger: self.logger
    ).collect().first.map(Self.membership)
  }

  public func setMembership(
    tenantID: String, officeID: String, role: Gongjian_V1_Role, keyDepartment: Bool, actor: String
  ) async throws -> Gongjian_V1_Membership {
    try await self.directoryChange { connection in
      guard try await !connection.query("SELECT 1 FROM tenant WHERE id = \(tenantID)", logger: self.logger).collect().isEmpty else {
        throw GongjianError(.notFound, "tenant \(tenantID) does not exist")
      }
      guard let office = try await self.office(connection, id: officeID) else {
        throw GongjianError(.notFound, "office \(officeID) does not exist")
      }
      let before = try await self.membership(connection, tenantID: tenantID, officeID: officeID)
      try await connection.query(
        """
        INSERT INTO membership (tenant_id, office_id, role, key_department)
        VALUES (\(tenantID), \(officeID), \(role.rawValue), \(keyDepartment))
        ON CONFLICT (tenant_id, office_id) DO UPDATE SET role = excluded.role, key_department = excluded.key_department
        """,
        logger: self.logger
      )
      let membership = Gongjian_V1_Membership.with {
        $0.tenantID = tenantID
        $0.officeID = officeID
        $0.role = role
        $0.keyDepartment = keyDepartment
        $0.side = office.side
      }
      try await self.audit(
        connection, actor: actor, action: "membership.set", subject: "\(tenantID)/\(officeID)",
        before: before.map(DirectoryAuditEntry.json) ?? "", after: DirectoryAuditEntry.json(membership)
      )
      return membership
    }
  }

  public func removeMembership(tenantID: String, officeID: String, actor: String) async throws -> Bool {
    try await self.directoryChange { connection in
      guard let before = try await self.membership(connection, tenantID: tenantID, officeID: officeID) else { return false }
      try await connection.query(
        "DELETE FROM membership WHERE tenant_id = \(tenantID) AND office_id = \(officeID)", logger: self.logger
      )
      try await self.audit(
        connection, actor: actor, action: "membership.remove", subject: "\(tenantID)/\(officeID)",
        before: DirectoryAuditEntry.json(before), after: ""
      )
      return true
    }
  }

  public func memberships(tenantID: String) async throws -> [Gongjian_V1_Membership] {
    try await self.mapErrors {
      try await self.client.query(
        "\(unescaped: Self.membershipSelect) WHERE m.tenant_id = \(tenantID) ORDER BY m.office_id", logger: self.logger
      ).collect().map(Self.membership)
    }
  }

  public func memberships(officeID: String) async throws -> [Gongjian_V1_Membership] {
    try await self.mapErrors {
      try await self.client.query(
        "\(unescaped: Self.membershipSelect) WHERE m.office_id = \(officeID) ORDER BY m.tenant_id", logger: self.logger
      ).collect().map(Self.membership)
    }
  }

  // MARK: Certificates

  private static let certificateColumns = "serial, office_id, not_before, not_after, revoked_at"

  private static func certificate(_ row: PostgresRow) throws -> CertificateRecord {
    let (serial, officeID, notBefore, notAfter, revokedAt) = try row.decode((String, String, Double, Double, Double?).self)
    return CertificateRecord(
      serial: serial, officeID: officeID, notBefore: Date(timeIntervalSince1970: notBefore),
      notAfter: Date(timeIntervalSince1970: notAfter), revokedAt: revokedAt.map(Date.init(timeIntervalSince1970:))
    )
  }

  public func recordCertificate(_ certificate: CertificateRecord, actor: String) async throws {
    try await self.directoryChange { connection in
      try await connection.query(
        """
        INSERT INTO certificate (serial, office_id, not_before, not_after, revoked_at)
        VALUES (\(certificate.serial), \(certificate.officeID), \(certificate.notBefore.timeIntervalSince1970),
          \(certificate.notAfter.timeIntervalSince1970), \(certificate.revokedAt?.timeIntervalSince1970))
        """,
        logger: self.logger
      )
      try await self.audit(
        connection, actor: actor, action: "certificate.issue", subject: certificate.serial, before: "",
        after: DirectoryAuditEntry.json(certificate)
      )
    }
  }

  public func certificates(officeID: String?) async throws -> [CertificateRecord] {
    try await self.mapErrors {
      let query: PostgresQuery =
        if let officeID {
          "SELECT \(unescaped: Self.certificateColumns) FROM certificate WHERE office_id = \(officeID) ORDER BY not_before, serial"
        } else {
          "SELECT \(unescaped: Self.certificateColumns) FROM certificate ORDER BY office_id, not_before, serial"
        }
      return try await self.client.query(query, logger: self.logger).collect().map(Self.certificate)
    }
  }

  public func revokeCertificate(serial: String, at date: Date, actor: String) async throws -> CertificateRecord? {
    try await self.directoryChange { connection in
      let before = try await connection.query(
        "SELECT \(unescaped: Self.certificateColumns) FROM certificate WHERE serial = \(serial) FOR UPDATE", logger: self.logger
      ).collect().first.map(Self.certificate)
      guard let before, before.revokedAt == nil else { return before }
      try await connection.query(
        "UPDATE certificate SET revoked_at = \(date.timeIntervalSince1970) WHERE serial = \(serial)", logger: self.logger
      )
      var after = before
      after.revokedAt = date
      try await self.audit(
        connection, actor: actor, action: "certificate.revoke", subject: serial,
        before: DirectoryAuditEntry.json(before), after: DirectoryAuditEntry.json(after)
      )
      return after
    }
  }

  public func revokedSerials() async throws -> Set<String> {
    try await self.mapErrors {
      var serials = Set<String>()
      for try await serial in try await self.client.query(
        "SELECT serial FROM certificate WHERE revoked_at IS NOT NULL", logger: self.logger
      ).decode(String.self) {
        serials.insert(serial)
      }
      return serials
    }
  }

  // MARK: Directory audit

  public func directoryAudit() async throws -> [DirectoryAuditEntry] {
    try await self.mapErrors {
      try await self.client.query(
        "SELECT n, at, actor, action, subject, before, after, prev_hash, hash FROM directory_audit ORDER BY n", logger: self.logger
      ).collect().map { try Self.directoryEntry($0).entry }
    }
  }

  private static func directoryEntry(_ row: PostgresRow) throws -> (entry: DirectoryAuditEntry, hash: Data) {
    let (n, at, actor, action, subject, before, after, previous, hash) =
      try row.decode((Int64, Double, String, String, String, String, String, Data, Data).self)
    return (
      DirectoryAuditEntry(number: n, at: at, actor: actor, action: action, subject: subject, before: before, after: after, previousHash: previous),
      hash
    )
  }

  public func verifyDirectoryAudit() async throws -> Int {
    try await self.mapErrors {
      var previous = Data()
      var count = 0
      for row in try await self.client.query(
        "SELECT n, at, actor, action, subject, before, after, prev_hash, hash FROM directory_audit ORDER BY n", logger: self.logger
      ).collect() {
        let (entry, hash) = try Self.directoryEntry(row)
        guard entry.previousHash == previous, entry.hash == hash else {
          throw GongjianError(.internalError, "the directory's audit chain breaks at entry \(entry.number) (\(entry.action) \(entry.subject))")
        }
        previous = entry.hash
        count += 1
      }
      return count
    }
  }
}
