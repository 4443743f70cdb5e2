import ArgumentParser
import Foundation
import GongjianClient

/// `gongjian profile`: named servers and credential folders.
struct ProfileCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "profile",
    abstract: "Name a server and credential folder once; then no command needs connection flags.",
    discussion: "Profiles live in $XDG_CONFIG_HOME/gongjian/profiles.json (~/.config/gongjian); each has its mirror in $XDG_DATA_HOME/gongjian/NAME (~/.local/share/gongjian).",
    subcommands: [Add.self, ListProfiles.self, Use.self, Remove.self]
  )

  struct ProfileLine: Encodable {
    var name: String
    var server: String
    var credentials: String
    var current: Bool
  }

}
