internal import Foundation
internal import GongjianProtocol
internal import GRPCCore
internal import GRPCNIOTransportHTTP2
internal import NIOPosix
internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#endif
public import Logging
public import ServiceLifecycle

/// The Gongjian server as a `Service`: gRPC over mutual TLS on the data directory's store.
/// Shuts down gracefully: health turns NOT_SERVING, no new calls, running calls finish,
/// subscriptions end with their cursor.
///
/// Its maintenance (revocation refresh, server certificate reload, compaction, audit
/// checkpoints, the database probe, memory trim) is ``maintenance``: services to run beside it
/// in the same `ServiceGroup`, listed before it so that they stop after it has drained.
///
/// ```swift
/// let store = try directory.openStore(logger: logger)
/// let server = try await GongjianServer(configuration: configuration, dataDirectory: directory, store: store, logger: logger)
/// let group = ServiceGroup(services: server.maintenance + [server], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
public struct GongjianServer: Service {
  /// Called once the server listens, with the bound host and port.
  public typealias OnListening = @Sendable (_ host: String, _ port: Int) -> Void

  private let configuration: ServerConfiguration
  private let dataDirectory: DataDirectory
  private let logger: Logger
  private let onListening: OnListening?
  private let metrics: (@Sendable () -> [UInt8])?
  private let revocations: RevocationList
  private let tls: MutualTLS
  private let services: GongjianServices

  /// The server's maintenance jobs, each a service for the server's `ServiceGroup`.
  public let maintenance: [MaintenanceJob]

  /// Reads the data directory's PKI and creates the server over `store` and its maintenance jobs.
  ///
  /// - Parameters:
  ///   - configuration: Listening address, limits, feed and authorization settings.
  ///   - dataDirectory: An initialised data directory: its PKI (the CA certificate, the server's
  ///     key pair, a CA-signed revocation list).
  ///   - store: Where the records and the directory live (`dataDirectory.openStore` for the
  ///     embedded SQLite).
  ///   - logger: The root logger.
  ///   - onListening: Told the bound address (port 0 picks one).
  ///   - metrics: Renders the Prometheus exposition for `metricsListen`.
  /// - Throws: `failedPrecondition` when the directory is not initialised or its CA-signed
  ///   revocation list does not verify; errors reading the PKI or opening the database.
  public init(
    configuration: ServerConfiguration, dataDirectory: DataDirectory, store: any GongjianStore, logger: Logger,
    onListening: OnListening? = nil, metrics: (@Sendable () -> [UInt8])? = nil
  ) async throws {
    // The store comes from the caller; here only the PKI must exist.
    guard FileManager.default.fileExists(atPath: dataDirectory.caCertificatePath) else {
      throw GongjianError(.failedPrecondition, "\(dataDirectory.url.path) has no PKI (\(dataDirectory.caCertificatePath)): run `gongjian-server init`")
    }
    self.configuration = configuration
    self.dataDirectory = dataDirectory
    self.logger = logger
    self.onListening = onListening
    self.metrics = metrics
    // A list the CA signed but this server cannot verify stops it: serving would let through
    // certificates the CA has revoked.
    let signed: SignedRevocationList?
    do {
      signed = try dataDirectory.signedRevocations()
    } catch let error as GongjianError {
      throw GongjianError(.failedPrecondition, "\(dataDirectory.revocationListPath): \(error.message)", cause: error)
    }
    let revocations = RevocationList(try await store.revokedSerials().union(signed?.serials ?? []))
    self.revocations = revocations
    let caPEM = try String(contentsOfFile: dataDirectory.caCertificatePath, encoding: .utf8)
    let verifier = ClientCertificateVerifier(authority: try .init(pemEncoded: caPEM), revocations: revocations)
    let gate = ConnectionGate(limits: Self.connectionLimits(configuration.connections, logger: logger), logger: logger)
    self.tls = try MutualTLS(
      certificateChainPEM: try String(contentsOfFile: dataDirectory.serverCertificatePath, encoding: .utf8),
      privateKeyPEM: try String(contentsOfFile: dataDirectory.serverKeyPath, encoding: .utf8),
      trustedCAPEM: caPEM,
      verifier: verifier,
      gate: gate,
      handshakeTimeout: configuration.connections.handshakeTimeout,
      logger: logger
    )
    let signer = try AuditSigner(
      privateKeyPEM: try String(contentsOfFile: dataDirectory.serverKeyPath, encoding: .utf8),
      certificatePEM: try String(contentsOfFile: dataDirectory.serverCertificatePath, encoding: .utf8)
    )
    self.services = GongjianServices(
      store: store, revocations: revocations, configuration: configuration, logger: logger, signer: signer
    )
    self.maintenance = Self.maintenance(
      configuration: configuration, dataDirectory: dataDirectory, store: store, revocations: revocations,
      caSerials: signed?.serials ?? [], tls: self.tls, services: self.services, signer: signer,
      exportsMetrics: configuration.metricsListen != nil && metrics != nil, logger: logger
    )
  }

