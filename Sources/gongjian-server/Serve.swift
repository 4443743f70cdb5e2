import ArgumentParser
import Foundation
import GongjianProtocol
import GongjianServer
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `gongjian-server serve`.
struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Serve an initialised data directory.")

  @OptionGroup var common: CommonOptions

  @Option(help: "Where to listen, HOST:PORT; port 0 picks a free port and prints it (default 127.0.0.1:7443).")
  var listen: String?

  @Option(help: "A plaintext port for health probes only, on loopback, HOST:PORT (default: none).")
  var healthListen: String?

  @Option(help: "A plain HTTP port for Prometheus, HOST:PORT, serving /metrics (default: none).")
  var metricsListen: String?

  @Option(help: "Most mutations in one push (default 500).")
  var maxMutationsPerPush: Int?

  @Option(help: "Largest request message, in bytes (default 4 MiB).")
  var maxRequestBytes: Int?

  @Option(help: "Most concurrent streams per connection (default 256).")
  var maxConcurrentStreams: Int?

  @Option(help: "Seconds between heartbeats on idle subscriptions (default 10).")
  var heartbeatSeconds: Int?

  @Option(help: "Days that tombstones and superseded versions are kept (0: only until the next compaction; default 30).")
  var retentionDays: Int?

  @Option(help: "Seconds between compactions of the change feed (default 3600).")
  var compactionIntervalSeconds: Int?

  @Option(help: "Days after today that the date of an event (a signing, an activity, a decision) may lie (default 366).")
  var futureHorizonDays: Int?

  @Option(
    name: .customLong("plausible-range"),
    help: ArgumentHelp(
      "A field's plausible range, KIND.FIELD=MIN..MAX in the field's unit (repeat for each); values outside are applied with a warning. E.g. park.planned_area_centimu=50000..15000000.",
      valueName: "range"
    )
  )
  var plausibleRanges: [String] = []

  @Option(help: "Seconds between signed checkpoints of the audit chains (default 3600).")
  var auditCheckpointIntervalSeconds: Int?

  @Option(help: "Requests per second per tenant, all its offices together (default 0: no limit).")
  var tenantRequestsPerSecond: Int?

  @Option(help: "Bytes a tenant's live records may take (default 0: no limit).")
  var tenantStoredBytes: Int?

  @Option(help: "Requests per second per office (default 0: no limit).")
  var officeRequestsPerSecond: Int?

  @Option(help: "Seconds before a connection is asked to go away; clients reconnect (default 0: never).")
  var maxConnectionAgeSeconds: Int?

  @Option(help: "Seconds the server waits before pinging an idle connection (default 7200).")
  var keepaliveSeconds: Int?

  @Option(help: "Seconds running calls may finish after SIGTERM or SIGINT before they are cancelled; a second signal stops at once (default 30).")
  var shutdownDeadlineSeconds: Int?

  @Option(help: "Seconds a connection may take to complete its TLS handshake (default 10).")
  var handshakeTimeoutSeconds: Int?

  @Option(help: "Most open connections in all (lowered to the file-descriptor limit; default 4096).")
  var maxConnections: Int?

  @Option(help: "Most connections in their TLS handshake, in all (default 256).")
  var maxHandshakes: Int?

  @Option(help: "Most open connections from one source address (default 512).")
  var maxConnectionsPerAddress: Int?

  @Option(help: "Most open connections of one office, once its certificate is verified (default 64).")
  var maxConnectionsPerOffice: Int?

  @Option(help: "Most connections in their TLS handshake from one source address (default 32).")
  var maxHandshakesPerAddress: Int?

  func validate() throws {
    if let days = self.retentionDays, days < 0 { throw ValidationError("--retention-days: 0 or more (got \(days))") }
    if let seconds = self.compactionIntervalSeconds, seconds < 1 {
      throw ValidationError("--compaction-interval-seconds: 1 or more (got \(seconds))")
    }
    if let probe = self.healthListen { _ = try parseHealthListen(probe) }
    if let days = self.futureHorizonDays, days < 0 { throw ValidationError("--future-horizon-days: 0 or more (got \(days))") }
    for text in self.plausibleRanges { _ = try Self.range(text) }
  }

  /// `park.planned_area_centimu=50000..15000000` as a range of a known kind and field.
  static func range(_ text: String) throws -> PlausibleRanges.Range {
    let known = PlausibleRanges.defaults.ranges.map(\.key)
    let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
    let bounds = parts.count == 2 ? parts[1].components(separatedBy: "..") : []
    guard parts.count == 2, bounds.count == 2, let min = Int64(bounds[0]), let max = Int64(bounds[1]), min <= max else {
      throw ValidationError("--plausible-range: KIND.FIELD=MIN..MAX with MIN ≤ MAX (got '\(text)')")
    }
    guard known.contains(parts[0]), let dot = parts[0].firstIndex(of: "."), let kind = RecordKind.named(String(parts[0][..<dot])) else {
      throw ValidationError("--plausible-range: no range for '\(parts[0])'; fields with ranges: \(known.joined(separator: ", "))")
    }
    return .init(kind: kind, field: String(parts[0][parts[0].index(after: dot)...]), min: min, max: max)
  }

  func run() async throws {
    let logger = self.common.makeLogger()
    let configuration = try await self.serverConfiguration()
    try await serve(
      dataDirectory: DataDirectory(path: self.common.dataDir), storage: try self.common.storageLocation ?? configuration.storage,
      allowUnsafeStorage: self.common.allowUnsafeStorage, configuration: configuration, logger: logger
    )
  }

  /// The defaults, then the configuration file, then the flags given.
  func serverConfiguration() async throws -> ServerConfiguration {
    var config = ServerConfiguration.defaults
    if let file = self.common.config {
      let (loaded, errors) = await ConfigFile.load(file, onto: config)
      guard errors.isEmpty else {
        for error in errors { FileHandle.standardError.write(Data("gongjian-server: \(file): \(error)\n".utf8)) }
        throw ExitCode(65)
      }
      config = loaded
    }
    if let listen = self.listen { config.listen = try parseListen(listen) }
    if let probe = self.healthListen { config.healthListen = try parseHealthListen(probe) }
    if let metrics = self.metricsListen { config.metricsListen = try parseListen(metrics) }
    if let value = self.maxMutationsPerPush { config.limits.maxMutationsPerPush = value }
    if let value = self.maxRequestBytes { config.limits.maxRequestBytes = value }
    if let value = self.maxConcurrentStreams { config.limits.maxConcurrentStreams = value }
    if let value = self.heartbeatSeconds { config.sync.heartbeatInterval = .seconds(value) }
    if let value = self.retentionDays { config.sync.retention = .seconds(value * 86400) }
    if let value = self.compactionIntervalSeconds { config.sync.compactionInterval = .seconds(value) }
    if let value = self.auditCheckpointIntervalSeconds { config.sync.auditCheckpointInterval = .seconds(max(1, value)) }
    if let value = self.futureHorizonDays { config.validation.futureHorizonDays = value }
    for text in self.plausibleRanges { config.validation.plausibleRanges.set(try Self.range(text)) }
    if let value = self.tenantRequestsPerSecond { config.quotas.tenantRequestsPerSecond = max(0, value) }
    if let value = self.tenantStoredBytes { config.quotas.tenantStoredBytes = max(0, value) }
    if let value = self.officeRequestsPerSecond { config.quotas.officeRequestsPerSecond = max(0, value) }
    if let value = self.maxConnectionAgeSeconds { config.connections.maxConnectionAge = value > 0 ? .seconds(value) : nil }
    if let value = self.keepaliveSeconds { config.connections.keepaliveTime = .seconds(max(10, value)) }
    if let value = self.shutdownDeadlineSeconds { config.connections.shutdownDeadline = .seconds(max(1, value)) }
    if let value = self.handshakeTimeoutSeconds { config.connections.handshakeTimeout = .seconds(value) }
    if let value = self.maxConnections { config.connections.maxConnections = value }
    if let value = self.maxHandshakes { config.connections.maxHandshakes = value }
    if let value = self.maxConnectionsPerAddress { config.connections.maxConnectionsPerAddress = value }
    if let value = self.maxConnectionsPerOffice { config.connections.maxConnectionsPerOffice = max(1, value) }
    if let value = self.maxHandshakesPerAddress { config.connections.maxHandshakesPerAddress = value }
    return config
  }
}

