internal import Crypto
public import Foundation
public import X509

/// The certificates the deployment's CA has revoked, as a text file the CA signs, for
/// deployments that keep the CA's private key away from the serving machine: the CA's operator
/// runs `gongjian-server certs sign-revocations` where the key lives and copies the file to the
/// server's `pki/revocations.signed`; the server checks the signature against the CA
/// certificate it pins and applies the list within seconds, without a restart.
///
/// ```
/// # Gongjian revocation list …
/// issued-at 2026-11-27T08:00:00Z
/// serial 5f0c…
/// signature MEUCIQ…   (ECDSA P-256 over every line above it)
/// ```
///
/// The list is cumulative: each new one holds every serial of the previous one.
public struct SignedRevocationList: Sendable, Equatable {
  /// Lower-case hex serials.
  public var serials: Set<String>
  /// When the CA signed it.
  public var issuedAt: Date

  /// Creates an unsigned list.
  public init(serials: Set<String>, issuedAt: Date) {
    self.serials = serials
    self.issuedAt = issuedAt
  }

  private static let header = """
    # Gongjian revocation list: certificates the deployment's CA has revoked.
    # Copy this file to the server's data directory as pki/revocations.signed; the server checks
    # the CA's signature and refuses these certificates within seconds, without a restart.

    """

  /// The text that is signed: everything before the signature line.
  private var signedText: String {
    var text = Self.header + "issued-at \(Self.timestamp(self.issuedAt))\n"
    for serial in self.serials.sorted() { text += "serial \(serial)\n" }
    return text
  }

  /// The signed file's text.
  ///
  /// - Parameter authority: The deployment's CA (with its private key).
  public func signed(by authority: CertificateAuthority) throws -> String {
    let text = self.signedText
    return text + "signature \(try authority.sign(Data(text.utf8)).base64EncodedString())\n"
  }

  /// Reads a signed list, checking its signature against the CA certificate.
  ///
  /// - Parameters:
  ///   - text: The file's text.
  ///   - authority: The CA certificate the server pins.
  /// - Throws: `GongjianError(.failedPrecondition)` naming what is wrong (a malformed line, a
  ///   missing or bad signature).
  public init(verifying text: String, authority: Certificate) throws {
    guard let range = text.range(of: "\nsignature ") else {
      throw GongjianError(.failedPrecondition, "revocation list: no signature line")
    }
    let signed = String(text[..<range.lowerBound]) + "\n"
    let encoded = text[range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
    guard let der = Data(base64Encoded: encoded),
      let signature = try? P256.Signing.ECDSASignature(derRepresentation: der)
    else {
      throw GongjianError(.failedPrecondition, "revocation list: the signature is not base64 DER ECDSA")
    }
    guard let key = P256.Signing.PublicKey(authority.publicKey), key.isValidSignature(signature, for: Data(signed.utf8)) else {
      throw GongjianError(.failedPrecondition, "revocation list: the signature does not verify with this deployment's CA certificate (altered, or signed by another CA)")
    }
    var serials: Set<String> = []
    var issuedAt: Date?
    for (number, line) in signed.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if line.isEmpty || line.hasPrefix("#") { continue }
      let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
      switch (parts.first, parts.count) {
      case ("serial", 2) where parts[1].allSatisfy(\.isHexDigit):
        serials.insert(parts[1].lowercased())
      case ("issued-at", 2):
        issuedAt = ISO8601DateFormatter().date(from: parts[1])
        if issuedAt == nil { throw GongjianError(.failedPrecondition, "revocation list line \(number + 1): issued-at is not an ISO 8601 time") }
      default:
        throw GongjianError(.failedPrecondition, "revocation list line \(number + 1): expected `serial HEX` or `issued-at TIME`, got `\(line)`")
      }
    }
    guard let issuedAt else { throw GongjianError(.failedPrecondition, "revocation list: no issued-at line") }
    self.init(serials: serials, issuedAt: issuedAt)
  }

  private static func timestamp(_ date: Date) -> String {
    ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
  }
}
