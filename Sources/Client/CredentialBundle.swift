public import Foundation

/// An office's credentials as one file to hand over: `ca.pem`, `cert.pem` and `key.pem` in that
/// order, each after a comment line that names it.
public enum CredentialBundle {
  static let names = ["ca.pem", "cert.pem", "key.pem"]

  /// Writes the bundle of a credential folder (mode 0600).
  public static func write(folder: URL, officeID: String, serial: String, to path: String) throws {
    var text = "# Gongjian credentials of office \(officeID), certificate \(serial)\n"
    for name in Self.names {
      text += "# \(name)\n" + (try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
      if !text.hasSuffix("\n") { text += "\n" }
    }
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
      throw GongjianClientError(.local, "cannot write \(path)")
    }
  }

  /// Unpacks a bundle into `folder` (created, mode 0700; files 0600).
  ///
  /// - Throws: ``GongjianClientError`` (`usage`) naming the part that is missing.
  public static func unpack(_ path: String, into folder: URL) throws {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var parts: [String: String] = [:]
    var current: String?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("# "), Self.names.contains(String(line.dropFirst(2))) {
        current = String(line.dropFirst(2))
        parts[current!] = ""
      } else if let name = current, !line.hasPrefix("#") {
        parts[name]! += line + "\n"
      }
    }
    for name in Self.names where !(parts[name] ?? "").contains("-----BEGIN") {
      throw GongjianClientError(.usage, "credentials: \(path) is not a credential bundle (no \(name) in it; `gongjian-server certs issue --bundle` writes one)")
    }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    for name in Self.names {
      let file = folder.appendingPathComponent(name).path
      try? FileManager.default.removeItem(atPath: file)
      guard FileManager.default.createFile(atPath: file, contents: Data(parts[name]!.utf8), attributes: [.posixPermissions: 0o600]) else {
        throw GongjianClientError(.local, "cannot write \(file)")
      }
    }
  }
}
