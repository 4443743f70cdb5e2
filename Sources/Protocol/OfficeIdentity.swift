/// How an office is named in its certificate and where identifiers are checked.
public enum OfficeIdentity {
  /// The URI scheme and prefix of an office's SAN URI.
  public static let uriPrefix = "gongjian://office/"

  /// The SAN URI of an office, e.g. `gongjian://office/suqian.drc`.
  ///
  /// - Parameter officeID: A valid office id.
  public static func uri(forOffice officeID: String) -> String {
    Self.uriPrefix + officeID
  }

  /// The office id named by a SAN URI, or `nil` if the URI does not name a valid office.
  ///
  /// - Parameter uri: A SAN URI from a certificate.
  public static func officeID(fromURI uri: String) -> String? {
    guard uri.hasPrefix(Self.uriPrefix) else { return nil }
    let id = String(uri.dropFirst(Self.uriPrefix.count))
    return Self.isValidIdentifier(id) ? id : nil
  }

  /// Whether a string is a valid office or tenant id: 2 to 63 characters of lower-case ASCII
  /// letters, digits, `-` and `.`, starting with a letter or digit.
  ///
  /// - Parameter id: The candidate id.
  public static func isValidIdentifier(_ id: String) -> Bool {
    let bytes = Array(id.utf8)
    guard (2...63).contains(bytes.count) else { return false }
    func isAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
    guard isAlnum(bytes[0]) else { return false }
    return bytes.allSatisfy { isAlnum($0) || $0 == 0x2D || $0 == 0x2E }
  }
}
