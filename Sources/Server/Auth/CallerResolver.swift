internal import Foundation
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

/// Takes the office from the identity the transport established for the call's connection
/// (its verified client certificate, SAN URI `gongjian://office/<id>`), never from a request
/// field, and refuses certificates revoked or expired since the connection was opened.
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
    // Stamped by the transport's stream guard, which removes any header of this name a client sends.
    var stamped = metadata[stringValues: ConnectionIdentity.header].makeIterator()
    guard let value = stamped.next(), let identity = ConnectionIdentity(headerValue: value)
    else {
      throw GongjianError(.unauthenticated, "no client certificate: Gongjian requires mutual TLS")
    }
    guard !self.revocations.contains(identity.serial) else {
      throw GongjianError(.unauthenticated, "certificate \(identity.serial) is revoked")
    }
    guard identity.notAfter >= Date() else {
      throw GongjianError(.unauthenticated, "certificate \(identity.serial) expired at \(identity.notAfter)")
    }
    guard let office = try await self.directory.office(id: identity.officeID) else {
      throw GongjianError(.unauthenticated, "office \(identity.officeID) named by certificate \(identity.serial) is not registered")
    }
    guard !office.disabled else {
      throw GongjianError(.unauthenticated, "office \(identity.officeID) is disabled; an operator re-enables it with `gongjian-server offices enable`")
    }
    return Caller(office: office, certificateSerial: identity.serial, certificateNotAfter: identity.notAfter)
  }
}
