import Foundation
import GongjianClient
import GongjianProtocol
import GongjianServer
import GRPCCore
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import X509

/// Collects log messages so tests can check what the server logged.
final class LogCapture: Sendable {
  let lines = Mutex<[String]>([])

  var handler: @Sendable (String) -> any LogHandler {
    { label in CapturingHandler(capture: self) }
  }

  func contains(_ text: String) -> Bool {
    self.lines.withLock { $0.contains { $0.contains(text) } }
  }

  struct CapturingHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { self.metadata[key] }
      set { self.metadata[key] = newValue }
    }
    func log(event: LogEvent) {
      let all = self.metadata.merging(event.metadata ?? [:]) { $1 }
      let line = "\(event.message) " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
      self.capture.lines.withLock { $0.append(line) }
    }
  }
}

@Suite("End to end over mutual TLS on port 0")
struct MutualTLSTests {
  /// Starts a server on a fresh dev data directory; runs `body` with its address.
  static func withServer(
    configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
    _ body: @Sendable (String, DataDirectory, LogCapture) async throws -> Void
  ) async throws {
    try await withTemporaryDirectory { url in
      let capture = LogCapture()
      let logger = Logger(label: "e2e", factory: capture.handler)
      let directory = DataDirectory(path: url.path)
      try await directory.initialise(hosts: ["127.0.0.1"], dev: true, logger: logger)
      let (addresses, continuation) = AsyncStream<String>.makeStream()
      let configuration = ServerConfiguration.defaults {
        $0.listen = .init(host: "127.0.0.1", port: 0)
        $0.authorization.revocationRefreshInterval = .milliseconds(200)
        configure(&$0)
      }
      let store = try directory.openStore(logger: logger)
      let server = try await GongjianServer(configuration: configuration, dataDirectory: directory, store: store, logger: logger) { host, port in
        continuation.yield("\(host):\(port)")
      }
      // Stopped gracefully, as SIGTERM would: cancelling the transport while accepted connections
      // wait in its queue trips NIOAsyncWriter's "deinited without calling finish()" precondition.
      let services = ServiceGroup(
        configuration: .init(services: server.maintenance + [server], gracefulShutdownSignals: [], logger: logger)
      )
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        do {
          var iterator = addresses.makeAsyncIterator()
          let address = try #require(await iterator.next())
          try await body(address, directory, capture)
        } catch {
          await services.triggerGracefulShutdown()
          throw error
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
      }
    }
  }

  /// Writes a credential folder with an arbitrary certificate.
  static func folder(_ base: URL, _ name: String, ca: String, cert: String, key: String) throws -> ClientCredentials {
    let url = base.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    try Data(ca.utf8).write(to: url.appendingPathComponent("ca.pem"))
    try Data(cert.utf8).write(to: url.appendingPathComponent("cert.pem"))
    try Data(key.utf8).write(to: url.appendingPathComponent("key.pem"))
    return try ClientCredentials(folder: url.path)
  }

