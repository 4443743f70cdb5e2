public import Foundation
internal import X509

extension DataDirectory {
  /// The CA-signed revocation list a server applies (`pki/revocations.signed`).
  public var revocationListPath: String { self.pkiURL.appendingPathComponent("revocations.signed").path }

  /// Adds serials to this directory's CA-signed revocation list (creating it) and signs it
  /// again with the CA's key: run where the CA's private key lives, then copy the file to the
  /// server's `pki/`.
  ///
  /// - Parameters:
  ///   - serials: Hex serials (`certs list` shows them; colons and case are ignored).
  ///   - date: The list's issue time.
  /// - Returns: The new list.
  /// - Throws: `invalidArgument` naming a serial that is not hex; `failedPrecondition` when the
  ///   CA's key is missing here or the existing list does not verify.
  public func signRevocations(adding serials: [String], at date: Date = Date()) throws -> SignedRevocationList {
    var added: Set<String> = []
    for serial in serials {
      let normalised = serial.lowercased().replacingOccurrences(of: ":", with: "")
      guard !normalised.isEmpty, normalised.allSatisfy(\.isHexDigit) else {
        throw GongjianError(.invalidArgument, "serial: `\(serial)` is not a hex certificate serial (see `certs list`)")
      }
      added.insert(normalised)
    }
    guard FileManager.default.fileExists(atPath: self.caKeyPath) else {
      throw GongjianError(.failedPrecondition, "no CA private key at \(self.caKeyPath): sign revocations where the CA's key lives")
    }
    let authority = try self.loadAuthority()
    var list = try self.signedRevocations() ?? SignedRevocationList(serials: [], issuedAt: date)
    list.serials.formUnion(added)
    list.issuedAt = date
    let text = try list.signed(by: authority)
    // Written whole and renamed into place: a server polling the file never reads half of it.
    let temporary = self.revocationListPath + ".tmp"
    try Self.write(text, to: temporary)
    guard rename(temporary, self.revocationListPath) == 0 else {
      throw GongjianError(.internalError, "cannot move \(temporary) to \(self.revocationListPath): errno \(errno)")
    }
    return list
  }

  /// This directory's CA-signed revocation list, its signature checked against the CA
  /// certificate; nil when there is none.
  public func signedRevocations() throws -> SignedRevocationList? {
    guard let text = try? String(contentsOfFile: self.revocationListPath, encoding: .utf8) else { return nil }
    let authority = try Certificate(pemEncoded: try String(contentsOfFile: self.caCertificatePath, encoding: .utf8))
    return try SignedRevocationList(verifying: text, authority: authority)
  }
}
