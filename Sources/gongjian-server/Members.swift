import ArgumentParser
import Foundation
import GongjianProtocol
import GongjianServer

/// `gongjian-server members`: which offices belong to a tenant, in which role.
struct Members: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Set, remove and list memberships, on a data directory or through a running server.",
    subcommands: [Set.self, Remove.self, List.self]
  )

  struct Set: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Give an office a role in a tenant (or change it).",
      discussion: "Example: gongjian-server members set changshu.commerce --tenant changshu-sihong --role secretariat --data-dir D"
    )
    @OptionGroup var target: DirectoryTarget
    @Argument(help: "The office id.") var office: String
    @Option(help: "The tenant.") var tenant: String
    @Option(help: "viewer, contributor, secretariat or admin.") var role: RoleArgument
    @Flag(help: "A key city department (Art. 六); in the city tenant.") var keyDepartment = false

    func run() async throws {
      let membership = try await self.target.run { admin, _ in
        try await admin.setMembership(tenantID: self.tenant, officeID: self.office, role: self.role.proto, keyDepartment: self.keyDepartment)
      } online: { client in
        try await client.setMembership(.with {
          $0.tenantID = self.tenant
          $0.officeID = self.office
          $0.role = self.role.proto
          $0.keyDepartment = self.keyDepartment
        })
      }
      print("\(membership.officeID) is \(membership.role.displayName) of \(membership.tenantID)\(membership.keyDepartment ? " (key city department)" : "")")
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove an office from a tenant.")
    @OptionGroup var target: DirectoryTarget
    @Argument(help: "The office id.") var office: String
    @Option(help: "The tenant.") var tenant: String

    func run() async throws {
      try await self.target.run { admin, _ in
        try await admin.removeMembership(tenantID: self.tenant, officeID: self.office)
      } online: { try await $0.removeMembership(tenantID: self.tenant, officeID: self.office) }
      print("removed \(self.office) from \(self.tenant)")
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a tenant's members.")
    @OptionGroup var target: DirectoryTarget
    @Option(help: "The tenant.") var tenant: String

    func run() async throws {
      let members = try await self.target.run { _, store in
        try await store.memberships(tenantID: self.tenant)
      } online: { try await $0.memberships(tenantID: self.tenant) }
      for member in members {
        print("\(member.officeID)\t\(member.role.displayName)\(member.keyDepartment ? "\tkey department" : "")")
      }
    }
  }
}
