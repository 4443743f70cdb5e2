import ArgumentParser
import Foundation
import GongjianClient

extension ProfileCommand {
  struct Use: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Put a profile in use for every later command.", discussion: "Example: gongjian profile use suqian-commerce").exits(.usage, .local)
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
}
