public import Foundation

/// The office certificates the deployment's CA issued, and their revocations (audited in the
/// directory's chain).
public protocol CertificateStore: Sendable {
  /// Records an issued certificate.
  func recordCertificate(_ certificate: CertificateRecord, actor: String) async throws
  /// Issued certificates, optionally of one office.
  func certificates(officeID: String?) async throws -> [CertificateRecord]
  /// Marks a certificate revoked (idempotent); `nil` when the serial is unknown.
  func revokeCertificate(serial: String, at date: Date, actor: String) async throws -> CertificateRecord?
  /// Serials of all revoked certificates.
  func revokedSerials() async throws -> Set<String>
}

extension CertificateStore {
  /// Records a certificate issued by setup code, audited as `system`.
  public func recordCertificate(_ certificate: CertificateRecord) async throws {
    try await self.recordCertificate(certificate, actor: "system")
  }
}
