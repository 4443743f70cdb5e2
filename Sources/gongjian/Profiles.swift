import Foundation
import GongjianClient

/// Where `gongjian` keeps its files (XDG base directories).
enum Paths {
  static var environment: [String: String] { ProcessInfo.processInfo.environment }

  static var home: String { Self.environment["HOME"] ?? NSHomeDirectory() }

  /// `$XDG_CONFIG_HOME/gongjian` or `~/.config/gongjian`.
  static var configDirectory: URL {
    let base = Self.environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(Self.home)/.config"
    return URL(fileURLWithPath: base).appendingPathComponent("gongjian")
  }

  /// `$XDG_DATA_HOME/gongjian` or `~/.local/share/gongjian`.
  static var dataDirectory: URL {
    let base = Self.environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(Self.home)/.local/share"
    return URL(fileURLWithPath: base).appendingPathComponent("gongjian")
  }

  /// The mirror of a profile.
  static func mirror(profile: String) -> String {
    Self.dataDirectory.appendingPathComponent(profile).appendingPathComponent("mirror.sqlite").path
  }
}

/// A named server and credential folder (`gongjian profile add`).
struct Profile: Codable, Equatable {
  var server: String
  var credentials: String
}

/// `profiles.json` in the config directory: the profiles and the one in use.
struct ProfileFile: Codable {
  var current: String?
  var profiles: [String: Profile] = [:]

  static var url: URL { Paths.configDirectory.appendingPathComponent("profiles.json") }

  static func load() throws -> ProfileFile {
    guard let data = FileManager.default.contents(atPath: Self.url.path) else { return ProfileFile() }
    do {
      return try JSONDecoder().decode(ProfileFile.self, from: data)
    } catch {
      throw GongjianClientError(.local, "\(Self.url.path): not a profiles file (\(error)); fix or remove it")
    }
  }

  func save() throws {
    do {
      try FileManager.default.createDirectory(at: Paths.configDirectory, withIntermediateDirectories: true)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(self).write(to: Self.url, options: .atomic)
    } catch {
      throw GongjianClientError(.local, "\(Self.url.path): cannot write (\(error))")
    }
  }

  /// Profile names are folder names of mirrors: letters, digits, `.`, `_`, `-`.
  static func validate(name: String) throws {
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
    guard !name.isEmpty, name.unicodeScalars.allSatisfy(allowed.contains), !name.hasPrefix(".") else {
      throw GongjianClientError(.usage, "profile name: letters, digits, '.', '_' and '-' only (got '\(name)')")
    }
  }
}
