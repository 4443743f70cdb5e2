import ArgumentParser
import Foundation
import GongjianServer

/// `gongjian-server audit`: the hash chains of record and directory changes, offline.
struct Audit: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Verify the audit chains (each tenant's records, and the directory) and list directory changes.",
    subcommands: [Verify.self, Directory.self]
  )

  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Recompute every chain; name the first entry that does not match.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
      var logger = self.common.makeLogger()
      logger.logLevel = .warning
      // A chain that does not match is an internal error: its message, and exit 70.
      try await self.common.withStore(logger: logger) { store in
        for tenant in try await store.tenants() {
          print("\(tenant.id): \(try await store.verifyAuditChain(tenantID: tenant.id)) entries verified")
        }
        print("directory: \(try await store.verifyDirectoryAudit()) entries verified")
      }
    }
  }

  struct Directory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the directory's changes: who, when, what, before and after.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
      var logger = self.common.makeLogger()
      logger.logLevel = .warning
      let formatter = ISO8601DateFormatter()
      for entry in try await self.common.withStore(logger: logger, { try await $0.directoryAudit() }) {
        print("\(entry.number)\t\(formatter.string(from: Date(timeIntervalSince1970: entry.at)))\t\(entry.actor)\t\(entry.action)\t\(entry.subject)\t\(entry.before.isEmpty ? "-" : entry.before)\t\(entry.after.isEmpty ? "-" : entry.after)")
      }
    }
  }
}
