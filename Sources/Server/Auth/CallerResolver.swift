public import GRPCCore
internal import GRPCNIOTransportHTTP2
internal import X509

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
  private let directory: DirectoryCache
  private let revocations: RevocationList

  /// Creates a resolver.
  ///
  /// - Parameters:
  ///   - directory: Where offices are registered.
  ///   - revocations: Revoked serials.
  public init(directory: DirectoryCache, revocations: RevocationList) {
    self.directory = directory
    self.revocations = revocations
  }

  public func resolve(metadata: Metadata, context: ServerContext) async throws -> Caller {
    guard let transport = context.transportSpecific as? HTTP2ServerTransport.Posix.Context,
      let certificate = transport.peerCertificate
    else {
      throw GongjianError(.unauthenticated, "no client certificate: Gongjian requires mutual TLS")
    }
    let serial = certificate.serialNumber.hexString
    guard !self.revocations.contains(serial) else {
      throw GongjianError(.unauthenticated, "certificate \(serial) is revoked")
    }
    guard let officeID = certificate.officeID else {
      throw GongjianError(.unauthenticated, "certificate \(serial) names no office")
    }
    guard let office = try await self.directory.office(id: officeID) else {
      throw GongjianError(.unauthenticated, "office \(officeID) named by certificate \(serial) is not registered")
    }
    return Caller(office: office, certificateSerial: serial, certificateNotAfter: certificate.notValidAfter)
  }
}
