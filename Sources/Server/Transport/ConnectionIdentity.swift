public import Foundation

/// What a verified client certificate established for one mutual-TLS connection: the office,
/// the certificate's serial and the end of its validity.
///
/// The lean path hands it to each of the connection's calls as it is (never through a header a
/// client could send), so a call is tied to the connection it arrived on, not to a peer-address
/// string that a later connection can reuse.
public struct ConnectionIdentity: Sendable, Hashable {
  /// The office named by the certificate's SAN URI.
  public var officeID: String
  /// The certificate's serial, lower-case hex.
  public var serial: String
  /// The end of the certificate's validity.
  public var notAfter: Date

  /// Creates an identity.
  public init(officeID: String, serial: String, notAfter: Date) {
    self.officeID = officeID
    self.serial = serial
    self.notAfter = notAfter
  }
}