  /// The server refuses the certificate: the client says so as a refusal of its credentials
  /// (kind `auth`, exit 77), not as any failure (an unreachable server would be `connection`).
  static func expectRefused(_ address: String, _ credentials: ClientCredentials, sourceLocation: SourceLocation = #_sourceLocation) async {
    let error = await #expect(throws: GongjianClientError.self, sourceLocation: sourceLocation) {
      try await GongjianClient.withClient(server: address, credentials: credentials) { try await $0.whoAmI() }
    }
    #expect(error?.kind == .auth, "\(String(describing: error))", sourceLocation: sourceLocation)
  }

  /// Whether the server refuses the certificate now.
  static func refuses(_ address: String, _ credentials: ClientCredentials) async -> Bool {
    do {
      _ = try await GongjianClient.withClient(server: address, credentials: credentials) { try await $0.whoAmI() }
      return false
    } catch let error as GongjianClientError {
      return error.kind == .auth
    } catch {
      return false
    }
  }

  /// Waits until `condition` holds, recording an issue if it does not within five seconds.
  static func waitUntil(
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ condition: @Sendable () async throws -> Bool
  ) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while try await !condition() {
      guard ContinuousClock.now < deadline else {
        Issue.record("\(what) did not happen within 5 s", sourceLocation: sourceLocation)
        return
      }
      try await Task.sleep(for: .milliseconds(50))
    }
  }

  @Test("The production listener serves every Gongjian service over mutual TLS on port 0")
  func everyService() async throws {
    try await Self.withServer { address, directory, _ in
      // An overseer and the city tenant's admin: it may call every service.
      let credentials = try ClientCredentials(folder: directory.officeCredentialsURL("suqian.drc").path)
      try await GongjianClient.withClient(server: address, credentials: credentials) { client in
        let me = try await client.whoAmI()  // Identity
        let page = try await client.pull(tenantID: "sip-suqian", cursor: 0, pageSize: 1)  // Sync
        let parks = try await client.list(.with { $0.tenantID = "sip-suqian"; $0.kind = "park" })  // Records
        let targets = try await client.targetsReport(year: 2026)  // Targets
        let meetings = try await client.listMeetings(.with { $0.tenantID = "city" })  // Councils
        let audit = try await client.auditEntries(tenantID: "sip-suqian", after: 0)  // Audit
        let tenants = try await client.tenants()  // Admin
        #expect(me.office.id == "suqian.drc")
        #expect(page.records.count == 1)
        #expect(!parks.records.isEmpty)
        #expect(targets.cityWide)
        #expect(!meetings.meetings.isEmpty)
        #expect(!audit.entries.isEmpty)
        #expect(tenants.map(\.id).contains("city"))
      }
    }
  }

  @Test("An office's certificate authenticates it; whoami, push, pull over TLS")
  func authenticatedCalls() async throws {
    try await Self.withServer { address, directory, _ in
      let credentials = try ClientCredentials(folder: directory.officeCredentialsURL("suqian.commerce").path)
      try await GongjianClient.withClient(server: address, credentials: credentials) { client in
        let me = try await client.whoAmI()
        #expect(me.office.id == "suqian.commerce")
        #expect(me.memberships.count == 4)
        let head = try await client.pull(tenantID: "sip-suqian", cursor: 0, pageSize: 1).checkpoint.headSequence
        let pushed = try await client.push(tenantID: "sip-suqian", clientID: "e2e", mutations: [putPark(newID(), base: 0, name: "端到端测试园区")])
        #expect(pushed.results.first?.applied.sequence == head + 1)
        let page = try await client.pull(tenantID: "sip-suqian", cursor: head)
        #expect(page.records.map(\.sequence) == [head + 1])
      }
    }
  }

  @Test("Refused: a certificate of another CA, an expired one, one naming no office, and none at all")
  func refusals() async throws {
    try await Self.withServer { address, directory, capture in
      let base = directory.url.appendingPathComponent("bad")
      let caPEM = try String(contentsOfFile: directory.caCertificatePath, encoding: .utf8)
      // Another CA.
      let foreign = try CertificateAuthority.create(commonName: "Somebody else")
      let foreignCert = try foreign.issueOfficeCertificate(officeID: "suqian.drc")
      await Self.expectRefused(address, try Self.folder(base, "foreign", ca: caPEM, cert: foreignCert.certificatePEM, key: foreignCert.privateKeyPEM))
      // Expired, from the right CA.
      let authority = try directory.loadAuthority()
      let expired = try authority.issue(
        commonName: "suqian.drc", validFrom: Date().addingTimeInterval(-86400 * 10), validUntil: Date().addingTimeInterval(-86400),
        usage: .clientAuth, alternativeNames: [.uniformResourceIdentifier(OfficeIdentity.uri(forOffice: "suqian.drc"))]
      )
      await Self.expectRefused(address, try Self.folder(base, "expired", ca: caPEM, cert: expired.certificatePEM, key: expired.privateKeyPEM))
      // Right CA, but no office SAN.
      let anonymous = try authority.issue(
        commonName: "nobody", validFrom: Date().addingTimeInterval(-60), validUntil: Date().addingTimeInterval(3600),
        usage: .clientAuth, alternativeNames: [.dnsName("example.org")]
      )
      await Self.expectRefused(address, try Self.folder(base, "anonymous", ca: caPEM, cert: anonymous.certificatePEM, key: anonymous.privateKeyPEM))
      try await Self.waitUntil("the refusals logged") { capture.contains("names no office") }
      #expect(capture.contains("not signed by this deployment's CA"))
      #expect(capture.contains("expired at"))
      #expect(capture.contains("names no office"))
      #expect(capture.contains("peer=[IPv4]127.0.0.1"))
    }
  }

  @Test("A revoked serial is refused without a restart")
  func revocation() async throws {
    try await Self.withServer { address, directory, capture in
      let credentials = try ClientCredentials(folder: directory.officeCredentialsURL("suqian.liaison").path)
      try await GongjianClient.withClient(server: address, credentials: credentials) { client in
        _ = try await client.whoAmI()
      }
      let store = try directory.openStore(logger: Logger(label: "cli"))
      let serial = try #require(try await store.certificates(officeID: "suqian.liaison").first?.serial)
      // As the offline CLI does: straight into the database; the server picks it up.
      _ = try await store.revokeCertificate(serial: serial, at: Date(), actor: "operator:test")
      try await Self.waitUntil("the revocation taking effect") { await Self.refuses(address, credentials) }
      await Self.expectRefused(address, credentials)
      #expect(capture.contains("of office suqian.liaison is revoked"))
      // Through the Admin service, by the operator: effective at once.
      let operatorCredentials = try ClientCredentials(folder: directory.officeCredentialsURL("suqian.drc").path)
      let commerce = try #require(try await store.certificates(officeID: "suqian.commerce").first?.serial)
      try await GongjianClient.withClient(server: address, credentials: operatorCredentials) { client in
        let info = try await client.revokeCertificate(serial: commerce)
        #expect(info.hasRevokedAt)
      }
      await Self.expectRefused(address, try ClientCredentials(folder: directory.officeCredentialsURL("suqian.commerce").path))
    }
  }
}
