internal import Foundation
internal import Logging
internal import Synchronization

extension GongjianServer {
  /// The maintenance jobs of a server, in the order they are listed to its service group.
  static func maintenance(
    configuration: ServerConfiguration, dataDirectory: DataDirectory, store: any GongjianStore,
    revocations: RevocationList, caSerials: Set<String>, tls: MutualTLS, services: GongjianServices,
    signer: AuditSigner, exportsMetrics: Bool, logger: Logger
  ) -> [MaintenanceJob] {
    let refresh = configuration.authorization.revocationRefreshInterval
    var jobs = [
      Self.revocationRefresh(
        every: refresh, dataDirectory: dataDirectory, store: store, revocations: revocations, caSerials: caSerials, logger: logger
      ),
      Self.certificateReload(every: refresh, dataDirectory: dataDirectory, tls: tls, logger: logger),
      // Only a failing store turns its services NOT_SERVING; health and reflection still answer.
      services.health.probe(
        "database probe", every: configuration.sync.databaseProbeInterval, services: GongjianServices.storeServiceNames,
        logger: logger, check: store.ping
      ),
      MaintenanceJob(name: "compaction", every: configuration.sync.compactionInterval, logger: logger) {
        guard await Self.holdsLease(store) else { return }
        let report = try await services.engine.compact()
        logger.info("compacted change feed", metadata: [
          "superseded": "\(report.supersededRemoved)", "tombstones": "\(report.tombstonesPurged)",
          "mutations": "\(report.mutationsForgotten)",
        ])
      },
      MaintenanceJob(name: "audit checkpoints", every: configuration.sync.auditCheckpointInterval, logger: logger) {
        guard await Self.holdsLease(store) else { return }
        let signed = try await AuditService.signAll(store: store, signer: signer)
        if signed > 0 { logger.info("signed audit checkpoints", metadata: ["tenants": "\(signed)"]) }
      },
    ]
    if let statistics = store as? any PlannerStatistics {
      // Every few seconds: a table may double in less than autovacuum's minute.
      jobs.append(MaintenanceJob(name: "planner statistics", every: .seconds(3), runsAtStart: true, logger: logger) {
        guard await Self.holdsLease(store) else { return }
        let analysed = try await statistics.refreshPlannerStatistics()
        if !analysed.isEmpty { logger.debug("analysed tables", metadata: ["tables": "\(analysed.joined(separator: ","))"]) }
      })
    }
    if let cluster = store as? any ClusterEvents {
      // Other nodes' commits reach the subscribers here; their directory changes apply at once.
      // A lost connection is a failed round, and the next round listens again a second later.
      jobs.append(MaintenanceJob(name: "cluster events", every: .seconds(1), runsAtStart: true, logger: logger) {
        try await cluster.listen { event in
          if event == .directoryChanged { services.directory.invalidate() }
          services.engine.apply(event)
        }
      })
    }
    if let interval = configuration.sync.memoryTrimInterval {
      jobs.append(MaintenanceJob(name: "memory trim", every: interval, logger: logger) { Self.returnFreeMemory() })
    }
    if exportsMetrics, store is SQLiteStore {
      jobs.append(MaintenanceJob(name: "database size", every: .seconds(15), runsAtStart: true, logger: logger) {
        let files = [dataDirectory.databasePath, dataDirectory.databasePath + "-wal"]
        let bytes = files.compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int64 }.reduce(0, +)
        ServerMetrics.databaseBytes(bytes)
      })
    }
    return jobs
  }

  /// Whether this node does the housekeeping: always on a store of its own; on a shared one, the
  /// node that holds the lease (one at a time).
  static func holdsLease(_ store: any GongjianStore) async -> Bool {
    guard let shared = store as? any HousekeepingLease else { return true }
    return await shared.holdsHousekeepingLease()
  }

  /// Re-reads the revoked serials from the database (revocations by the offline CLI) and
  /// applies the CA-signed list when its file changes: its serials are revoked in the database
  /// too (audited as `ca-revocation-list`), and kept in force even for certificates the
  /// database never saw. A list that does not verify is logged and ignored; the last good one
  /// stays in force.
  private static func revocationRefresh(
    every interval: Duration, dataDirectory: DataDirectory, store: any GongjianStore, revocations: RevocationList,
    caSerials: Set<String>, logger: Logger
  ) -> MaintenanceJob {
    let path = dataDirectory.revocationListPath
    // No stamp yet: the first round, at start, also revokes the list's serials in the database.
    let state = Mutex((stamp: FileStamp?.none, serials: caSerials))
    return MaintenanceJob(name: "revocation refresh", every: interval, runsAtStart: true, logger: logger) {
      var stored = try await store.revokedSerials()
      let stamp = FileStamp(path: path)
      var failure: (any Error)?
      if stamp != state.withLock({ $0.stamp }) {
        // Remembered before reading, so that a bad file is reported once, not every round.
        state.withLock { $0.stamp = stamp }
        do {
          if let list = try dataDirectory.signedRevocations() {
            var unknown: [String] = []
            for serial in list.serials.subtracting(stored).sorted() {
              if try await store.revokeCertificate(serial: serial, at: Date(), actor: "ca-revocation-list") == nil {
                unknown.append(serial)
              }
            }
            stored = try await store.revokedSerials()
            state.withLock { $0.serials = list.serials }
            logger.notice("applied the CA's revocation list", metadata: [
              "serials": "\(list.serials.count)", "issued": "\(list.issuedAt)",
              "unknown": "\(unknown.joined(separator: ","))",
            ])
          }
        } catch {
          failure = GongjianError(.failedPrecondition, "\(path) not applied, the previous list stays in force: \(error)", cause: error)
        }
      }
      revocations.replace(with: stored.union(state.withLock { $0.serials }))
      if let failure { throw failure }
    }
  }

  /// Swaps in a rotated server certificate (new files in `pki/`) for new handshakes; open
  /// connections keep theirs.
  private static func certificateReload(
    every interval: Duration, dataDirectory: DataDirectory, tls: MutualTLS, logger: Logger
  ) -> MaintenanceJob {
    let files = [dataDirectory.serverCertificatePath, dataDirectory.serverKeyPath]
    let seen = Mutex(files.map(FileStamp.init(path:)))
    return MaintenanceJob(name: "server certificate reload", every: interval, logger: logger) {
      let now = files.map(FileStamp.init(path:))
      guard seen.withLock({ $0 }) != now else { return }
      try tls.rotate(
        certificateChainPEM: try String(contentsOfFile: files[0], encoding: .utf8),
        privateKeyPEM: try String(contentsOfFile: files[1], encoding: .utf8)
      )
      seen.withLock { $0 = now }
      logger.notice("server certificate rotated: new handshakes use it", metadata: ["certificate": "\(files[0])"])
    }
  }
}

/// A file's modification time and size, to notice that it changed; nil fields when it is missing.
struct FileStamp: Equatable, Sendable {
  var modified: Date?
  var size: Int?

  init(path: String) {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    self.modified = attributes?[.modificationDate] as? Date
    self.size = (attributes?[.size] as? NSNumber)?.intValue
  }
}
