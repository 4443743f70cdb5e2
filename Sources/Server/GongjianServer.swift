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

/// The Gongjian server as a `Service`: gRPC over mutual TLS on the data directory's store, with
/// its maintenance (revocation refresh, compaction) alongside. Shuts down gracefully: stops
/// accepting, lets running calls finish.
public struct GongjianServer: Service {
  /// Called once the server listens, with the bound host and port.
  public typealias OnListening = @Sendable (_ host: String, _ port: Int) -> Void

  private let configuration: ServerConfiguration
  private let dataDirectory: DataDirectory
  private let logger: Logger
  private let onListening: OnListening?
  private let metrics: (@Sendable () -> [UInt8])?

  /// Creates the server.
  ///
  /// - Parameters:
  ///   - configuration: Listening address, limits, feed and authorization settings.
  ///   - dataDirectory: An initialised data directory.
  ///   - logger: The root logger.
  ///   - onListening: Told the bound address (port 0 picks one).
  public init(
    configuration: ServerConfiguration, dataDirectory: DataDirectory, logger: Logger,
    onListening: OnListening? = nil, metrics: (@Sendable () -> [UInt8])? = nil
  ) {
    self.configuration = configuration
    self.dataDirectory = dataDirectory
    self.logger = logger
    self.onListening = onListening
    self.metrics = metrics
  }

