import ArgumentParser
import Foundation
import GongjianClient

extension ProfileCommand {
  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add (or change) a profile; the first one added is put in use.",
      discussion: "Example: gongjian profile add suqian-commerce --server gongjian.example.gov.cn:7443 --credentials ~/gongjian/suqian.commerce"
    ).exits(.usage, .local)
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
}
