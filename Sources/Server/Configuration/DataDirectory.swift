public import Foundation
public import GongjianProtocol
public import Logging

/// A server's data directory: the database (or where it is) and the deployment's PKI.
///
/// ```
/// D/gongjian.sqlite          the embedded store, or
/// D/storage.url              the PostgreSQL database that the nodes sharing D use
/// D/pki/ca.pem  D/pki/ca-key.pem  D/pki/server.pem  D/pki/server-key.pem
/// D/pki/offices/<office-id>/{ca.pem, cert.pem, key.pem}
/// ```
public struct DataDirectory: Sendable {
  /// The directory.
  public let url: URL

  /// Creates a handle; nothing is read or written.
  ///
  /// - Parameter path: The directory's path.
  public init(path: String) {
    self.url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
  }

  public var databasePath: String { self.url.appendingPathComponent("gongjian.sqlite").path }
  public var pkiURL: URL { self.url.appendingPathComponent("pki", isDirectory: true) }
  public var caCertificatePath: String { self.pkiURL.appendingPathComponent("ca.pem").path }
  public var caKeyPath: String { self.pkiURL.appendingPathComponent("ca-key.pem").path }
  public var serverCertificatePath: String { self.pkiURL.appendingPathComponent("server.pem").path }
  public var serverKeyPath: String { self.pkiURL.appendingPathComponent("server-key.pem").path }

  /// The credential folder of an office.
  public func officeCredentialsURL(_ officeID: String) -> URL {
    self.pkiURL.appendingPathComponent("offices", isDirectory: true).appendingPathComponent(officeID, isDirectory: true)
  }

  /// Where `init --storage` recorded the deployment's PostgreSQL database.
  public var storageURLPath: String { self.url.appendingPathComponent("storage.url").path }

  /// Whether `init` has run here.
  public var isInitialised: Bool {
    FileManager.default.fileExists(atPath: self.caCertificatePath)
      && (FileManager.default.fileExists(atPath: self.databasePath) || FileManager.default.fileExists(atPath: self.storageURLPath))
  }

