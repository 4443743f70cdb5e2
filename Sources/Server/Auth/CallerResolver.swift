internal import Foundation
internal import GongjianProtocol
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

  /// The office behind a call when it can be told without waiting (from what is cached); nil
  /// when it cannot, and the call goes through ``resolve(metadata:context:)``.
  ///
  /// - Throws: `UNAUTHENTICATED`, as ``resolve(metadata:context:)`` would.
  func resolveImmediately(metadata: Metadata) throws -> Caller?

  /// The office behind a call whose connection's identity the transport hands over itself
  /// (the lean path), rather than stamped into the metadata.
  func resolve(identity: ConnectionIdentity?, metadata: Metadata, context: ServerContext) async throws -> Caller

  /// ``resolveImmediately(metadata:)`` with the connection's identity handed over.
  func resolveImmediately(identity: ConnectionIdentity?, metadata: Metadata) throws -> Caller?
}

extension CallerResolver {
  public func resolveImmediately(metadata: Metadata) throws -> Caller? { nil }

  public func resolve(identity: ConnectionIdentity?, metadata: Metadata, context: ServerContext) async throws -> Caller {
    try await self.resolve(metadata: metadata, context: context)
  }

  public func resolveImmediately(identity: ConnectionIdentity?, metadata: Metadata) throws -> Caller? {
    try self.resolveImmediately(metadata: metadata)
  }
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
    try await self.resolve(identity: nil, metadata: metadata, context: context)
  }

  public func resolveImmediately(metadata: Metadata) throws -> Caller? {
    try self.resolveImmediately(identity: nil, metadata: metadata)
  }

  public func resolve(identity: ConnectionIdentity?, metadata: Metadata, context: ServerContext) async throws -> Caller {
    let identity = try self.identity(identity, metadata)
    return try self.caller(identity, office: try await self.directory.office(id: identity.officeID))
  }

  public func resolveImmediately(identity: ConnectionIdentity?, metadata: Metadata) throws -> Caller? {
    let identity = try self.identity(identity, metadata)
    guard let office = self.directory.cachedOffice(id: identity.officeID) else { return nil }
    return try self.caller(identity, office: office)
  }

  /// The connection's identity, handed over by the lean path, checked against revocations and
  /// its validity. Without one there is no certificate to trust: never a header's word.
  private func identity(_ handed: ConnectionIdentity?, _ metadata: Metadata) throws -> ConnectionIdentity {
    guard let identity = handed else {
      throw GongjianError(.unauthenticated, "no client certificate: Gongjian requires mutual TLS")
    }
    guard !self.revocations.contains(identity.serial) else {
      throw GongjianError(.unauthenticated, "certificate \(identity.serial) is revoked")
    }
    guard identity.notAfter >= Date() else {
      throw GongjianError(.unauthenticated, "certificate \(identity.serial) expired at \(identity.notAfter)")
    }
    return identity
  }

  /// The caller, once the directory has answered for the identity's office.
  private func caller(_ identity: ConnectionIdentity, office: Gongjian_V1_Office?) throws -> Caller {
    guard let office else {
      throw GongjianError(.unauthenticated, "office \(identity.officeID) named by certificate \(identity.serial) is not registered")
    }
    guard !office.disabled else {
      throw GongjianError(.unauthenticated, "office \(identity.officeID) is disabled; an operator re-enables it with `gongjian-server offices enable`")
    }
    return Caller(office: office, certificateSerial: identity.serial, certificateNotAfter: identity.notAfter)
  }
}