/// Runs the server in a service group that shuts down gracefully on SIGTERM and SIGINT.
func serve(
  dataDirectory: DataDirectory, storage: StorageLocation? = nil, allowUnsafeStorage: Bool = false,
  configuration: ServerConfiguration, logger: Logger
) async throws {
  guard dataDirectory.isInitialised else {
    throw GongjianError(.failedPrecondition, "\(dataDirectory.url.path) is not initialised: run `gongjian-server init`").exit()
  }
  // The store (PostgreSQL's connection pool) outlives the server and its drain.
  do {
    try await dataDirectory.withStore(storage, allowUnsafe: allowUnsafeStorage, logger: logger) { store in
      try await serve(dataDirectory: dataDirectory, store: store, configuration: configuration, logger: logger)
    }
  } catch let error as GongjianError {
    throw error.exit()
  }
}

private func serve(dataDirectory: DataDirectory, store: any GongjianStore, configuration: ServerConfiguration, logger: Logger) async throws {
  var render: (@Sendable () -> [UInt8])?
  if configuration.metricsListen != nil {
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    render = { registry.emitToBuffer() }
  }
  let server: GongjianServer
  do {
    server = try await GongjianServer(
      configuration: configuration, dataDirectory: dataDirectory, store: store, logger: logger,
      onListening: { host, port in
        // A line on stdout that scripts and tests wait for; flushed because stdout may be a pipe.
        say("gongjian-server listening on \(host):\(port)")
      },
      metrics: render
    )
  } catch let error as GongjianError {
    throw error.exit()
  }
  // The maintenance jobs come first: a group shuts its services down last to first, so they
  // run until the server has drained.
  var groupConfiguration = ServiceGroupConfiguration(
    services: server.maintenance + [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
  )
  groupConfiguration.maximumGracefulShutdownDuration = configuration.connections.shutdownDeadline
  let group = ServiceGroup(configuration: groupConfiguration)
  // The first signal drains; a second one stops at once.
  let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
  let second = Task {
    var seen = 0
    for await signal in signals {
      seen += 1
      if seen == 2 {
        FileHandle.standardError.write(Data("gongjian-server: second \(signal): stopping now\n".utf8))
        exit(1)
      }
    }
  }
  defer { second.cancel() }
  do {
    try await group.run()
  } catch {
    // The transport's own text ("bind(descriptor:ptr:bytes:): Address already in use (errno: 98)")
    // names a system call; an operator needs the address and what to do.
    let text = String(describing: error)
    let address = "\(configuration.listen.host):\(configuration.listen.port)"
    if text.contains("Address already in use") {
      FileHandle.standardError.write(Data("gongjian-server: cannot listen on \(address): the address is in use (is another server running?); choose another with --listen HOST:PORT\n".utf8))
      throw ExitCode(69)
    }
    if text.contains("Permission denied") || text.contains("errno: 13") {
      FileHandle.standardError.write(Data("gongjian-server: cannot listen on \(address): permission denied (ports below 1024 need privileges); choose another with --listen HOST:PORT\n".utf8))
      throw ExitCode(77)
    }
    if text.contains("Cannot assign requested address") || text.contains("errno: 99") {
      FileHandle.standardError.write(Data("gongjian-server: cannot listen on \(address): no such local address; use one of this machine's addresses, or 0.0.0.0\n".utf8))
      throw ExitCode(69)
    }
    throw error
  }
}

/// The default command: a development server in ./gongjian-data.
struct Quickstart: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "quickstart",
    abstract: "Serve ./gongjian-data on 127.0.0.1:7443, initialising it for development on first start."
  )

  @OptionGroup var common: CommonOptions

  @Option(help: "Where to listen, HOST:PORT.")
  var listen: String = "127.0.0.1:7443"

  @Option(help: "A plaintext port for health probes only, on loopback, HOST:PORT (default: none).")
  var healthListen: String?

  func validate() throws {
    if let probe = self.healthListen { _ = try parseHealthListen(probe) }
    if self.common.config != nil {
      throw ValidationError("--config: quickstart serves the development defaults; serve a configuration file with `gongjian-server serve --config FILE`")
    }
  }

  func run() async throws {
    let logger = self.common.makeLogger()
    let directory = DataDirectory(path: self.common.dataDir)
    if !directory.isInitialised {
      try await directory.initialise(hosts: ["localhost", "127.0.0.1", "::1"], dev: true, logger: logger)
      say("initialised a development data directory at \(directory.url.path)")
      say("office credentials: \(directory.pkiURL.appendingPathComponent("offices").path)/<office-id>/")
      say("try: swift run gongjian profile add drc --server \(self.listen) --credentials \(directory.officeCredentialsURL("suqian.drc").path) && swift run gongjian sync")
    }
    let listen = try parseListen(self.listen)
    let probe = try self.healthListen.map(parseHealthListen)
    let configuration = ServerConfiguration.defaults {
      $0.listen = listen
      $0.healthListen = probe
    }
    try await serve(dataDirectory: directory, configuration: configuration, logger: logger)
  }
}

/// Writes a line to stdout at once (stdout is block-buffered when it is a pipe).
func say(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
