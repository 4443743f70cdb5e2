public import GRPCCore

/// Establishes which office is calling.
public protocol CallerResolver: Sendable {
  /// The office behind a call.
  ///
  /// - Parameters:
  ///   - metadata: The request's metadata.
  ///   - context: The call's context as the transport made it.
  /// - Throws: `UNAUTHENTICATED` when no office can be established.
  func resolve(metadata: Metadata, context: ServerContext) async throws -> Caller
}

/// Takes the office from the verified client certificate (SAN URI `gongjian://office/<id>`),
/// never from a request field, and refuses revoked certificates on connections that were
/// opened before the revocation.
public struct CertificateCallerResolver: CallerResolver {
  private let connections: ConnectionIdentities
  private let directory: DirectoryCache
  private let revocations: RevocationList

  /// Creates a resolver.
  ///
  /// - Parameters:
  ///   - connections: The identities the handshakes established, per connection.
  ///   - directory: Where offices are registered.
  ///   - revocations: Revoked serials.
  public init(connections: ConnectionIdentities, directory: DirectoryCache, revocations: RevocationList) {
    self.connections = connections
    self.directory = directory
    self.revocations = revocations
  }

  public func resolve(metadata: Metadata, context: ServerContext) async throws -> Caller {
    guard let identity = self.connections.identity(peer: context.remotePeer) else {
      throw GongjianError(.unauthenticated, "no client certificate: Gongjian requires mutual TLS")
    }
    guard !self.revocations.contains(identity.serial) else {
      throw GongjianError(.unauthenticated, "certificate \(identity.serial) is revoked")
    }
    guard let office = try await self.directory.office(id: identity.officeID) else {
      throw GongjianError(.unauthenticated, "office \(identity.officeID) named by certificate \(identity.serial) is not registered")
    }
    return Caller(office: office, certificateSerial: identity.serial, certificateNotAfter: identity.notAfter)
  }
}
