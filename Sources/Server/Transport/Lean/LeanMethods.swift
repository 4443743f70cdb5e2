internal import GongjianProtocol
internal import GRPCCore

/// The methods the lean path serves, and what each of their calls goes through there: the
/// same ``CallAdmission`` as GRPCCore's path (office from the connection's certificate, quotas,
/// metrics and log lines), then the service's own implementation.
///
/// Served here: the hot methods, `Identity.WhoAmI`, `Sync.Push`, `Sync.Pull`, `Sync.GetRecord`
/// and the live feed, `Sync.Subscribe`. Every other method (reflection, health, the record
/// services) stays on GRPCCore's path on the same connection.
struct LeanMethods: Sendable {
  private let byPath: [String: LeanMethod]
  private let admission: CallAdmission

  /// Creates the registry.
  ///
  /// - Parameters:
  ///   - identity: `gongjian.v1.Identity`.
  ///   - sync: `gongjian.v1.Sync`.
  ///   - admission: What every call goes through before its service.
  init(identity: IdentityService, sync: SyncService, admission: CallAdmission) {
    self.init(
      methods: [
        .unary(Gongjian_V1_Identity.Method.WhoAmI.descriptor, identity.whoAmI),
        .unary(Gongjian_V1_Sync.Method.Push.descriptor, sync.push),
        .unary(Gongjian_V1_Sync.Method.Pull.descriptor, sync.pull),
        .unary(Gongjian_V1_Sync.Method.GetRecord.descriptor, sync.getRecord),
        .serverStreaming(Gongjian_V1_Sync.Method.Subscribe.descriptor, sync.subscribe),
      ],
      admission: admission
    )
  }

  /// Creates a registry of the given methods.
  init(methods: [LeanMethod], admission: CallAdmission) {
    self.byPath = Dictionary(uniqueKeysWithValues: methods.map { ("/" + $0.descriptor.fullyQualifiedMethod, $0) })
    self.admission = admission
  }

  /// The lean method at a request's `:path`, if there is one.
  func method(path: String) -> LeanMethod? {
    self.byPath[path]
  }

  /// Runs one call: its caller established and admitted, the method, the outcome counted and
  /// logged; failures as the status the client will see, as GRPCCore would make them.
  func run(
    _ method: LeanMethod, request: [UInt8], metadata: Metadata, remotePeer: String, localPeer: String,
    responses: LeanResponseStream
  ) async -> Result<[UInt8]?, RPCError> {
    let admission = self.admission
    return await withServerContextRPCCancellationHandle { handle in
      await withTaskCancellationHandler {
        var context = ServerContext(descriptor: method.descriptor, remotePeer: remotePeer, localPeer: localPeer, cancellation: handle)
        let caller: Caller
        do {
          caller = try await admission.caller(metadata: metadata, context: context)
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

  /// The status for a thrown error, as GRPCCore's server executor makes it.
  static func rpcError(_ error: any Error) -> RPCError {
    if let error = error as? RPCError { return error }
    if let convertible = error as? any RPCErrorConvertible { return RPCError(convertible) }
    return RPCError(code: .unknown, message: "Service method threw an unknown error.", cause: error)
  }
}