  /// Where the records live: `storage` when given, else what `init` recorded, else SQLite.
  ///
  /// - Throws: `invalidArgument` when the recorded URL does not parse.
  public func storage(_ storage: StorageLocation? = nil) throws -> StorageLocation {
    if let storage { return storage }
    guard let text = try? String(contentsOfFile: self.storageURLPath, encoding: .utf8) else { return .sqlite }
    return try StorageLocation(url: text.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// Opens the data directory's SQLite store, the directory and the database files owner-only
  /// (tightened, and said so, when an earlier version left them open to other users).
  public func openStore(logger: Logger) throws -> SQLiteStore {
    try self.makePrivate(logger: logger, database: true)
    return try SQLiteStore(path: self.databasePath, logger: logger)
  }

  /// Makes the directory (and with `database`, the SQLite files) readable by the owner only.
  func makePrivate(logger: Logger, database: Bool) throws {
    var tightened = try PrivateFiles.folder(self.url.path)
    if database { tightened += try PrivateFiles.database(self.databasePath) }
    if !tightened.isEmpty {
      logger.notice("tightened to owner-only access (other local users could read them)", metadata: ["paths": "\(tightened.joined(separator: ", "))"])
    }
  }

  /// Runs `body` with the deployment's store open: SQLite in the directory, or the PostgreSQL
  /// database (its connection pool runs while `body` does).
  ///
  /// - Parameters:
  ///   - storage: Overrides what `init` recorded (`--storage`).
  ///   - allowUnsafe: Opens a PostgreSQL database that could lose acknowledged commits (tests).
  public func withStore<Result: Sendable>(
    _ storage: StorageLocation? = nil, allowUnsafe: Bool = false, logger: Logger,
    _ body: (any GongjianStore) async throws -> Result
  ) async throws -> Result {
    switch try self.storage(storage) {
    case .sqlite:
      return try await body(try self.openStore(logger: logger))
    case .postgres(var configuration):
      configuration.allowUnsafe = configuration.allowUnsafe || allowUnsafe
      return try await PostgresStore.withStore(configuration, logger: logger) { try await body($0) }
    }
  }

  /// Loads the CA (needs the private key: only for issuing).
  public func loadAuthority() throws -> CertificateAuthority {
    try CertificateAuthority(
      certificatePEM: try String(contentsOfFile: self.caCertificatePath, encoding: .utf8),
      privateKeyPEM: try String(contentsOfFile: self.caKeyPath, encoding: .utf8)
    )
  }

  /// The first administrator of a deployment: an office with the admin role in the operator
  /// tenant, which manages tenants, offices and certificates from then on.
  public struct FirstAdmin: Sendable {
    public var office: Gongjian_V1_Office
    /// The operator tenant (`authorization.operatorTenant`, default `city`) and its name.
    public var operatorTenant: String
    public var operatorTenantName: String

    public init(office: Gongjian_V1_Office, operatorTenant: String, operatorTenantName: String) {
      self.office = office
      self.operatorTenant = operatorTenant
      self.operatorTenantName = operatorTenantName
    }
  }

  /// Creates the operator tenant (unless it exists), registers the first admin office in it and
  /// writes its credential folder.
  ///
  /// - Returns: The credential folder and the certificate's serial.
  public func createFirstAdmin(
    _ admin: FirstAdmin, store: any GongjianStore, actor: String, logger: Logger
  ) async throws -> (folder: URL, serial: String) {
    let directory = DirectoryAdmin(store: store, actor: actor)
    if try await store.tenants().contains(where: { $0.id == admin.operatorTenant }) == false {
      try await directory.createTenant(id: admin.operatorTenant, name: admin.operatorTenantName)
    }
    try await directory.putOffice(admin.office)
    try await directory.setMembership(tenantID: admin.operatorTenant, officeID: admin.office.id, role: .admin)
    return try await self.issueCredentials(officeID: admin.office.id, authority: try self.loadAuthority(), store: store, actor: actor)
  }

  /// Creates the CA, the server certificate and the database; with `dev`, also the sample
  /// tenants, offices and memberships of docs/DOMAIN.md, each office with its credential folder.
  ///
  /// - Parameters:
  ///   - hosts: Names and addresses in the server certificate.
  ///   - dev: Whether to add the sample partnership.
  ///   - storage: Where the records live; a PostgreSQL URL is recorded in `storage.url` for the
  ///     commands and nodes that use this directory later (default: SQLite in the directory).
  ///   - allowUnsafe: Accepts a PostgreSQL database that could lose acknowledged commits (tests).
  ///   - logger: Where progress is logged.
  /// - Throws: `failedPrecondition` when the directory is initialised already.
  public func initialise(
    hosts: [String], dev: Bool, storage: StorageLocation = .sqlite, allowUnsafe: Bool = false, logger: Logger
  ) async throws {
    guard !FileManager.default.fileExists(atPath: self.caCertificatePath) else {
      throw GongjianError(.failedPrecondition, "\(self.url.path) is initialised already (found \(self.caCertificatePath))")
    }
    try self.makePrivate(logger: logger, database: false)
    // The store first: a database that cannot be reached or is unsafe leaves no half-made directory.
    try await self.withStore(storage, allowUnsafe: allowUnsafe, logger: logger) { store in
      try FileManager.default.createDirectory(at: self.pkiURL, withIntermediateDirectories: true)
      let authority = try CertificateAuthority.create()
      try Self.write(try authority.certificatePEM, to: self.caCertificatePath)
      try Self.write(authority.privateKeyPEM, to: self.caKeyPath, secret: true)
      let server = try authority.issueServerCertificate(hosts: hosts)
      try Self.write(server.certificatePEM, to: self.serverCertificatePath)
      try Self.write(server.privateKeyPEM, to: self.serverKeyPath, secret: true)
      if case .postgres(let configuration) = storage {
        // It may carry a password.
        try Self.write(configuration.url + "\n", to: self.storageURLPath, secret: true)
      }
      logger.info("created CA and server certificate", metadata: ["pki": "\(self.pkiURL.path)", "hosts": "\(hosts)"])
      guard dev else { return }
      try await self.loadSample(into: store, authority: authority, logger: logger)
    }
  }

  private func loadSample(into store: any GongjianStore, authority: CertificateAuthority, logger: Logger) async throws {
    for tenant in DevDirectory.tenants { try await store.createTenant(tenant) }
    for office in DevDirectory.offices {
      try await store.putOffice(office)
      _ = try await self.issueCredentials(officeID: office.id, authority: authority, store: store)
    }
    for entry in DevDirectory.memberships {
      _ = try await store.setMembership(tenantID: entry.tenant, officeID: entry.office, role: entry.role, keyDepartment: entry.keyDepartment)
    }
    try await DevDataset.load(into: store, logger: logger)
    logger.info("created sample partnership", metadata: [
      "tenants": "\(DevDirectory.tenants.count)", "offices": "\(DevDirectory.offices.count)",
      "credentials": "\(self.pkiURL.appendingPathComponent("offices").path)",
    ])
  }

  /// Issues a certificate for a registered office and writes its credential folder
  /// (`ca.pem`, `cert.pem`, `key.pem`).
  ///
  /// - Parameters:
  ///   - officeID: The office.
  ///   - authority: The CA.
  ///   - store: Where the certificate is recorded.
  ///   - folder: Where to write; defaults to `pki/offices/<office-id>`.
  /// - Returns: The folder and the certificate's serial.
  public func issueCredentials(
    officeID: String, authority: CertificateAuthority, store: any GongjianStore, folder: URL? = nil, actor: String = "system"
  ) async throws -> (folder: URL, serial: String) {
    guard try await store.office(id: officeID) != nil else {
      throw GongjianError(.notFound, "office \(officeID) is not registered")
    }
    let issued = try authority.issueOfficeCertificate(officeID: officeID)
    let folder = folder ?? self.officeCredentialsURL(officeID)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Self.write(try authority.certificatePEM, to: folder.appendingPathComponent("ca.pem").path)
    try Self.write(issued.certificatePEM, to: folder.appendingPathComponent("cert.pem").path)
    try Self.write(issued.privateKeyPEM, to: folder.appendingPathComponent("key.pem").path, secret: true)
    try await store.recordCertificate(
      CertificateRecord(
        serial: issued.serial, officeID: officeID,
        notBefore: issued.certificate.notValidBefore, notAfter: issued.certificate.notValidAfter
      ),
      actor: actor
    )
    return (folder, issued.serial)
  }

  static func write(_ text: String, to path: String, secret: Bool = false) throws {
    guard FileManager.default.createFile(
      atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: secret ? 0o600 : 0o644]
    ) else {
      throw GongjianError(.internalError, "cannot write \(path)")
    }
  }
}
