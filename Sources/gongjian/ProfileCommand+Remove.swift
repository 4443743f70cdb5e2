import ArgumentParser
import Foundation
import GongjianClient

extension ProfileCommand {
  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove a profile (its mirror stays on disk until you delete it).", discussion: "Example: gongjian profile remove old-laptop"
    ).exits(.usage, .local)
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
