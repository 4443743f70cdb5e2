import ArgumentParser
import Foundation
import GongjianProtocol
import GongjianServer
import Logging
import ServiceLifecycle

/// `gongjian-server serve`.
struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Serve an initialised data directory.")

  @OptionGroup var common: CommonOptions

  @Option(help: "Where to listen, HOST:PORT; port 0 picks a free port and prints it.")
  var listen: String = "127.0.0.1:7443"

  @Option(help: "A plaintext port for health probes only, on loopback, HOST:PORT (default: none).")
  var healthListen: String?

  @Option(help: "Most mutations in one push.")
  var maxMutationsPerPush: Int = ServerConfiguration.Limits.defaults.maxMutationsPerPush

  @Option(help: "Largest request message, in bytes.")
  var maxRequestBytes: Int = ServerConfiguration.Limits.defaults.maxRequestBytes

  @Option(help: "Most concurrent streams per connection.")
  var maxConcurrentStreams: Int = ServerConfiguration.Limits.defaults.maxConcurrentStreams

  @Option(help: "Seconds between heartbeats on idle subscriptions.")
  var heartbeatSeconds: Int = 10

  @Option(help: "Days that tombstones and superseded versions are kept (0: only until the next compaction).")
  var retentionDays: Int = 30

  @Option(help: "Seconds between compactions of the change feed.")
  var compactionIntervalSeconds: Int = 3600

  @Option(help: "Days after today that the date of an event (a signing, an activity, a decision) may lie.")
  var futureHorizonDays: Int = ServerConfiguration.Validation.defaults.futureHorizonDays

  @Option(
    name: .customLong("plausible-range"),
    help: ArgumentHelp(
      "A field's plausible range, KIND.FIELD=MIN..MAX in the field's unit (repeat for each); values outside are applied with a warning. E.g. park.planned_area_centimu=50000..15000000.",
      valueName: "range"
    )
  )
  var plausibleRanges: [String] = []

  func validate() throws {
    guard self.retentionDays >= 0 else { throw ValidationError("--retention-days: 0 or more (got \(self.retentionDays))") }
    guard self.compactionIntervalSeconds >= 1 else {
      throw ValidationError("--compaction-interval-seconds: 1 or more (got \(self.compactionIntervalSeconds))")
    }
    if let probe = self.healthListen { _ = try parseHealthListen(probe) }
    guard self.futureHorizonDays >= 0 else { throw ValidationError("--future-horizon-days: 0 or more (got \(self.futureHorizonDays))") }
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

  @Option(help: "Seconds between signed checkpoints of the audit chains.")
  var auditCheckpointIntervalSeconds: Int = 3600

  @Option(help: "Seconds a connection may take to complete its TLS handshake.")
  var handshakeTimeoutSeconds: Int = Int(ServerConfiguration.Connections.defaults.handshakeTimeout.components.seconds)

  @Option(help: "Most open connections in all (lowered to the file-descriptor limit).")
  var maxConnections: Int = ServerConfiguration.Connections.defaults.maxConnections

  @Option(help: "Most connections in their TLS handshake, in all.")
  var maxHandshakes: Int = ServerConfiguration.Connections.defaults.maxHandshakes

  @Option(help: "Most open connections from one source address.")
  var maxConnectionsPerAddress: Int = ServerConfiguration.Connections.defaults.maxConnectionsPerAddress

  @Option(help: "Most connections in their TLS handshake from one source address.")
  var maxHandshakesPerAddress: Int = ServerConfiguration.Connections.defaults.maxHandshakesPerAddress

  func run() async throws {
    let logger = self.common.makeLogger()
    let configuration = try self.serverConfiguration()
    try await serve(dataDirectory: DataDirectory(path: self.common.dataDir), configuration: configuration, logger: logger)
  }

  func serverConfiguration() throws -> ServerConfiguration {
    let listen = try parseListen(self.listen)
    return .defaults { config in
      config.listen = listen
      config.healthListen = self.healthListen.flatMap { try? parseHealthListen($0) }
      config.limits.maxMutationsPerPush = self.maxMutationsPerPush
      config.limits.maxRequestBytes = self.maxRequestBytes
      config.limits.maxConcurrentStreams = self.maxConcurrentStreams
      config.sync.heartbeatInterval = .seconds(self.heartbeatSeconds)
      config.sync.retention = .seconds(self.retentionDays * 86400)
      config.sync.compactionInterval = .seconds(self.compactionIntervalSeconds)
      config.sync.auditCheckpointInterval = .seconds(max(1, self.auditCheckpointIntervalSeconds))
      config.validation.futureHorizonDays = self.futureHorizonDays
      for text in self.plausibleRanges {
        if let range = try? Self.range(text) { config.validation.plausibleRanges.set(range) }
      }
      config.connections = .init(
        handshakeTimeout: .seconds(self.handshakeTimeoutSeconds), maxConnections: self.maxConnections,
        maxHandshakes: self.maxHandshakes, maxConnectionsPerAddress: self.maxConnectionsPerAddress,
        maxHandshakesPerAddress: self.maxHandshakesPerAddress
      )
    }
  }
}

/// Runs the server in a service group that shuts down gracefully on SIGTERM and SIGINT.
func serve(dataDirectory: DataDirectory, configuration: ServerConfiguration, logger: Logger) async throws {
  let server = GongjianServer(configuration: configuration, dataDirectory: dataDirectory, logger: logger) { host, port in
    // A line on stdout that scripts and tests wait for; flushed because stdout may be a pipe.
    say("gongjian-server listening on \(host):\(port)")
  }
  let group = ServiceGroup(
    configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
  )
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
