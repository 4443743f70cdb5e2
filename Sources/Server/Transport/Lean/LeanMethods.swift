internal import GongjianProtocol
internal import GRPCCore

/// The methods the lean path serves, and what each of their calls goes through there: the
/// same ``CallAdmission`` as GRPCCore's path (office from the connection's certificate, quotas,
/// metrics and log lines), then the service's own implementation.
///
/// Served here: every method the server registers: Gongjian's own services, from the table
/// `dev/generate.sh` writes from the schema (``schemaMethods(_:)``: all unary, and
/// `Sync.Subscribe`, server-streaming), health (`Check`, and `Watch`, server-streaming) and
/// reflection v1 and v1alpha (bidirectional).
struct LeanMethods: Sendable {
  private let byPath: [String: LeanMethod]
  private let admission: CallAdmission

  /// Creates the registry.
  ///
  /// - Parameters:
  ///   - identity: `gongjian.v1.Identity`.
  ///   - sync: `gongjian.v1.Sync`.
  ///   - admission: What every call goes through before its service.
  init(services: GongjianServices, admission: CallAdmission) {
    let identity = services.identity
    // WhoAmI answers from the connection's cached identity when it can, without a task hop.
    let whoAmI = LeanMethod.unary(Gongjian_V1_Identity.Method.WhoAmI.descriptor, identity.whoAmI) { _, caller in
      try identity.whoAmIImmediately(caller: caller)
    }
    let schema = Self.schemaMethods(services).map { method in
      method.descriptor == whoAmI.descriptor ? whoAmI : method
    }
    self.init(
      methods: schema + [
        .unary(Grpc_Health_V1_Health.Method.Check.descriptor, services.health.check),
        .serverStreaming(Grpc_Health_V1_Health.Method.Watch.descriptor, services.health.watch),
        .bidirectionalStreaming(
          Grpc_Reflection_V1_ServerReflection.Method.ServerReflectionInfo.descriptor, services.reflection.serverReflectionInfo
        ),
        .bidirectionalStreaming(
          Grpc_Reflection_V1alpha_ServerReflection.Method.ServerReflectionInfo.descriptor,
          services.reflectionV1Alpha.serverReflectionInfo
        ),
      ],
      admission: admission
    )
  }

  /// Creates a registry of the given methods.
  init(methods: [LeanMethod], admission: CallAdmission) {
    self.byPath = Dictionary(uniqueKeysWithValues: methods.map { ("/" + $0.descriptor.fullyQualifiedMethod, $0) })
    self.admission = admission
  }

  /// The `:path`s served here.
  var paths: [String] { self.byPath.keys.sorted() }

  /// The lean method at a request's `:path`, if there is one.
  func method(path: String) -> LeanMethod? {
    self.byPath[path]
  }

  /// Runs one call: its caller established and admitted, the method, the outcome counted and
  /// logged; failures as the status the client will see, as GRPCCore would make them.
  func run(
    _ method: LeanMethod, request: LeanMethod.Request, identity: ConnectionIdentity?, metadata: Metadata, remotePeer: String,
    localPeer: String, responses: LeanResponseStream
  ) async -> Result<[UInt8]?, RPCError> {
    let admission = self.admission
    return await withServerContextRPCCancellationHandle { handle in
      await withTaskCancellationHandler {
        var context = ServerContext(descriptor: method.descriptor, remotePeer: remotePeer, localPeer: localPeer, cancellation: handle)
        let caller: Caller
        do {
          caller = try await admission.caller(identity: identity, metadata: metadata, context: context)
        } catch {
          return .failure(Self.rpcError(error))
        }
        context.transportSpecific = caller
        var tenant: String?
        let started = ContinuousClock.now
        do {
          let response = try await method.run(request, context, { named in
            tenant = named
            try admission.admit(office: caller.office.id, tenant: named)
          }, responses)
          admission.finished(context: context, caller: caller, tenant: tenant, duration: ContinuousClock.now - started, failure: nil)
          return .success(response)
        } catch {
          admission.finished(
            context: context, caller: caller, tenant: tenant, duration: ContinuousClock.now - started,
            failure: (CallAdmission.code(of: error), "\(error)")
          )
          return .failure(Self.rpcError(error))
        }
      } onCancel: {
        handle.cancel()
      }
    }
  }

  /// Runs one call on the event loop when its method can answer without waiting: nil when it
  /// cannot (nothing was admitted or counted), and the call goes to
  /// ``run(_:request:identity:metadata:remotePeer:localPeer:responses:)``.
  func runImmediately(
    _ method: LeanMethod, request: [UInt8], identity: ConnectionIdentity?, metadata: Metadata, remotePeer: String, localPeer: String
  ) -> Result<[UInt8]?, RPCError>? {
    guard let immediate = method.immediate else { return nil }
    let admission = self.admission
    var context = ServerContext(
      descriptor: method.descriptor, remotePeer: remotePeer, localPeer: localPeer, cancellation: .init()
    )
    let caller: Caller
    do {
      guard let resolved = try admission.callerImmediately(identity: identity, metadata: metadata, context: context) else { return nil }
      caller = resolved
    } catch {
      return .failure(Self.rpcError(error))
    }
    context.transportSpecific = caller
    var tenant: String?
    let started = ContinuousClock.now
    do {
      let response = try immediate(request, caller) { named in
        tenant = named
        try admission.admit(office: caller.office.id, tenant: named)
      }
      guard let response else { return nil }
      admission.finished(context: context, caller: caller, tenant: tenant, duration: ContinuousClock.now - started, failure: nil)
      return .success(response)
    } catch {
      admission.finished(
        context: context, caller: caller, tenant: tenant, duration: ContinuousClock.now - started,
        failure: (CallAdmission.code(of: error), "\(error)")
      )
      return .failure(Self.rpcError(error))
    }
  }

  /// The status for a thrown error, as GRPCCore's server executor makes it.
  static func rpcError(_ error: any Error) -> RPCError {
    if let error = error as? RPCError { return error }
    if let convertible = error as? any RPCErrorConvertible { return RPCError(convertible) }
    return RPCError(code: .unknown, message: "Service method threw an unknown error.", cause: error)
  }
}
