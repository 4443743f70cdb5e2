import ArgumentParser
import Foundation
import GongjianClient

extension ProfileCommand {
  struct ListProfiles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the profiles; * marks the one in use.", discussion: "Example: gongjian profile list").exits(.usage, .local)
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
}
