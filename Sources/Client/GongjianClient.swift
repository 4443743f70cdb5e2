public import GongjianProtocol
internal import GRPCCore
internal import GRPCNIOTransportHTTP2
internal import GRPCProtobuf
internal import SwiftProtobuf

/// A connection to a Gongjian server over mutual TLS, with typed calls.
///
/// Use ``withClient(server:credentials:_:)``; the connection closes when the body returns.
public struct GongjianClient: Sendable {
  let client: GRPCClient<HTTP2ClientTransport.Posix>
  var options: CallOptions = .defaults

  /// A copy whose calls fail with `DEADLINE_EXCEEDED` (a ``GongjianClientError/Kind/connection``
  /// error) after `timeout`.
  ///
  /// - Parameter timeout: The deadline of each call, from its start.
  public func withTimeout(_ timeout: Duration) -> GongjianClient {
    var copy = self
    copy.options.timeout = timeout
    return copy
  }

  /// Connects, runs `body`, and closes the connection.
  ///
  /// - Parameters:
  ///   - server: `HOST:PORT`.
  ///   - credentials: The office's credential folder.
  ///   - body: Uses the client.
  /// - Throws: ``GongjianClientError`` for a malformed address or unreadable credentials;
  ///   whatever `body` throws.
  public static func withClient<Result: Sendable>(
    server: String, credentials: ClientCredentials,
    _ body: (GongjianClient) async throws -> Result
  ) async throws -> Result {
    let (host, port) = try Self.parse(server: server)
    let target: any ResolvableTarget =
      host.contains(":") ? .ipv6(address: host, port: port) : (Self.isIPv4(host) ? .ipv4(address: host, port: port) : .dns(host: host, port: port))
    let transport = try HTTP2ClientTransport.Posix(
      target: target,
      transportSecurity: .mTLS(
        certificateChain: [.file(path: credentials.certificatePath, format: .pem)],
        privateKey: .file(path: credentials.privateKeyPath, format: .pem)
      ) { tls in
        tls.trustRoots = .certificates([.file(path: credentials.caPath, format: .pem)])
        tls.serverCertificateVerification = .fullVerification
      },
      config: .defaults { $0.connection.maxIdleTime = nil }
    )
    return try await withGRPCClient(transport: transport) { grpc in
      try await body(GongjianClient(client: grpc, options: .defaults))
    }
  }

  private static func isIPv4(_ host: String) -> Bool {
    let parts = host.split(separator: ".")
    return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
  }

  /// Checks an address without connecting.
  ///
  /// - Parameter server: `HOST:PORT`.
  /// - Returns: The host and port.
  /// - Throws: ``GongjianClientError`` (`usage`) naming the expected form.
  @discardableResult
  public static func validate(server: String) throws -> (host: String, port: Int) {
    try Self.parse(server: server)
  }

