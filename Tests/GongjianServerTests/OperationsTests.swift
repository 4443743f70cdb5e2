import Foundation
import GongjianClient
import GongjianProtocol
import GongjianServer
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import X509

@Suite("Operations: maintenance jobs, per-service health, the CA-signed revocation list")
struct OperationsTests {
  struct Failure: Error, CustomStringConvertible {
    var description: String { "disk on fire" }
  }

  @Test("A run of failing maintenance rounds is logged once, its end once; the job runs again; graceful shutdown ends it")
  func maintenanceJobFailures() async throws {
    let capture = LogCapture()
    let logger = Logger(label: "jobs", factory: capture.handler)
    let rounds = Mutex(0)
    let job = MaintenanceJob(name: "flaky", every: .milliseconds(20), logger: logger) {
      let round = rounds.withLock { $0 += 1; return $0 }
      if round <= 3 { throw Failure() }
    }
    let group = ServiceGroup(configuration: .init(services: [job], gracefulShutdownSignals: [], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      tasks.addTask { try await group.run() }
      try await MutualTLSTests.waitUntil("five rounds of the job") { rounds.withLock { $0 } >= 5 }
      await group.triggerGracefulShutdown()
      try await tasks.waitForAll()
    }
    #expect(capture.contains("maintenance job failed; said again when it succeeds error=disk on fire job=flaky"))
    // Three failed rounds, said once; the first success after them, said once.
    #expect(capture.lines.withLock { $0.filter { $0.contains("maintenance job failed") }.count } == 1)
    #expect(capture.contains("maintenance job succeeds again failed_rounds=3 job=flaky"))
    #expect(capture.lines.withLock { $0.filter { $0.contains("succeeds again") }.count } == 1)
  }

  @Test("A failing database turns only the services that need it NOT_SERVING, and the server with them")
  func perServiceHealth() async throws {
    let health = HealthService(services: GongjianServices.serviceNames)
    let sync = "gongjian.v1.Sync"
    let healthName = "grpc.health.v1.Health"
    #expect(health.status(of: sync) == .notServing)  // not listening yet
    health.setServing(true)
    #expect(health.status(of: "") == .serving)
    #expect(health.status(of: "no.such.Service") == nil)

    let down = Atomic(true)
    let probe = health.probe(
      "database probe", every: .seconds(60), services: GongjianServices.storeServiceNames,
      logger: Logger(label: "probe", factory: LogCapture().handler)
    ) {
      if down.load(ordering: .relaxed) { throw Failure() }
    }
    #expect(await probe.round() == false)
    #expect(health.status(of: sync) == .notServing)
    #expect(health.status(of: "gongjian.v1.Records") == .notServing)
    #expect(health.status(of: healthName) == .serving)
    #expect(health.status(of: "grpc.reflection.v1.ServerReflection") == .serving)
    #expect(health.status(of: "") == .notServing)

    down.store(false, ordering: .relaxed)
    #expect(await probe.round())
    #expect(health.status(of: sync) == .serving)
    #expect(health.status(of: "") == .serving)

    // Draining wins over everything.
    health.setServing(false)
    #expect(health.status(of: healthName) == .notServing)
  }

  @Test("A signed revocation list verifies; an altered one or another CA's does not")
  func signedRevocationList() throws {
    let authority = try CertificateAuthority.create()
    let list = SignedRevocationList(serials: ["0a1b", "ff"], issuedAt: Date(timeIntervalSince1970: 1_790_000_000))
    let text = try list.signed(by: authority)
    #expect(try SignedRevocationList(verifying: text, authority: authority.certificate) == list)

    let altered = text.replacingOccurrences(of: "serial ff\n", with: "")
    #expect(throws: GongjianError.self) { try SignedRevocationList(verifying: altered, authority: authority.certificate) }
    let other = try CertificateAuthority.create()
    let error = try #require(throws: GongjianError.self) { try SignedRevocationList(verifying: text, authority: other.certificate) }
    #expect(error.message.contains("does not verify with this deployment's CA certificate"))
    let unsigned = String(text[..<text.range(of: "signature ")!.lowerBound])
    #expect(throws: GongjianError.self) { try SignedRevocationList(verifying: unsigned, authority: authority.certificate) }
  }

  @Test("With the CA's key on another machine, its signed list revokes without a restart; a forged one is ignored")
  func caSignedRevocations() async throws {
    try await withTemporaryDirectory { base in
      // The CA's machine holds the CA's key pair only.
      let ca = DataDirectory(path: base.appendingPathComponent("ca").path)
      try await MutualTLSTests.withServer { address, directory, capture in
        try FileManager.default.createDirectory(at: ca.pkiURL, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: directory.caCertificatePath, toPath: ca.caCertificatePath)
        try FileManager.default.moveItem(atPath: directory.caKeyPath, toPath: ca.caKeyPath)

        let credentials = try ClientCredentials(folder: directory.officeCredentialsURL("suqian.liaison").path)
        try await GongjianClient.withClient(server: address, credentials: credentials) { _ = try await $0.whoAmI() }
        let store = try directory.openStore(logger: Logger(label: "cli"))
        let serial = try #require(try await store.certificates(officeID: "suqian.liaison").first?.serial)

        // The server's directory has no CA key: it cannot sign.
        #expect(throws: GongjianError.self) { try directory.signRevocations(adding: [serial]) }
        #expect(throws: GongjianError.self) { try ca.signRevocations(adding: ["not-hex"]) }

        let list = try ca.signRevocations(adding: [serial.uppercased()])
        #expect(list.serials == [serial])
        try FileManager.default.copyItem(atPath: ca.revocationListPath, toPath: directory.revocationListPath)
        try await MutualTLSTests.waitUntil("the list applied") { capture.contains("applied the CA's revocation list") }
        await MutualTLSTests.expectRefused(address, credentials)
        #expect(capture.contains("applied the CA's revocation list"))
        #expect(try await store.revokedSerials().contains(serial))
        #expect(try await store.directoryAudit().contains { $0.actor == "ca-revocation-list" && $0.subject.contains(serial) })

        // A list signed by anyone else is not applied; what the CA revoked stays revoked.
        let commerce = try #require(try await store.certificates(officeID: "suqian.commerce").first?.serial)
        let forger = try CertificateAuthority.create()
        let forged = try SignedRevocationList(serials: [commerce], issuedAt: Date()).signed(by: forger)
        try Data(forged.utf8).write(to: URL(fileURLWithPath: directory.revocationListPath))
        try await MutualTLSTests.waitUntil("the forged list refused") { capture.contains("not applied, the previous list stays in force") }
        let commerceCredentials = try ClientCredentials(folder: directory.officeCredentialsURL("suqian.commerce").path)
        try await GongjianClient.withClient(server: address, credentials: commerceCredentials) { _ = try await $0.whoAmI() }
        await MutualTLSTests.expectRefused(address, credentials)
      }
    }
  }
}
