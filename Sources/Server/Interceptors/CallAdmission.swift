internal import GRPCCore
internal import Logging

/// What every call goes through, whichever path serves it (GRPCCore's interceptor chain or the
/// lean path): its office established, its quotas charged, its outcome counted and logged.
struct CallAdmission: Sendable {
  let resolver: any CallerResolver
  let logger: Logger
  let quotas: QuotaGate?

  /// The calling office; a refusal is logged.
  ///
  /// - Throws: `UNAUTHENTICATED` when no office can be established.
  /// - Parameter identity: The connection's identity when the transport hands it over (the
  ///   lean path); nil when it is stamped into the metadata.
  func caller(identity: ConnectionIdentity? = nil, metadata: Metadata, context: ServerContext) async throws -> Caller {
    do {
      return try await self.resolver.resolve(identity: identity, metadata: metadata, context: context)
    } catch {
      self.logger.notice("refused unauthenticated call", metadata: Self.metadata(context, nil, ["error": "\(error)"]))
      throw error
    }
  }

  /// The calling office when it can be told without waiting; nil when it cannot. A refusal is
  /// logged.
  ///
  /// - Throws: `UNAUTHENTICATED` when no office can be established.
  func callerImmediately(identity: ConnectionIdentity?, metadata: Metadata, context: ServerContext) throws -> Caller? {
    do {
      return try self.resolver.resolveImmediately(identity: identity, metadata: metadata)
    } catch {
      self.logger.notice("refused unauthenticated call", metadata: Self.metadata(context, nil, ["error": "\(error)"]))
      throw error
    }
  }

  /// Charges one request of `office` naming `tenant` to the quotas.
  ///
  /// - Throws: `RESOURCE_EXHAUSTED` naming the quota and when to retry.
  func admit(office: String, tenant: String?) throws {
    try self.quotas?.admit(office: office, tenant: tenant)
  }

  /// Counts and logs a call's outcome.
  ///
  /// - Parameter failure: The status code and message of a failed call; nil when it succeeded.
  func finished(
    context: ServerContext, caller: Caller, tenant: String?, duration: Duration, failure: (code: String, message: String)?
  ) {
    let method = context.descriptor.fullyQualifiedMethod
    // Metadata is built only when a line is logged (the parameter is an autoclosure): setting
    // it on a copied Logger cost 2.5% of a whoami's server CPU.
    if let failure {
      ServerMetrics.rpc(method: method, code: failure.code, tenant: tenant, duration: duration)
      let extra = Self.call(tenant, duration, ["code": "\(failure.code)", "error": "\(failure.message)"])
      // A call the client cancelled (a reset stream) is logged at debug level: a reset flood
      // would otherwise write a line per stream.
      if context.cancellation.isCancelled {
        self.logger.debug("call cancelled by the client", metadata: Self.metadata(context, caller, extra))
      } else {
        self.logger.info("call failed", metadata: Self.metadata(context, caller, extra))
      }
    } else {
      ServerMetrics.rpc(method: method, code: "ok", tenant: tenant, duration: duration)
      self.logger.debug("call", metadata: Self.metadata(context, caller, Self.call(tenant, duration, ["code": "ok"])))
    }
  }

  /// The status code a thrown error stands for, as a log and metrics label.
  static func code(of error: any Error) -> String {
    (error as? any RPCErrorConvertible).map { "\($0.rpcErrorCode)" } ?? (error as? RPCError).map { "\($0.code)" } ?? "unknown"
  }

  /// A call's tenant and duration, for its log line.
  private static func call(_ tenant: String?, _ duration: Duration, _ extra: Logger.Metadata) -> Logger.Metadata {
    var metadata = extra
    if let tenant { metadata["tenant"] = "\(tenant)" }
    metadata["duration_ms"] = "\(ServerMetrics.nanoseconds(duration) / 1_000_000)"
    return metadata
  }

  private static func metadata(_ context: ServerContext, _ caller: Caller?, _ extra: Logger.Metadata) -> Logger.Metadata {
    var metadata = extra
    metadata["method"] = "\(context.descriptor)"
    metadata["peer"] = "\(context.remotePeer)"
    if let caller { metadata["office"] = "\(caller.office.id)" }
    return metadata
  }
}