  static func parse(server: String) throws -> (String, Int) {
    guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]),
      (1...65535).contains(port)
    else {
      throw GongjianClientError(.usage, "server: expected HOST:PORT, e.g. 127.0.0.1:7443 (got '\(server)')")
    }
    let host = String(server[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    return (host, port)
  }

  /// Runs a call, turning RPC errors into ``GongjianClientError``.
  func call<R>(_ body: () async throws -> R) async throws -> R {
    do {
      return try await body()
    } catch let error as RPCError {
      throw GongjianClientError(error)
    }
  }

  /// The calling office and its memberships.
  public func whoAmI() async throws -> Gongjian_V1_WhoAmIResponse {
    try await self.call { try await Gongjian_V1_Identity.Client(wrapping: self.client).whoAmI(.init(), options: self.options) }
  }

  /// Pushes mutations.
  ///
  /// - Parameters:
  ///   - tenantID: The tenant.
  ///   - clientID: This installation's client id.
  ///   - mutations: The mutations.
  public func push(
    tenantID: String, clientID: String, mutations: [Gongjian_V1_Mutation], atomic: Bool = false
  ) async throws -> Gongjian_V1_PushResponse {
    let request = Gongjian_V1_PushRequest.with {
      $0.tenantID = tenantID
      $0.clientID = clientID
      $0.mutations = mutations
      $0.atomic = atomic
    }
    return try await self.call { try await Gongjian_V1_Sync.Client(wrapping: self.client).push(request, options: self.options) }
  }

  /// One page of the change feed.
  ///
  /// - Parameters:
  ///   - tenantID: The tenant.
  ///   - cursor: The last sequence the caller has.
  ///   - pageSize: Records per page; 0 for the server's default.
  public func pull(tenantID: String, cursor: UInt64, pageSize: UInt32 = 0) async throws -> Gongjian_V1_PullResponse {
    let request = Gongjian_V1_PullRequest.with {
      $0.tenantID = tenantID
      $0.cursor = cursor
      $0.pageSize = pageSize
    }
    return try await self.call { try await Gongjian_V1_Sync.Client(wrapping: self.client).pull(request, options: self.options) }
  }

  /// One record's current version.
  public func record(tenantID: String, kind: String, id: String) async throws -> Gongjian_V1_Record {
    let request = Gongjian_V1_GetRecordRequest.with {
      $0.tenantID = tenantID
      $0.kind = kind
      $0.id = id
    }
    return try await self.call { try await Gongjian_V1_Sync.Client(wrapping: self.client).getRecord(request, options: self.options) }
  }

  /// Follows the change feed from a cursor; `onEvent` returns false to stop.
  ///
  /// - Parameters:
  ///   - tenantID: The tenant.
  ///   - cursor: The last sequence the caller has.
  ///   - onEvent: Called with each event.
  public func subscribe(
    tenantID: String, cursor: UInt64,
    onEvent: @escaping @Sendable (Gongjian_V1_SubscribeResponse) async throws -> Bool
  ) async throws {
    let request = Gongjian_V1_SubscribeRequest.with {
      $0.tenantID = tenantID
      $0.cursor = cursor
    }
    try await self.call {
      try await Gongjian_V1_Sync.Client(wrapping: self.client).subscribe(request, options: self.options) { response in
        for try await event in response.messages {
          if try await !onEvent(event) { return }
        }
      }
    }
  }

  /// Creates a record through the typed Records service.
  public func create(_ request: Gongjian_V1_CreateRecordRequest) async throws -> Gongjian_V1_TypedRecord {
    try await self.call { try await Gongjian_V1_Records.Client(wrapping: self.client).create(request, options: self.options) }
  }

  /// Updates a record from its base version.
  public func update(_ request: Gongjian_V1_UpdateRecordRequest) async throws -> Gongjian_V1_TypedRecord {
    try await self.call { try await Gongjian_V1_Records.Client(wrapping: self.client).update(request, options: self.options) }
  }

  /// One typed record.
  public func get(_ request: Gongjian_V1_GetTypedRecordRequest) async throws -> Gongjian_V1_TypedRecord {
    try await self.call { try await Gongjian_V1_Records.Client(wrapping: self.client).get(request, options: self.options) }
  }

  /// One page of typed records.
  public func list(_ request: Gongjian_V1_ListRecordsRequest) async throws -> Gongjian_V1_ListRecordsResponse {
    try await self.call { try await Gongjian_V1_Records.Client(wrapping: self.client).list(request, options: self.options) }
  }

  /// The targets report of a year.
  public func targetsReport(year: Int32) async throws -> Gongjian_V1_TargetsReport {
    try await self.call {
      try await Gongjian_V1_Targets.Client(wrapping: self.client).report(.with { $0.year = year }, options: self.options)
    }
  }

  /// The flagship comparison for a period.
  public func flagship(period: Gongjian_V1_Period) async throws -> Gongjian_V1_FlagshipComparison {
    try await self.call {
      try await Gongjian_V1_Targets.Client(wrapping: self.client).flagship(.with { $0.period = period }, options: self.options)
    }
  }

  /// The evaluation scorecards of a year.
  public func evaluation(year: Int32) async throws -> Gongjian_V1_EvaluationReport {
    try await self.call {
      try await Gongjian_V1_Targets.Client(wrapping: self.client).evaluation(.with { $0.year = year }, options: self.options)
    }
  }

  /// What the office's figures need offline (``OfflineReports`` reads it from the mirror).
  public func offlineSummary() async throws -> Gongjian_V1_OfflineSummary {
    try await self.call {
      try await Gongjian_V1_Targets.Client(wrapping: self.client).summary(.init(), options: self.options)
    }
  }

  /// Revokes a certificate (operator admins only).
  public func revokeCertificate(serial: String) async throws -> Gongjian_V1_CertificateInfo {
    try await self.call {
      try await Gongjian_V1_Admin.Client(wrapping: self.client).revokeCertificate(.with { $0.serial = serial }, options: self.options)
    }
  }

  /// The tenants the office may read (every tenant for overseers).
  public func tenants() async throws -> [Gongjian_V1_Tenant] {
    try await self.call {
      try await Gongjian_V1_Admin.Client(wrapping: self.client).listTenants(.init(), options: self.options).tenants
    }
  }

  /// Creates a tenant (operator admins only).
  public func createTenant(id: String, name: String) async throws -> Gongjian_V1_Tenant {
    try await self.call {
      try await Gongjian_V1_Admin.Client(wrapping: self.client).createTenant(.with { $0.id = id; $0.name = name }, options: self.options)
    }
  }

  /// Registers or updates an office (operator admins only).
  public func putOffice(_ office: Gongjian_V1_Office) async throws -> Gongjian_V1_Office {
    try await self.call {
      try await Gongjian_V1_Admin.Client(wrapping: self.client).putOffice(.with { $0.office = office }, options: self.options)
    }
  }

  /// Every registered office (operator admins only).
  public func offices() async throws -> [Gongjian_V1_Office] {
    try await self.call {
      try await Gongjian_V1_Admin.Client(wrapping: self.client).listOffices(.init(), options: self.options).offices
    }
  }

  /// Creates or changes a membership (admins of the tenant).
  public func setMembership(_ request: Gongjian_V1_SetMembershipRequest) async throws -> Gongjian_V1_Membership {
    try await self.call {
      try await Gongjian_V1_Admin.Client(wrapping: self.client).setMembership(request, options: self.options)
    }
  }

  /// Removes a membership (admins of the tenant).
  public func removeMembership(tenantID: String, officeID: String) async throws {
    _ = try await self.call {
      try await Gongjian_V1_Admin.Client(wrapping: self.client).removeMembership(.with { $0.tenantID = tenantID; $0.officeID = officeID }, options: self.options)
    }
  }

  /// A page of a tenant's audit entries after `after`.
  public func auditEntries(tenantID: String, after: Int64) async throws -> Gongjian_V1_ListAuditEntriesResponse {
    try await self.call {
      try await Gongjian_V1_Audit.Client(wrapping: self.client).listEntries(.with { $0.tenantID = tenantID; $0.after = after }, options: self.options)
    }
  }

  /// A checkpoint of a tenant's audit chain, signed now.
  public func signAuditCheckpoint(tenantID: String) async throws -> Gongjian_V1_AuditCheckpoint {
    try await self.call {
      try await Gongjian_V1_Audit.Client(wrapping: self.client).signCheckpoint(.with { $0.tenantID = tenantID }, options: self.options)
    }
  }

  /// The checkpoints the server signed periodically.
  public func auditCheckpoints(tenantID: String) async throws -> [Gongjian_V1_AuditCheckpoint] {
    try await self.call {
      try await Gongjian_V1_Audit.Client(wrapping: self.client).listCheckpoints(.with { $0.tenantID = tenantID }, options: self.options).checkpoints
    }
  }

  /// The memberships of a tenant.
  public func memberships(tenantID: String) async throws -> [Gongjian_V1_Membership] {
    try await self.call {
      try await Gongjian_V1_Admin.Client(wrapping: self.client).listMemberships(.with { $0.tenantID = tenantID }, options: self.options).memberships
    }
  }
}

internal import Foundation
