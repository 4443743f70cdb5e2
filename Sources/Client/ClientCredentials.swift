internal import Foundation

/// An office's credential folder: `ca.pem` (the deployment's CA, pinned), `cert.pem`, `key.pem`.
public struct ClientCredentials: Sendable {
  public var caPath: String
  public var certificatePath: String
  public var privateKeyPath: String

  /// Credentials from a folder.
  ///
  /// - Parameter folder: The folder holding `ca.pem`, `cert.pem` and `key.pem`.
  /// - Throws: ``GongjianClientError`` naming the first missing file.
  /// A bundle file (`gongjian-server certs issue --bundle`) is unpacked into a private folder
  /// beside it, named after it, and used from there.
  public init(folder: String) throws {
    var isDirectory: ObjCBool = false
    var folder = folder
    if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), !isDirectory.boolValue {
      let unpacked = URL(fileURLWithPath: folder).deletingLastPathComponent()
        .appendingPathComponent(".\(URL(fileURLWithPath: folder).lastPathComponent).d", isDirectory: true)
      try CredentialBundle.unpack(folder, into: unpacked)
      folder = unpacked.path
    }
    let url = URL(fileURLWithPath: folder, isDirectory: true)
    self.caPath = url.appendingPathComponent("ca.pem").path
    self.certificatePath = url.appendingPathComponent("cert.pem").path
    self.privateKeyPath = url.appendingPathComponent("key.pem").path
    for path in [self.caPath, self.certificatePath, self.privateKeyPath] where !FileManager.default.fileExists(atPath: path) {
      throw GongjianClientError(.usage, "credentials: \(path) does not exist (a credential folder holds ca.pem, cert.pem, key.pem)")
    }
  }
}
