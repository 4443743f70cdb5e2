import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol

/// `gongjian audit verify`: an office checks the server's audit trail itself.
struct AuditCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Verify a tenant's audit trail: the hash chain of its changes and the server's signed checkpoints.",
    subcommands: [Verify.self]
  )

  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Pull the tenant's audit entries and checkpoints, recompute the chain and check the signatures.",
      discussion: "Exit 0 when the chain holds; 70 naming the first entry that does not. Example: gongjian audit verify --tenant wujiang-siyang"
    ).exits(.usage, .rejected, .unreachable, .server, .auth)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "The tenant.") var tenant: String

    func run() async throws {
      var report: AuditVerification.Report?
      try await self.connection.run {
        report = try await self.connection.connect { client in
          var entries: [Gongjian_V1_AuditEntry] = []
          while true {
            let page = try await client.auditEntries(tenantID: self.tenant, after: entries.last?.number ?? 0)
            entries += page.entries
            if !page.more { break }
          }
          // One checkpoint signed now, and those the server signed before.
          let checkpoints = try await client.auditCheckpoints(tenantID: self.tenant) + [try await client.signAuditCheckpoint(tenantID: self.tenant)]
          let ca = try String(contentsOfFile: try ClientCredentials(folder: try self.connection.endpoint().credentials).caPath, encoding: .utf8)
          return AuditVerification(caPEM: ca).verify(tenantID: self.tenant, entries: entries, checkpoints: checkpoints)
        }
      }
      guard let report else { return }
      if let chainBreak = report.chainBreak {
        printError("gongjian: the audit chain of \(self.tenant) breaks at \(chainBreak)")
      }
      for problem in report.badCheckpoints { printError("gongjian: \(problem)") }
      guard report.intact else { throw ExitCode(70) }
      printLine("\(self.tenant): \(report.entries) entries, chain intact; \(report.checkpointsVerified) signed checkpoints verified")
    }
  }
}
