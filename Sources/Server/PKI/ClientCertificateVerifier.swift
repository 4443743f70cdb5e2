public import Foundation
internal import NIOSSL
public import X509

/// Decides whether a client certificate may open a connection: issued by this deployment's CA,
/// within its validity, meant for client authentication, naming exactly one office, and not
/// revoked.
///
/// BoringSSL verifies the chain and validity during the handshake first (against the CA as its
/// only trust root), so that a foreign or expired certificate gets the matching TLS alert
/// (`unknown_ca`, `certificate_expired`). This verifier runs again once the handshake completes,
/// for what BoringSSL does not know (the office, revocation), and explains refusals precisely
/// for the log. It is pure: it never touches the database.
public struct ClientCertificateVerifier: Sendable {
  /// Why a certificate was refused.
  public struct Refusal: Error, Sendable, CustomStringConvertible {
    public var description: String
  }

  private let authority: Certificate
  private let revocations: RevocationList

  /// Creates a verifier.
  ///
  /// - Parameters:
  ///   - authority: The CA certificate that issues client certificates.
  ///   - revocations: Revoked serials.
  public init(authority: Certificate, revocations: RevocationList) {
    self.authority = authority
    self.revocations = revocations
  }

  /// Verifies a leaf certificate.
  ///
  /// - Parameters:
  ///   - leaf: The certificate the client presented.
  ///   - now: The time to check validity at.
  /// - Returns: The office id the certificate names.
  /// - Throws: ``Refusal`` with the reason.
  public func verify(_ leaf: Certificate, now: Date = Date()) throws(Refusal) -> String {
    let serial = leaf.serialNumber.hexString
    guard leaf.issuer == self.authority.subject,
      self.authority.publicKey.isValidSignature(leaf.signature, for: leaf)
    else {
      throw Refusal(description: "certificate \(serial) (issuer \(leaf.issuer)) is not signed by this deployment's CA")
    }
    guard now >= leaf.notValidBefore else {
      throw Refusal(description: "certificate \(serial) is not valid before \(leaf.notValidBefore)")
    }
    guard now <= leaf.notValidAfter else {
      throw Refusal(description: "certificate \(serial) expired at \(leaf.notValidAfter)")
    }
    if let usage = try? leaf.extensions.extendedKeyUsage, !usage.contains(.clientAuth) {
      throw Refusal(description: "certificate \(serial) is not for client authentication")
    }
    let uris = leaf.officeURIs
    guard uris.count <= 1 else {
      throw Refusal(description: "certificate \(serial) names \(uris.count) offices (\(uris.joined(separator: ", "))); a certificate names exactly one")
    }
    guard let officeID = leaf.officeID else {
      throw Refusal(description: "certificate \(serial) names no office (SAN URI gongjian://office/<id>)")
    }
    guard !self.revocations.contains(serial) else {
      throw Refusal(description: "certificate \(serial) of office \(officeID) is revoked")
    }
    return officeID
  }

  /// Verifies the certificate a TLS peer presented.
  func verify(peer certificate: NIOSSLCertificate?) -> Result<ConnectionIdentity, Refusal> {
    guard let certificate else {
      return .failure(Refusal(description: "no client certificate presented"))
    }
    let leaf: Certificate
    do {
      leaf = try Certificate(derEncoded: try certificate.toDERBytes())
    } catch {
      return .failure(Refusal(description: "unreadable client certificate: \(error)"))
    }
    do {
      let office = try self.verify(leaf)
      return .success(ConnectionIdentity(officeID: office, serial: leaf.serialNumber.hexString, notAfter: leaf.notValidAfter))
    } catch {
      return .failure(error)
    }
  }
}
