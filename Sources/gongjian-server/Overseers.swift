import ArgumentParser
import Foundation
import GongjianServer

/// `gongjian-server overseers`: offices that read every tenant (Art. 十三's evaluation).
struct Overseers: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Make an office an overseer (it reads every tenant) or no longer one.",
    subcommands: [Add.self, Remove.self]
  )

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make an office an overseer.", discussion: "Example: gongjian-server overseers add suqian.stats --data-dir D")
    @OptionGroup var target: DirectoryTarget
    @Argument(help: "The office id.") var id: String

    func run() async throws {
      _ = try await Offices.update(self.target, self.id) { $0.overseer = true }
      print("\(self.id) is an overseer")
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make an overseer an ordinary office again.")
    @OptionGroup var target: DirectoryTarget
    @Argument(help: "The office id.") var id: String

    func run() async throws {
      _ = try await Offices.update(self.target, self.id) { $0.overseer = false }
      print("\(self.id) is no longer an overseer")
    }
  }
}
