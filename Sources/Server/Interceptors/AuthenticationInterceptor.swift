public import GRPCCore
public import Logging

/// Authenticates every call before it reaches a service, and logs each call's outcome with
/// office and method.
public struct AuthenticationInterceptor: ServerInterceptor {
  private let resolver: any CallerResolver
  private let logger: Logger

  /// Creates the interceptor.
  ///
  /// - Parameters:
  ///   - resolver: Establishes the calling office.
  ///   - logger: Where calls are logged.
  public init(resolver: any CallerResolver, logger: Logger) {
    self.resolver = resolver
    self.logger = logger
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    var logger = self.logger
    logger[metadataKey: "method"] = "\(context.descriptor)"
    logger[metadataKey: "peer"] = "\(context.remotePeer)"
    let caller: Caller
    do {
      caller = try await self.resolver.resolve(metadata: request.metadata, context: context)
    } catch {
      logger.notice("refused unauthenticated call", metadata: ["error": "\(error)"])
      throw error
    }
    logger[metadataKey: "office"] = "\(caller.office.id)"
    var context = context
    context.transportSpecific = caller
    do {
      let response = try await next(request, context)
      if case .failure(let error) = response.accepted {
        logger.info("call failed", metadata: ["code": "\(error.code)", "error": "\(error.message)"])
      } else {
        logger.debug("call accepted")
      }
      return response
    } catch {
      logger.info("call failed", metadata: ["error": "\(error)"])
      throw error
    }
  }
}
