#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
internal import Crypto
public import Foundation
internal import GongjianProtocol
internal import SwiftASN1
public import X509

/// The deployment's own certificate authority (ECDSA P-256): it issues the server's certificate
/// and each office's client certificate, so a deployment needs no OpenSSL commands.
public struct CertificateAuthority: Sendable {
  /// The CA certificate that servers and clients pin.
  public let certificate: Certificate
  private let privateKey: P256.Signing.PrivateKey

  /// A certificate and its private key, PEM-encoded.
  public struct IssuedCredential: Sendable {
    public var certificate: Certificate
    public var certificatePEM: String
    public var privateKeyPEM: String
    /// Lower-case hex serial number.
    public var serial: String
  }

  /// How far back every certificate's validity starts: a machine whose wall clock is up to a
  /// day behind (or that an NTP correction steps back) still accepts certificates issued now.
  public static let clockSkewAllowance: TimeInterval = 86400

  /// Creates a new CA.
  ///
  /// - Parameters:
  ///   - commonName: The CA's subject common name.
  ///   - validity: How long the CA certificate is valid.
  ///   - now: The start of validity.
  /// - Throws: When the certificate cannot be built or signed.
  public static func create(
    commonName: String = "Gongjian CA", validity: TimeInterval = 20 * 365 * 86400, now: Date = Date()
  ) throws -> CertificateAuthority {
    let key = P256.Signing.PrivateKey()
    let name = try DistinguishedName {
      OrganizationName("Gongjian")
      CommonName(commonName)
    }
    let publicKey = Certificate.PublicKey(key.publicKey)
    let certificate = try Certificate(
      version: .v3,
      serialNumber: Certificate.SerialNumber(),
      publicKey: publicKey,
      notValidBefore: now.addingTimeInterval(-Self.clockSkewAllowance),
      notValidAfter: now.addingTimeInterval(validity),
      issuer: name,
      subject: name,
      signatureAlgorithm: .ecdsaWithSHA256,
      extensions: try Certificate.Extensions {
        Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
        Critical(KeyUsage(keyCertSign: true, cRLSign: true))
        SubjectKeyIdentifier(hash: publicKey)
      },
      issuerPrivateKey: Certificate.PrivateKey(key)
    )
    return CertificateAuthority(certificate: certificate, privateKey: key)
  }

