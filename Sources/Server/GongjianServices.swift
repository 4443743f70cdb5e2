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

  /// Creates the services.
  ///
  /// - Parameters:
  ///   - store: The store.
  ///   - revocations: Revoked certificate serials.
  ///   - configuration: Server configuration.
  ///   - logger: The root logger.
  public init(store: any GongjianStore, revocations: RevocationList, configuration: ServerConfiguration, logger: Logger) {
    let directory = DirectoryCache(store: store, timeToLive: configuration.authorization.directoryCacheTimeToLive)
    let authorizer = Authorizer(directory: directory, operatorTenant: configuration.authorization.operatorTenant)
    self.directory = directory
    let engine = SyncEngine(store: store, authorizer: authorizer, configuration: configuration, logger: logger)
    self.engine = engine
    self.authorizer = authorizer
    self.rpcServices = [
      IdentityService(directory: directory, store: store),
      SyncService(engine: engine),
      AdminService(store: store, authorizer: authorizer, revocations: revocations, directory: directory),
      RecordsService(engine: engine, store: store, authorizer: authorizer),
      TargetsService(store: store, cityTenant: configuration.authorization.operatorTenant),
      CouncilsService(
        engine: engine, store: store, authorizer: authorizer, cityTenant: configuration.authorization.operatorTenant,
        maxAttachmentBytes: configuration.limits.maxAttachmentBytes, ranges: configuration.validation.plausibleRanges
      ),
    ]
  }
}
