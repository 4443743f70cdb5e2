import ArgumentParser
import Foundation
import GongjianProtocol
import GongjianServer

/// `gongjian-server init`.
struct Init: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Create a data directory: CA, server certificate, database, and the first admin office (or with --dev the sample offices).",
    discussion: """
      Example: gongjian-server init --data-dir /srv/gongjian --admin-office suqian.drc --name 宿迁市发展改革委 --host gongjian.example.gov.cn
      On PostgreSQL (nodes then share the data directory's PKI): gongjian-server init --data-dir /srv/gongjian --dev --storage postgres://gongjian@db.example.gov.cn:5432/gongjian
      """
  )

  @OptionGroup var common: CommonOptions

  @Option(help: "The first admin office's id: it administers tenants, offices and certificates (admin of the operator tenant).")
  var adminOffice: String?

  @Option(help: "The first admin office's name.")
  var name: String?

  @Option(help: "The first admin office's side: suzhou or suqian.")
  var side: SideArgument = .suqian

  @Option(help: "The operator tenant, whose admins manage the deployment (the server's default is city).")
  var operatorTenant: String = "city"

  @Option(help: "The operator tenant's name, when init creates it.")
  var operatorTenantName: String = "宿迁市与苏州市（市级挂钩） Suqian and Suzhou (city level)"

  @Flag(help: "Also create the sample tenants, offices, memberships and office credentials of docs/DOMAIN.md.")
  var dev = false

  @Option(name: .customLong("host"), help: "A DNS name or IP address for the server certificate (repeatable; the name or address offices dial, or the load balancer's).")
  var hosts: [String] = ["localhost", "127.0.0.1", "::1"]

  func validate() throws {
    if (self.adminOffice == nil) != (self.name == nil) {
      throw ValidationError("--admin-office and --name go together: the first admin office's id and name")
    }
    if self.adminOffice == nil && !self.dev {
      throw ValidationError("name the first admin office (--admin-office ID --name NAME), or pass --dev for the sample partnership")
    }
  }

  func run() async throws {
    let logger = self.common.makeLogger()
    let directory = DataDirectory(path: self.common.dataDir)
    let storage = try self.common.storageLocation ?? .sqlite
    do {
      try await directory.initialise(
        hosts: self.hosts, dev: self.dev, storage: storage, allowUnsafe: self.common.allowUnsafeStorage, logger: logger
      )
    } catch let error as GongjianError {
      throw error.exit()
    }
    if case .postgres(let configuration) = storage {
      print("initialised \(directory.url.path) (records in \(configuration.displayURL), recorded in \(directory.storageURLPath))")
    } else {
      print("initialised \(directory.url.path)")
    }
    if self.dev {
      print("office credentials: \(directory.pkiURL.appendingPathComponent("offices").path)/<office-id>/{ca,cert,key}.pem")
    }
    guard let id = self.adminOffice, let name = self.name else { return }
    let admin = DataDirectory.FirstAdmin(
      office: .with {
        $0.id = id
        $0.name = name
        $0.side = self.side.proto
      },
      operatorTenant: self.operatorTenant, operatorTenantName: self.operatorTenantName
    )
    let issued = try await self.common.withStore(logger: logger) { store in
      try await directory.createFirstAdmin(admin, store: store, actor: "operator:init", logger: logger)
    }
    print("admin office \(id) of \(self.operatorTenant): credentials in \(issued.folder.path) (certificate \(issued.serial))")
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
    let cutoff = Date().addingTimeInterval(-Double(self.retentionDays) * 86400)
    let report = try await self.common.withStore(logger: logger) { try await $0.compact(before: cutoff) }
    print("removed \(report.supersededRemoved) superseded versions, purged \(report.tombstonesPurged) tombstones, forgot \(report.mutationsForgotten) idempotency entries")
  }
}
