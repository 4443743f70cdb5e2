import ArgumentParser
import Foundation
import GongjianServer

/// `gongjian-server init`.
struct Init: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Create a data directory: CA, server certificate, database (and with --dev the sample offices)."
  )

  @OptionGroup var common: CommonOptions

  @Flag(help: "Also create the sample tenants, offices, memberships and office credentials of DOMAIN.md.")
  var dev = false

  @Option(name: .customLong("host"), help: "A DNS name or IP address for the server certificate (repeatable).")
  var hosts: [String] = ["localhost", "127.0.0.1", "::1"]

  func run() async throws {
    let logger = self.common.makeLogger()
    let directory = DataDirectory(path: self.common.dataDir)
    try await directory.initialise(hosts: self.hosts, dev: self.dev, logger: logger)
    print("initialised \(directory.url.path)")
    if self.dev {
      print("office credentials: \(directory.pkiURL.appendingPathComponent("offices").path)/<office-id>/{ca,cert,key}.pem")
    }
  }
}

/// `gongjian-server compact`.
struct Compact: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Compact the change feed now (the server also does so hourly).")

  @OptionGroup var common: CommonOptions

  @Option(help: "Keep tombstones and superseded versions younger than this many days.")
  var retentionDays: Int = 30

  func run() async throws {
    let logger = self.common.makeLogger()
    let store = try DataDirectory(path: self.common.dataDir).openStore(logger: logger)
    let report = try await store.compact(before: Date().addingTimeInterval(-Double(self.retentionDays) * 86400))
    print("removed \(report.supersededRemoved) superseded versions, purged \(report.tombstonesPurged) tombstones, forgot \(report.mutationsForgotten) idempotency entries")
  }
}
