import ArgumentParser
import Foundation
import GongjianClient

/// `gongjian-bench mirror-sync`: the client's first sync of a tenant into an empty mirror, the
/// way `gongjian sync` does it (a transaction per page, checksum verified at the end).
struct MirrorSync: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "mirror-sync", abstract: "First sync of a tenant into an empty mirror.")
  @OptionGroup var target: Target
  @Option var tenant = "city"
  @Option(help: "Where the mirror is made (a fresh folder; removed afterwards).") var folder: String?
  @Option(help: "Pulled records written per transaction (default: the client's).") var recordsPerTransaction: Int?

  func run() async throws {
    let credentials = try ClientCredentials(folder: self.target.credentials)
    let folder = URL(fileURLWithPath: self.folder ?? NSTemporaryDirectory()).appendingPathComponent("mirror-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let mirror = try Mirror(path: folder.appendingPathComponent("mirror.sqlite").path)
    var configuration = Synchronizer.Configuration.defaults
    if let records = self.recordsPerTransaction { configuration.recordsPerTransaction = records }
    let synchronizer = Synchronizer(mirror: mirror, configuration: configuration)
    let start = ContinuousClock.now
    let cpuStart = processCPUSeconds()
    let result = try await GongjianClient.withClient(server: self.target.server, credentials: credentials) { client in
      try await synchronizer.pull(client: client, tenantID: self.tenant)
    }
    let seconds = micros(ContinuousClock.now - start) / 1e6
    let clientCPU = processCPUSeconds() - cpuStart
    let bytes = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.fileSizeKey])
      .reduce(0) { $0 + ((try? $1.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) }
    let live = try mirror.status(tenantID: self.tenant).first?.liveRecords ?? 0
    emit([
      "scenario": "mirror_sync", "records": result.pulled, "seconds": seconds, "records_per_s": Double(result.pulled) / seconds,
      "client_cpu_s": clientCPU, "verified": result.verification == .matched, "mirror_bytes": bytes,
      "bytes_per_record": live > 0 ? Double(bytes) / Double(live) : 0,
    ])
  }
}
