internal import GongjianProtocol
public import GRPCCore
public import Logging

/// The RPC services of a server over one store, for any transport (TLS in production, the
/// in-process transport in tests).
public struct GongjianServices: Sendable {
  /// The write path and change feed.
  public let engine: SyncEngine
  /// Membership checks.
  public let authorizer: Authorizer
  /// Offices and memberships as calls see them.
  public let directory: DirectoryCache
  /// The services to register.
  public let rpcServices: [any RegistrableRPCService]
  /// `grpc.health.v1.Health`, which the server sets serving once it listens.
  public let health: HealthService
  /// `grpc.reflection.v1.ServerReflection` and its v1alpha twin.
  let reflection: ServerReflectionService
  let reflectionV1Alpha: ServerReflectionV1AlphaService
  /// `gongjian.v1.Identity`, also served on the lean path.
  let identity: IdentityService
  /// `gongjian.v1.Sync`, also served on the lean path.
  let sync: SyncService
  /// The record services, also served on the lean path.
  let records: RecordsService
  let targets: TargetsService
  let councils: CouncilsService
  let audit: AuditService
  let admin: AdminService

  /// The services that answer from the store, by full name: NOT_SERVING while it fails.
  public static let storeServiceNames = [
    Gongjian_V1_Identity.descriptor.fullyQualifiedService, Gongjian_V1_Sync.descriptor.fullyQualifiedService,
    Gongjian_V1_Admin.descriptor.fullyQualifiedService, Gongjian_V1_Records.descriptor.fullyQualifiedService,
    Gongjian_V1_Targets.descriptor.fullyQualifiedService, Gongjian_V1_Councils.descriptor.fullyQualifiedService,
    Gongjian_V1_Audit.descriptor.fullyQualifiedService,
  ]

  /// The services a server registers, by full name.
  public static let serviceNames = Self.storeServiceNames + [
    Grpc_Health_V1_Health.descriptor.fullyQualifiedService, Grpc_Reflection_V1_ServerReflection.descriptor.fullyQualifiedService,
    Grpc_Reflection_V1alpha_ServerReflection.descriptor.fullyQualifiedService,
  ]

  /// Creates the services.
  ///
  /// - Parameters:
  ///   - store: The store.
  ///   - revocations: Revoked certificate serials.
  ///   - configuration: Server configuration.
  ///   - logger: The root logger.
  ///   - signer: Signs audit checkpoints with the server's key; without it they are refused.
  public init(
    store: any GongjianStore, revocations: RevocationList, configuration: ServerConfiguration, logger: Logger,
    signer: AuditSigner? = nil
  ) {
    let directory = DirectoryCache(store: store, timeToLive: configuration.authorization.directoryCacheTimeToLive)
    let authorizer = Authorizer(directory: directory, operatorTenant: configuration.authorization.operatorTenant)
    self.directory = directory
    let engine = SyncEngine(store: store, authorizer: authorizer, configuration: configuration, logger: logger)
    self.engine = engine
    self.authorizer = authorizer
    let health = HealthService(services: Self.serviceNames)
    self.health = health
    let identity = IdentityService(directory: directory)
    let sync = SyncService(engine: engine)
    self.identity = identity
    self.sync = sync
    let audit = AuditService(store: store, authorizer: authorizer, signer: signer)
    let admin = AdminService(store: store, authorizer: authorizer, revocations: revocations, directory: directory)
    let records = RecordsService(engine: engine, store: store, authorizer: authorizer)
    let targets = TargetsService(
      store: store, authorizer: authorizer, cityTenant: configuration.authorization.operatorTenant, ranges: configuration.validation.plausibleRanges
    )
    let councils = CouncilsService(
      engine: engine, store: store, authorizer: authorizer, cityTenant: configuration.authorization.operatorTenant,
      maxAttachmentBytes: configuration.limits.maxAttachmentBytes, ranges: configuration.validation.plausibleRanges
    )
    (self.audit, self.admin, self.records, self.targets, self.councils) = (audit, admin, records, targets, councils)
    self.reflection = ServerReflectionService(services: Self.serviceNames)
    self.reflectionV1Alpha = ServerReflectionV1AlphaService(services: Self.serviceNames)
    self.rpcServices = [
      health, self.reflection, self.reflectionV1Alpha,
      audit, identity, sync, admin, records, targets, councils,
    ]
  }
}
