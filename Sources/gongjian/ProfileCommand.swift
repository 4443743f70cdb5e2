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

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add (or change) a profile; the first one added is put in use.",
      discussion: "Example: gongjian profile add suqian-commerce --server gongjian.example.gov.cn:7443 --credentials ~/gongjian/suqian.commerce"
    )
    @Argument(help: "The profile's name, e.g. suqian-commerce.") var name: String
    @Option(help: "Server address HOST:PORT.") var server: String
    @Option(help: ArgumentHelp("The office's credential folder (ca.pem, cert.pem, key.pem).", valueName: "dir"), completion: .directory)
    var credentials: String
    @Flag(help: "Machine-readable output.") var json = false

    func run() async throws {
      do {
        try ProfileFile.validate(name: self.name)
        _ = try GongjianClient.validate(server: self.server)
        let folder = URL(fileURLWithPath: self.credentials).standardizedFileURL.path
        _ = try ClientCredentials(folder: folder)
        var file = try ProfileFile.load()
        file.profiles[self.name] = Profile(server: self.server, credentials: folder)
        if file.current == nil { file.current = self.name }
        try file.save()
        if self.json {
          printJSON(["name": self.name, "server": self.server, "credentials": folder, "current": file.current ?? ""])
        } else {
          printLine("profile \(self.name): \(self.server), credentials \(folder)\(file.current == self.name ? " (in use)" : "; `gongjian profile use \(self.name)` to use it")")
        }
      } catch let error as GongjianClientError {
        throw error.exit()
      }
    }
  }

  struct ListProfiles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the profiles; * marks the one in use.", discussion: "Example: gongjian profile list")
    @Flag(help: "Machine-readable output.") var json = false

    func run() async throws {
      do {
        let file = try ProfileFile.load()
        if self.json {
          for (name, profile) in file.profiles.sorted(by: { $0.key < $1.key }) {
            printJSON(ProfileLine(name: name, server: profile.server, credentials: profile.credentials, current: name == file.current))
          }
          return
        }
        if file.profiles.isEmpty {
          printLine("no profiles; add one with `gongjian profile add NAME --server HOST:PORT --credentials DIR`")
          return
        }
        printTable(
          ["", "PROFILE", "SERVER", "CREDENTIALS"],
          file.profiles.sorted { $0.key < $1.key }.map { [$0.key == file.current ? "*" : "", $0.key, $0.value.server, $0.value.credentials] }
        )
      } catch let error as GongjianClientError {
        throw error.exit()
      }
    }
  }

  struct ProfileLine: Encodable {
    var name: String
    var server: String
    var credentials: String
    var current: Bool
  }

  struct Use: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Put a profile in use for every later command.", discussion: "Example: gongjian profile use suqian-commerce")
    @Argument(help: "The profile's name.") var name: String

    func run() async throws {
      do {
        var file = try ProfileFile.load()
        guard file.profiles[self.name] != nil else {
          throw GongjianClientError(.usage, "profile \(self.name): no such profile (known: \(file.profiles.keys.sorted().joined(separator: ", ")))")
        }
        file.current = self.name
        try file.save()
        printLine("using profile \(self.name)")
      } catch let error as GongjianClientError {
        throw error.exit()
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove a profile (its mirror stays on disk until you delete it).", discussion: "Example: gongjian profile remove old-laptop"
    )
    @Argument(help: "The profile's name.") var name: String

    func run() async throws {
      do {
        var file = try ProfileFile.load()
        guard file.profiles.removeValue(forKey: self.name) != nil else {
          throw GongjianClientError(.usage, "profile \(self.name): no such profile")
        }
        if file.current == self.name { file.current = nil }
        try file.save()
        printLine("removed profile \(self.name); its mirror is \(Paths.mirror(profile: self.name))")
      } catch let error as GongjianClientError {
        throw error.exit()
      }
    }
  }
}
