public import Foundation

/// A certificate the deployment's CA issued to an office.
public struct CertificateRecord: Sendable, Hashable {
  /// Lower-case hex serial number.
  public var serial: String
  public var officeID: String
  public var notBefore: Date
  public var notAfter: Date
  /// When it was revoked, if it was.
  public var revokedAt: Date?

  /// Creates a certificate record.
  public init(serial: String, officeID: String, notBefore: Date, notAfter: Date, revokedAt: Date? = nil) {
    self.serial = serial
    self.officeID = officeID
    self.notBefore = notBefore
    self.notAfter = notAfter
    self.revokedAt = revokedAt
  }
}