  public func run() async throws {
    guard self.dataDirectory.isInitialised else {
      throw GongjianError(
        .failedPrecondition, "\(self.dataDirectory.url.path) is not initialised: run `gongjian-server init`"
      )
    }
    let store = try self.dataDirectory.openStore(logger: self.logger)
    let revocations = RevocationList(try await store.revokedSerials())
    let caPEM = try String(contentsOfFile: self.dataDirectory.caCertificatePath, encoding: .utf8)
    let verifier = ClientCertificateVerifier(authority: try .init(pemEncoded: caPEM), revocations: revocations)
    let gate = ConnectionGate(limits: self.connectionLimits(), logger: self.logger)
    let tls = try MutualTLS(
      certificateChainPEM: try String(contentsOfFile: self.dataDirectory.serverCertificatePath, encoding: .utf8),
      privateKeyPEM: try String(contentsOfFile: self.dataDirectory.serverKeyPath, encoding: .utf8),
      trustedCAPEM: caPEM,
      verifier: verifier,
      gate: gate,
      handshakeTimeout: self.configuration.connections.handshakeTimeout,
      logger: self.logger
    )
    let signer = try AuditSigner(
      privateKeyPEM: try String(contentsOfFile: self.dataDirectory.serverKeyPath, encoding: .utf8),
      certificatePEM: try String(contentsOfFile: self.dataDirectory.serverCertificatePath, encoding: .utf8)
    )
    let services = GongjianServices(
      store: store, revocations: revocations, configuration: self.configuration, logger: self.logger, signer: signer
    )
    let limits = self.configuration.limits
    let listen = self.configuration.listen
    var transportConfig = HTTP2ServerTransport.Custom<MutualTLSListener>.Config.defaults
    // Each method's limit is applied by the stream guard before this hard cap is reached.
    transportConfig.rpc.maxRequestPayloadSize = limits.largestRequestMessageBytes + 1
    transportConfig.http2.maxConcurrentStreams = limits.maxConcurrentStreams
    transportConfig.connection.maxIdleTime = limits.maxConnectionIdle
    let connections = self.configuration.connections
    transportConfig.connection.maxAge = connections.maxConnectionAge
    transportConfig.connection.maxGraceTime = connections.maxConnectionAgeGrace
    transportConfig.connection.keepalive = .init(
      time: connections.keepaliveTime, timeout: connections.keepaliveTimeout,
      clientBehavior: .init(
        minPingIntervalWithoutCalls: connections.minClientPingInterval, allowWithoutCalls: connections.allowClientPingsWithoutCalls
      )
    )
    transportConfig.channelDebuggingCallbacks.onAcceptHTTP2Stream = { stream in
      stream.eventLoop.makeCompletedFuture {
        let guardHandler = StreamGuard(identity: MutualTLS.identity(of: stream), limit: limits.maxRequestMessageBytes(path:))
        try stream.pipeline.syncOperations.addHandler(guardHandler, position: .first)
      }
    }
    let transport = HTTP2ServerTransport.Custom(
      listenerFactory: MutualTLSListener(host: listen.host, port: listen.port, tls: tls, eventLoopGroup: MultiThreadedEventLoopGroup.singleton),
      config: transportConfig
    )
    let server = GRPCServer(
      transport: transport,
      services: services.rpcServices,
      interceptors: [
        AuthenticationInterceptor(
          resolver: CertificateCallerResolver(directory: services.directory, revocations: revocations), logger: self.logger,
          quotas: self.configuration.quotas.gate()
        )
      ]
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
          try await server.serve()
        } onGracefulShutdown: {
          self.logger.info("shutting down: no new calls, running calls finish")
          services.health.setServing(false)
          services.health.finishWatches()
          services.engine.beginShutdown()
          server.beginGracefulShutdown()
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
        group.addTask {
          // The database's size is a gauge read from its files.
          try await self.every(.seconds(15), "database size") {
            let files = [self.dataDirectory.databasePath, self.dataDirectory.databasePath + "-wal"]
            let bytes = files.compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int64 }.reduce(0, +)
            ServerMetrics.databaseBytes(bytes)
          }
          return false
        }
      }
      group.addTask {
        guard let bound = await transport.listeningAddress else { return false }
        let (host, port) = bound.ipv4.map { ($0.host, $0.port) } ?? bound.ipv6.map { ($0.host, $0.port) } ?? (listen.host, listen.port)
        self.logger.info("listening", metadata: ["address": "\(host):\(port)", "data": "\(self.dataDirectory.url.path)"])
        services.health.setServing(true)
        self.onListening?(host, port)
        return false
      }
      group.addTask {
        try await self.every(self.configuration.authorization.revocationRefreshInterval, "revocation refresh") {
          revocations.replace(with: try await store.revokedSerials())
        }
        return false
      }
      group.addTask {
        // A rotated server certificate (new files in pki/) is used for new handshakes, without a restart.
        let files = [self.dataDirectory.serverCertificatePath, self.dataDirectory.serverKeyPath]
        @Sendable func stamp() -> [Date?] { files.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate]) as? Date } }
        let seen = Mutex(stamp())
        try await self.every(self.configuration.authorization.revocationRefreshInterval, "server certificate reload") {
          let now = stamp()
          guard seen.withLock({ $0 }) != now else { return }
          try tls.rotate(
            certificateChainPEM: try String(contentsOfFile: files[0], encoding: .utf8),
            privateKeyPEM: try String(contentsOfFile: files[1], encoding: .utf8)
          )
          seen.withLock { $0 = now }
          self.logger.notice("server certificate rotated: new handshakes use it", metadata: ["certificate": "\(files[0])"])
        }
        return false
      }
      group.addTask {
        try await self.every(self.configuration.sync.compactionInterval, "compaction") {
          let report = try await services.engine.compact()
          self.logger.info("compacted change feed", metadata: [
            "superseded": "\(report.supersededRemoved)", "tombstones": "\(report.tombstonesPurged)",
            "mutations": "\(report.mutationsForgotten)",
          ])
        }
        return false
      }
      group.addTask {
        try await self.every(self.configuration.sync.auditCheckpointInterval, "audit checkpoints") {
          let signed = try await AuditService.signAll(store: store, signer: signer)
          if signed > 0 { self.logger.info("signed audit checkpoints", metadata: ["tenants": "\(signed)"]) }
        }
        return false
      }
      if let interval = self.configuration.sync.memoryTrimInterval {
        group.addTask {
          try await self.every(interval, "memory trim") { Self.returnFreeMemory() }
          return false
        }
      }
      do {
        // When serve() returns (or a bind error ends it), stop the maintenance tasks.
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
  private func connectionLimits() -> ServerConfiguration.Connections {
    var limits = self.configuration.connections
    var rlimit = rlimit()
    if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rlimit) == 0 {
      // RLIM_INFINITY clamps to Int.max: no lowering.
      let available = max(16, Int(clamping: rlimit.rlim_cur) &- 64)
      if available < limits.maxConnections {
        self.logger.notice(
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
  private static func returnFreeMemory() {
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

  /// Runs `work` every `interval` until cancelled; a failing round is logged, not fatal.
  /// Runs a maintenance job every `interval` until cancelled; a failure is logged and the job
  /// runs again at its next time.
  private func every(_ interval: Duration, _ job: String, _ work: @Sendable () async throws -> Void) async throws {
    while true {
      try await Task.sleep(for: interval)
      do {
        try await work()
      } catch is CancellationError {
        return
      } catch {
        self.logger.error("maintenance job failed", metadata: ["job": "\(job)", "error": "\(error)"])
      }
    }
  }
}
