import ArgumentParser
import Foundation
import GongjianProtocol
import GongjianServer

/// `gongjian-server tenants`: the partnerships.
struct Tenants: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Add and list tenants (partnerships), on a data directory or through a running server.",
    subcommands: [Add.self, List.self]
  )

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add a tenant.", discussion: "Example: gongjian-server tenants add changshu-sihong --name 常熟（泗洪）共建园区 --data-dir D"
    )
    @OptionGroup var target: DirectoryTarget
    @Argument(help: "The tenant id (2-63 of a-z 0-9 . -).") var id: String
    @Option(help: "Its name.") var name: String

    func run() async throws {
      let tenant = try await self.target.run { admin, _ in
        try await admin.createTenant(id: self.id, name: self.name)
      } online: { try await $0.createTenant(id: self.id, name: self.name) }
      print("added tenant \(tenant.id) (\(tenant.name))")
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List tenants.")
    @OptionGroup var target: DirectoryTarget

    func run() async throws {
      let tenants = try await self.target.run { _, store in try await store.tenants() } online: { try await $0.tenants() }
      for tenant in tenants { print("\(tenant.id)\t\(tenant.name)") }
    }
  }
}