  /// Loads a CA from PEM.
  ///
  /// - Parameters:
  ///   - certificatePEM: The CA certificate.
  ///   - privateKeyPEM: The CA's private key.
  /// - Throws: When either cannot be parsed or they do not belong together.
  public init(certificatePEM: String, privateKeyPEM: String) throws {
    let certificate = try Certificate(pemEncoded: certificatePEM)
    let key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
    guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
      throw GongjianError(.failedPrecondition, "the CA key does not match the CA certificate")
    }
    self.init(certificate: certificate, privateKey: key)
  }

  private init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) {
    self.certificate = certificate
    self.privateKey = privateKey
  }

  /// The CA certificate as PEM.
  public var certificatePEM: String {
    get throws { try self.certificate.serializeAsPEM().pemString }
  }

  /// The CA's private key as PEM.
  public var privateKeyPEM: String { self.privateKey.pemRepresentation }

  /// Signs bytes with the CA's key (ECDSA P-256, SHA-256): the revocation lists it publishes.
  ///
  /// - Returns: The DER signature.
  func sign(_ data: Data) throws -> Data {
    try self.privateKey.signature(for: data).derRepresentation
  }

  /// Issues a client certificate naming an office (SAN URI `gongjian://office/<id>`).
  ///
  /// - Parameters:
  ///   - officeID: A valid office id.
  ///   - validity: How long it is valid.
  ///   - now: The start of validity.
  /// - Throws: `invalidArgument` for a malformed id; signing errors.
  public func issueOfficeCertificate(
    officeID: String, validity: TimeInterval = 2 * 365 * 86400, now: Date = Date()
  ) throws -> IssuedCredential {
    guard OfficeIdentity.isValidIdentifier(officeID) else {
      throw GongjianError.invalidField("office", "'\(officeID)' is not a valid office id (2-63 of a-z 0-9 . -)")
    }
    return try self.issue(
      commonName: officeID,
      validFrom: now.addingTimeInterval(-Self.clockSkewAllowance),
      validUntil: now.addingTimeInterval(validity),
      usage: .clientAuth,
      alternativeNames: [.uniformResourceIdentifier(OfficeIdentity.uri(forOffice: officeID))]
    )
  }

  /// Issues the server's certificate for the given DNS names and IP addresses.
  ///
  /// - Parameters:
  ///   - hosts: DNS names and IPv4/IPv6 literals the server is reached by.
  ///   - validity: How long it is valid.
  ///   - now: The start of validity.
  /// - Throws: Signing errors.
  public func issueServerCertificate(
    hosts: [String] = ["localhost", "127.0.0.1", "::1"], validity: TimeInterval = 5 * 365 * 86400,
    now: Date = Date()
  ) throws -> IssuedCredential {
    let names: [GeneralName] = hosts.map { host in
      if let ip = IPAddressBytes(host) { return .ipAddress(ASN1OctetString(contentBytes: ip.bytes[...])) }
      return .dnsName(host)
    }
    return try self.issue(
      commonName: hosts.first ?? "gongjian-server",
      validFrom: now.addingTimeInterval(-Self.clockSkewAllowance),
      validUntil: now.addingTimeInterval(validity),
      usage: .serverAuth,
      alternativeNames: names
    )
  }

  /// Issues a certificate with explicit validity; tests use it for expired certificates.
  ///
  /// - Parameters:
  ///   - commonName: Subject common name.
  ///   - validFrom: Start of validity.
  ///   - validUntil: End of validity.
  ///   - usage: `.clientAuth` or `.serverAuth`.
  ///   - alternativeNames: Subject alternative names.
  /// - Throws: Signing errors.
  public func issue(
    commonName: String, validFrom: Date, validUntil: Date, usage: ExtendedKeyUsage.Usage,
    alternativeNames: [GeneralName]
  ) throws -> IssuedCredential {
    let key = P256.Signing.PrivateKey()
    let publicKey = Certificate.PublicKey(key.publicKey)
    let serial = Certificate.SerialNumber()
    let caKeyIdentifier = try? self.certificate.extensions.subjectKeyIdentifier?.keyIdentifier
    let certificate = try Certificate(
      version: .v3,
      serialNumber: serial,
      publicKey: publicKey,
      notValidBefore: validFrom,
      notValidAfter: validUntil,
      issuer: self.certificate.subject,
      subject: try DistinguishedName {
        OrganizationName("Gongjian")
        CommonName(commonName)
      },
      signatureAlgorithm: .ecdsaWithSHA256,
      extensions: try Certificate.Extensions {
        Critical(BasicConstraints.notCertificateAuthority)
        Critical(KeyUsage(digitalSignature: true))
        try ExtendedKeyUsage([usage])
        SubjectKeyIdentifier(hash: publicKey)
        if let caKeyIdentifier {
          AuthorityKeyIdentifier(keyIdentifier: caKeyIdentifier)
        }
        SubjectAlternativeNames(alternativeNames)
      },
      issuerPrivateKey: Certificate.PrivateKey(self.privateKey)
    )
    return IssuedCredential(
      certificate: certificate,
      certificatePEM: try certificate.serializeAsPEM().pemString,
      privateKeyPEM: key.pemRepresentation,
      serial: certificate.serialNumber.hexString
    )
  }
}

extension Certificate.SerialNumber {
  /// Lower-case hex of the serial's bytes, without separators.
  public var hexString: String {
    // Without `String(format:)`, which went through NSString for every byte.
    let digits = Array("0123456789abcdef".utf8)
    return String(unsafeUninitializedCapacity: self.bytes.count * 2) { buffer in
      var index = 0
      for byte in self.bytes {
        buffer[index] = digits[Int(byte >> 4)]
        buffer[index + 1] = digits[Int(byte & 0x0f)]
        index += 2
      }
      return index
    }
  }
}

extension Certificate {
  /// Every SAN URI of the certificate with the `gongjian://office/` prefix, valid or not.
  public var officeURIs: [String] {
    guard let names = try? self.extensions.subjectAlternativeNames else { return [] }
    return names.compactMap { name in
      guard case .uniformResourceIdentifier(let uri) = name, uri.hasPrefix(OfficeIdentity.uriPrefix) else { return nil }
      return uri
    }
  }

  /// The office id named by the certificate's `gongjian://office/` SAN URI, when it names
  /// exactly one valid office; `nil` for none, several, or an invalid id.
  public var officeID: String? {
    let uris = self.officeURIs
    guard uris.count == 1 else { return nil }
    return OfficeIdentity.officeID(fromURI: uris[0])
  }
}

/// The bytes of an IPv4 or IPv6 literal.
struct IPAddressBytes {
  var bytes: [UInt8]

  init?(_ text: String) {
    var v4 = in_addr()
    var v6 = in6_addr()
    if inet_pton(AF_INET, text, &v4) == 1 {
      self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
    } else if inet_pton(AF_INET6, text, &v6) == 1 {
      self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
    } else {
      return nil
    }
  }
}
