internal import Foundation
internal import SwiftASN1
internal import X509

extension DataDirectory {
  /// The names and addresses the current server certificate is issued for.
  public func serverCertificateHosts() throws -> [String] {
    let certificate = try Certificate(pemEncoded: try String(contentsOfFile: self.serverCertificatePath, encoding: .utf8))
    guard let names = try certificate.extensions.subjectAlternativeNames else { return [] }
    return names.compactMap { name in
      switch name {
      case .dnsName(let host): return host
      case .ipAddress(let bytes): return Self.address(Array(bytes.bytes))
      default: return nil
      }
    }
  }

  static func address(_ bytes: [UInt8]) -> String? {
    if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
    guard bytes.count == 16 else { return nil }
    var text = [String]()
    for index in stride(from: 0, to: 16, by: 2) { text.append(String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16)) }
    // "::1" and other addresses with a run of zeros, in their short form.
    let full = text.joined(separator: ":")
    return full == "0:0:0:0:0:0:0:1" ? "::1" : full
  }

  /// Issues a new server certificate with the CA (for `hosts`, or the current certificate's) and
  /// replaces the server's pair: a running server uses it for new handshakes within seconds.
  ///
  /// - Returns: The new certificate's serial.
  public func rotateServerCertificate(hosts: [String]?) throws -> String {
    let hosts = try hosts ?? self.serverCertificateHosts()
    let issued = try self.loadAuthority().issueServerCertificate(hosts: hosts.isEmpty ? ["localhost", "127.0.0.1", "::1"] : hosts)
    // Each file is replaced whole (write aside, rename), the key first: a server that reads
    // between the two finds a mismatched pair, keeps its old one and tries again.
    for (text, path, secret) in [
      (issued.privateKeyPEM, self.serverKeyPath, true), (issued.certificatePEM, self.serverCertificatePath, false),
    ] {
      let aside = path + ".new"
      try Self.write(text, to: aside, secret: secret)
      guard rename(aside, path) == 0 else { throw GongjianError(.internalError, "cannot replace \(path)") }
    }
    return issued.serial
  }
}
