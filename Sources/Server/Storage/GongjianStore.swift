public import Foundation
public import GongjianProtocol

/// The storage protocol: one implementation per database (SQLite embedded, PostgreSQL to scale
/// out), each passing the same conformance tests.
///
/// Every sync query carries its tenant. Callers authorise before calling.
public protocol GongjianStore: Sendable {
  /// Reads from the database, to tell whether it answers (the health probe).
  func ping() async throws

  // MARK: Directory

  // Every directory change names its actor and is appended to the directory's audit chain in
  // the same transaction.

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

  // MARK: Certificates

  /// Records an issued certificate.
  func recordCertificate(_ certificate: CertificateRecord, actor: String) async throws
  /// Issued certificates, optionally of one office.
  func certificates(officeID: String?) async throws -> [CertificateRecord]
  /// Marks a certificate revoked (idempotent); `nil` when the serial is unknown.
  func revokeCertificate(serial: String, at date: Date, actor: String) async throws -> CertificateRecord?
  /// Serials of all revoked certificates.
  func revokedSerials() async throws -> Set<String>
  /// The directory's audit chain, oldest first.
  func directoryAudit() async throws -> [DirectoryAuditEntry]
  /// Verifies the directory's audit chain; returns the number of entries checked.
  /// - Throws: `internalError` naming the first entry whose hash does not match.
  func verifyDirectoryAudit() async throws -> Int

  // MARK: Sync

  /// Commits pushes in one durable transaction; one result per push, in order.
  func commit(_ batches: [PushBatch]) async throws -> [Result<PushOutcome, GongjianError>]
  /// Changes of a tenant after a cursor, at most `limit`, with the snapshot's checkpoint.
  func changes(tenantID: String, after cursor: UInt64, limit: Int) async throws -> ChangePage
  /// A record's current version (tombstones included).
  func record(tenantID: String, kind: String, id: String) async throws -> StoredRecord?
  /// The live (not deleted) records of one kind in a tenant, by id.
  func liveRecords(tenantID: String, kind: String) async throws -> [StoredRecord]
  /// A tenant's current checkpoint.
  func checkpoint(tenantID: String) async throws -> TenantCheckpoint
  /// Removes superseded versions, tombstones and idempotency entries older than `cutoff`.
  func compact(before cutoff: Date) async throws -> CompactionReport
  /// Stores an attachment's content once per tenant and SHA-256 (idempotent).
  func putAttachment(tenantID: String, sha256: String, contentType: String, content: Data) async throws
  /// An attachment's content type and bytes.
  func attachment(tenantID: String, sha256: String) async throws -> (contentType: String, content: Data)?
  /// A tenant's audit entries after `after`, at most `limit`, in order.
  func auditEntries(tenantID: String, after: Int64, limit: Int) async throws -> [Gongjian_V1_AuditEntry]
  /// A tenant's audit chain: its length and the hash of its last entry.
  func auditHead(tenantID: String) async throws -> (count: Int64, hash: Data)
  /// Keeps a signed checkpoint.
  func saveAuditCheckpoint(_ checkpoint: Gongjian_V1_AuditCheckpoint) async throws
  /// A tenant's kept checkpoints, oldest first.
  func auditCheckpoints(tenantID: String) async throws -> [Gongjian_V1_AuditCheckpoint]
  /// Verifies a tenant's audit chain; returns the number of entries checked.
  /// - Throws: `internalError` naming the first entry whose hash does not match.
  func verifyAuditChain(tenantID: String) async throws -> Int
}

/// The directory changes of setup code (the sample partnership, tests), audited as `system`.
extension GongjianStore {
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

  public func recordCertificate(_ certificate: CertificateRecord) async throws {
    try await self.recordCertificate(certificate, actor: "system")
  }
}
