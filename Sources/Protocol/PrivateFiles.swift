internal import Foundation

/// Folders and SQLite files that only their owner may read, whatever the umask: they hold the
/// partnership's records (the server's data directory, an office's mirror).
public enum PrivateFiles {
  /// A database file and the files SQLite keeps beside it.
  static let databaseSuffixes = ["", "-wal", "-shm", "-journal"]

  /// Creates a folder (and missing parents) readable by its owner only, or tightens an existing
  /// one to that.
  ///
  /// - Returns: The path when an existing folder was open to others and was tightened.
  /// - Throws: `CocoaError` when the folder cannot be created or its mode set.
  @discardableResult
  public static func folder(_ path: String) throws -> [String] {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
      return try Self.tighten(path, to: 0o700) ? [path] : []
    }
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    // `mkdir` applies the umask; the mode is set again so that no umask leaves the owner out.
    _ = try Self.tighten(path, to: 0o700)
    return []
  }

  /// Makes a SQLite database file (created empty when missing) and its `-wal`, `-shm` and
  /// `-journal` files readable and writable by their owner only. SQLite creates those files with
  /// the database file's mode, so a database made here keeps them private from the start.
  ///
  /// - Returns: The existing files that were open to others and were tightened.
  /// - Throws: `CocoaError` when a file cannot be created or its mode set.
  @discardableResult
  public static func database(_ path: String) throws -> [String] {
    if !FileManager.default.fileExists(atPath: path) {
      guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
        throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
      }
      _ = try Self.tighten(path, to: 0o600)
    }
    return try Self.databaseSuffixes.map { path + $0 }.filter { FileManager.default.fileExists(atPath: $0) }.filter { try Self.tighten($0, to: 0o600) }
  }

  /// Sets `mode` when the file's permissions differ from it.
  ///
  /// - Returns: True when the file was open to others (group or world bits set).
  private static func tighten(_ path: String, to mode: Int) throws -> Bool {
    let current = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? 0
    guard current & 0o777 != mode else { return false }
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    return current & 0o077 != 0
  }
}