  public func run() async throws {
    let services = self.services
    let listen = self.configuration.listen
    let admission = CallAdmission(
      resolver: CertificateCallerResolver(directory: services.directory, revocations: self.revocations), logger: self.logger,
      quotas: self.configuration.quotas.gate()
    )
    let main = LeanServer(
      settings: .init(host: listen.host, port: listen.port, limits: self.configuration.limits, connections: self.configuration.connections),
      tls: self.tls, methods: LeanMethods(services: services, admission: admission),
      eventLoopGroup: MultiThreadedEventLoopGroup.singleton
    )

    // Probes reach health without a client certificate, on loopback only.
    let probes = self.configuration.healthListen.map { listen in
      GRPCServer(
        transport: HTTP2ServerTransport.Posix(
          address: listen.host.contains(":") ? .ipv6(host: listen.host, port: listen.port) : .ipv4(host: listen.host, port: listen.port),
          transportSecurity: .plaintext
        ),
        services: [services.health]
      )
    }
    try await withThrowingTaskGroup(of: Bool.self) { group in
      group.addTask {
        try await withGracefulShutdownHandler {
          try await main.run()
        } onGracefulShutdown: {
          self.logger.info("shutting down: no new calls, running calls finish")
          services.health.setServing(false)
          services.health.finishWatches()
          services.engine.beginShutdown()
          main.beginGracefulShutdown()
          probes?.beginGracefulShutdown()
        }
        return true
      }
      if let probes {
        group.addTask {
          try await probes.serve()
          return false
        }
      }
      if let listen = self.configuration.metricsListen, let render = self.metrics {
        let endpoint = MetricsEndpoint(host: listen.host, port: listen.port, render: render)
        group.addTask {
          try await endpoint.run(until: { try? await gracefulShutdown() }) { port in
            self.logger.info("metrics", metadata: ["address": "http://\(listen.host):\(port)/metrics"])
          }
          return false
        }
      }
      group.addTask {
        guard let address = await main.listeningAddress, let host = address.ipAddress, let port = address.port else { return false }
        self.logger.info(
          "listening", metadata: ["address": "\(host):\(port)", "data": "\(self.dataDirectory.url.path)", "version": "\(GongjianVersion.current)"]
        )
        services.health.setServing(true)
        self.onListening?(host, port)
        return false
      }
      do {
        // When serve() returns (or a bind error ends it), stop the probe and metrics listeners.
        while let finished = try await group.next() {
          if finished { break }
        }
        group.cancelAll()
      } catch {
        group.cancelAll()
        throw error
      }
    }
  }

  /// The configured connection caps, with the total lowered to leave 64 file descriptors free
  /// under the process's limit (a connection over the limit could not even be refused cleanly).
  private static func connectionLimits(_ configured: ServerConfiguration.Connections, logger: Logger) -> ServerConfiguration.Connections {
    var limits = configured
    var rlimit = rlimit()
    if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rlimit) == 0 {
      // RLIM_INFINITY clamps to Int.max: no lowering.
      let available = max(16, Int(clamping: rlimit.rlim_cur) &- 64)
      if available < limits.maxConnections {
        logger.notice(
          "connection cap lowered to the file-descriptor limit",
          metadata: ["configured": "\(limits.maxConnections)", "cap": "\(available)", "nofile": "\(rlimit.rlim_cur)"]
        )
        limits.maxConnections = available
      }
    }
    limits.maxHandshakes = min(limits.maxHandshakes, limits.maxConnections)
    return limits
  }

  /// Returns the allocator's free memory to the system (glibc's `malloc_trim`, looked up at run
  /// time since Swift's Glibc module does not export `malloc.h`; a no-op elsewhere).
  static func returnFreeMemory() {
    _ = Self.mallocTrim?(0)
  }

  private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
    #if canImport(Glibc)
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    #else
    return nil
    #endif
  }()
}
