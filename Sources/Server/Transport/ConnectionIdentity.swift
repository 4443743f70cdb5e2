public import Foundation

/// What a verified client certificate established for one mutual-TLS connection: the office,
/// the certificate's serial and the end of its validity.
///
/// The identity travels with each of the connection's streams: the lean path hands it to each
/// call as it is; on grpc-swift's transport ``StreamGuard`` stamps it into the request headers as
/// the stream is created (replacing anything the client sent under that name), and
/// ``CertificateCallerResolver`` reads it back. So a call is tied to the connection it
/// arrived on, not to a peer-address string that a later connection can reuse.
public struct ConnectionIdentity: Sendable, Hashable {
  /// The request header the transport stamps the identity into. A client-sent header of this
  /// name never reaches a service.
  public static let header = "gongjian-connection-identity"

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

  /// The header value: office, serial and expiry (Unix seconds), separated by spaces. Office
  /// ids and hex serials contain no spaces.
  public var headerValue: String {
    "\(self.officeID) \(self.serial) \(Int64(self.notAfter.timeIntervalSince1970))"
  }

  /// Parses a header value made by ``headerValue``.
  public init?(headerValue: String) {
    let parts = headerValue.split(separator: " ", omittingEmptySubsequences: false)
    guard parts.count == 3, let seconds = Int64(parts[2]), !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
    self.init(officeID: String(parts[0]), serial: String(parts[1]), notAfter: Date(timeIntervalSince1970: TimeInterval(seconds)))
  }
}
