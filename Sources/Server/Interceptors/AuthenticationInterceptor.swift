public import GRPCCore
internal import GongjianProtocol
public import Logging
internal import Synchronization

/// Authenticates every call before it reaches a service, and logs each call's outcome with
/// office and method.
public struct AuthenticationInterceptor: ServerInterceptor {
  let admission: CallAdmission

  /// Creates the interceptor.
  ///
  /// - Parameters:
  ///   - resolver: Establishes the calling office.
  ///   - logger: Where calls are logged.
  ///   - quotas: Request rates per office and per tenant; nil for none.
  public init(resolver: any CallerResolver, logger: Logger, quotas: QuotaGate? = nil) {
    self.admission = CallAdmission(resolver: resolver, logger: logger, quotas: quotas)
  }

  /// Creates the interceptor over an admission shared with the lean path.
  init(admission: CallAdmission) {
    self.admission = admission
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let admission = self.admission
    let caller = try await admission.caller(metadata: request.metadata, context: context)
    var context = context
    context.transportSpecific = caller
    var request = request
    // The tenant is in the first message: it is charged to the quotas (a request over quota
    // ends there, before the service) and named in the call's metrics.
    let tenant = Mutex<String?>(nil)
    let first = Mutex(true)
    let office = caller.office.id
    request.messages = RPCAsyncSequence(wrapping: request.messages.map { message in
      let isFirst = first.withLock { value in
        defer { value = false }
        return value
      }
      if isFirst {
        let named = (message as? any TenantScoped)?.tenantID
        tenant.withLock { $0 = named }
        try admission.admit(office: office, tenant: named)
      }
      return message
    })
    let started = ContinuousClock.now
    do {
      let response = try await next(request, context)
      let failure = response.accepted.failure.map { (code: "\($0.code)", message: $0.message) }
      admission.finished(
        context: context, caller: caller, tenant: tenant.withLock { $0 }, duration: ContinuousClock.now - started, failure: failure
      )
      return response
    } catch {
      admission.finished(
        context: context, caller: caller, tenant: tenant.withLock { $0 }, duration: ContinuousClock.now - started,
        failure: (CallAdmission.code(of: error), "\(error)")
      )
      throw error
    }
  }
}

extension Result {
  /// The error of a failure; nil for a success.
  fileprivate var failure: Failure? {
    if case .failure(let error) = self { return error }
    return nil
  }
}
