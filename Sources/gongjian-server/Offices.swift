import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import GongjianServer

/// `gongjian-server offices`: the government offices that hold certificates.
struct Offices: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Register, list, disable and enable offices, on a data directory or through a running server.",
    subcommands: [Add.self, List.self, Disable.self, Enable.self]
  )

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Register an office (then `certs issue` gives it credentials and `members set` a role).",
      discussion: "Example: gongjian-server offices add changshu.commerce --name 常熟市商务局 --side suzhou --data-dir D"
    )
    @OptionGroup var target: DirectoryTarget
    @Argument(help: "The office id (2-63 of a-z 0-9 . -), as its certificate will name it.") var id: String
    @Option(help: "Its name.") var name: String
    @Option(help: "Its side: suzhou or suqian.") var side: SideArgument
    @Flag(help: "It reads every tenant (annual evaluation), writing only where it is a member.") var overseer = false

    func run() async throws {
      let office = Gongjian_V1_Office.with {
        $0.id = self.id
        $0.name = self.name
        $0.side = self.side.proto
        $0.overseer = self.overseer
      }
      _ = try await self.target.run { admin, _ in
        try await admin.putOffice(office)
      } online: { try await $0.putOffice(office) }
      print("registered office \(office.id) (\(office.name), \(office.side == .suzhou ? "suzhou" : "suqian")\(office.overseer ? ", overseer" : ""))")
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List offices.")
    @OptionGroup var target: DirectoryTarget

    func run() async throws {
      let offices = try await self.target.run { _, store in try await store.offices() } online: { try await $0.offices() }
      for office in offices {
        let flags = [office.overseer ? "overseer" : nil, office.disabled ? "disabled" : nil].compactMap { $0 }
        print("\(office.id)\t\(office.side == .suzhou ? "suzhou" : "suqian")\t\(office.name)\(flags.isEmpty ? "" : "\t" + flags.joined(separator: ","))")
      }
    }
  }

  /// Changes one registered office, offline or online, and prints the result.
  static func update(_ target: DirectoryTarget, _ id: String, _ change: @escaping @Sendable (inout Gongjian_V1_Office) -> Void) async throws -> Gongjian_V1_Office {
    try await target.run { admin, _ in
      try await admin.updateOffice(id, change)
    } online: { client in
      guard var office = try await client.offices().first(where: { $0.id == id }) else {
        throw GongjianClientError(.usage, "office \(id) is not registered")
      }
      change(&office)
      return try await client.putOffice(office)
    }
  }

  struct Disable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Disable an office: its certificates are refused at once; its records and memberships are kept."
    )
    @OptionGroup var target: DirectoryTarget
    @Argument(help: "The office id.") var id: String

    func run() async throws {
      _ = try await Offices.update(self.target, self.id) { $0.disabled = true }
      print("disabled office \(self.id)")
    }
  }

  struct Enable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Enable a disabled office again.")
    @OptionGroup var target: DirectoryTarget
    @Argument(help: "The office id.") var id: String

    func run() async throws {
      _ = try await Offices.update(self.target, self.id) { $0.disabled = false }
      print("enabled office \(self.id)")
    }
  }
}
