import ArgumentParser
import Configuration
import Foundation
import GongjianProtocol
import GongjianServer
import SystemPackage

/// The server's configuration file: JSON, read through swift-configuration, whose keys mirror
/// ``ServerConfiguration`` (`limits.max_mutations_per_push`, …). Flags given to `serve` override
/// it; what neither sets keeps its documented default (`gongjian-server config defaults`).
enum ConfigFile {
  /// One setting of the file.
  struct Setting {
    enum Kind { case int(ClosedRange<Int>), bool, string, strings }
    var key: String
    var kind: Kind
    var help: String
    /// The setting's value in a configuration, as JSON.
    var current: (ServerConfiguration) -> Any
    /// Applies a value (already type-checked and in range); throws a message for other errors.
    var apply: (inout ServerConfiguration, Any) throws -> Void
  }

  static func seconds(_ duration: Duration) -> Int { Int(duration.components.seconds) }

  static func int(_ key: String, _ range: ClosedRange<Int>, _ help: String, _ path: WritableKeyPath<ServerConfiguration, Int>) -> Setting {
    Setting(key: key, kind: .int(range), help: help, current: { $0[keyPath: path] }, apply: { $0[keyPath: path] = $1 as! Int })
  }

  static func duration(_ key: String, _ range: ClosedRange<Int>, _ help: String, _ path: WritableKeyPath<ServerConfiguration, Duration>, unit: Int = 1) -> Setting {
    Setting(
      key: key, kind: .int(range), help: help, current: { Self.seconds($0[keyPath: path]) / unit },
      apply: { $0[keyPath: path] = .seconds(($1 as! Int) * unit) }
    )
  }

  /// Every setting, with its range and meaning.
  static var settings: [Setting] {
    [
    Setting(
      key: "listen", kind: .string, help: "where to listen, HOST:PORT",
      current: { "\($0.listen.host):\($0.listen.port)" }, apply: { $0.listen = try parseListen($1 as! String) }
    ),
    Setting(
      key: "health_listen", kind: .string, help: "a plaintext loopback port for health probes, HOST:PORT (empty: none)",
      current: { $0.healthListen.map { "\($0.host):\($0.port)" } ?? "" },
      apply: { config, value in
        let text = value as! String
        config.healthListen = text.isEmpty ? nil : try parseHealthListen(text)
      }
    ),
    Setting(
      key: "metrics_listen", kind: .string, help: "a plain HTTP port for Prometheus, HOST:PORT (empty: none)",
      current: { $0.metricsListen.map { "\($0.host):\($0.port)" } ?? "" },
      apply: { config, value in
        let text = value as! String
        config.metricsListen = text.isEmpty ? nil : try parseListen(text)
      }
    ),
    Setting(
      key: "data_dir", kind: .string, help: "the data directory, database and PKI (every subcommand given --config uses it)",
      // Read by CommonOptions before the rest of the file (`locations`), not part of ServerConfiguration.
      current: { _ in CommonOptions.defaultDataDir }, apply: { _, _ in }
    ),
    Setting(
      key: "storage", kind: .string,
      help: "where the records live: postgres://USER@HOST:PORT/DB[?sslmode=…&pool=N], or sqlite (empty: what init recorded)",
      current: { config in
        switch config.storage {
        case .none: ""
        case .sqlite: "sqlite"
        case .postgres(let postgres): postgres.displayURL
        }
      },
      apply: { config, value in
        let text = value as! String
        do {
          config.storage = text.isEmpty ? nil : try StorageLocation(url: text)
        } catch let error as GongjianError {
          throw ConfigError(error.message.replacingOccurrences(of: "storage: ", with: ""))
        }
      }
    ),
    int("limits.max_mutations_per_push", 1...100_000, "most mutations in one push", \.limits.maxMutationsPerPush),
    int("limits.max_request_bytes", 1024...1_073_741_824, "largest push, in payload bytes", \.limits.maxRequestBytes),
    int("limits.max_payload_bytes", 1024...67_108_864, "largest record payload, in bytes", \.limits.maxPayloadBytes),
    int("limits.max_attachment_bytes", 1024...1_073_741_824, "largest attachment, in bytes", \.limits.maxAttachmentBytes),
    int("limits.max_concurrent_streams", 1...65_535, "most concurrent streams per connection", \.limits.maxConcurrentStreams),
    int("limits.default_page_size", 1...100_000, "records per pull page by default", \.limits.defaultPageSize),
    int("limits.max_page_size", 1...100_000, "most records per pull page", \.limits.maxPageSize),
    int("limits.max_subscriptions_per_tenant", 1...1_000_000, "live subscriptions per tenant", \.limits.maxSubscriptionsPerTenant),
    int("limits.max_subscriptions_per_office", 1...1_000_000, "live subscriptions per office", \.limits.maxSubscriptionsPerOffice),
    duration("connections.handshake_timeout_seconds", 1...600, "seconds a TLS handshake may take", \.connections.handshakeTimeout),
    int("connections.max_connections", 1...1_000_000, "most open connections", \.connections.maxConnections),
    int("connections.max_handshakes", 1...1_000_000, "most connections in their TLS handshake", \.connections.maxHandshakes),
    int("connections.max_connections_per_address", 1...1_000_000, "most connections from one address", \.connections.maxConnectionsPerAddress),
    int("connections.max_connections_per_office", 1...1_000_000, "most connections of one office", \.connections.maxConnectionsPerOffice),
    int("connections.max_handshakes_per_address", 1...1_000_000, "most handshakes from one address", \.connections.maxHandshakesPerAddress),
    Setting(
      key: "connections.max_connection_age_seconds", kind: .int(0...31_536_000), help: "seconds before a connection is asked to go away (0: never)",
      current: { $0.connections.maxConnectionAge.map { Self.seconds($0) } ?? 0 },
      apply: { config, value in config.connections.maxConnectionAge = (value as! Int) == 0 ? nil : .seconds(value as! Int) }
    ),
    duration("connections.max_connection_age_grace_seconds", 0...86_400, "seconds calls may go on after that", \.connections.maxConnectionAgeGraceOrZero),
    duration("connections.keepalive_seconds", 10...86_400, "seconds idle before the server pings", \.connections.keepaliveTime),
    duration("connections.keepalive_timeout_seconds", 1...3600, "seconds to wait for the ping's answer", \.connections.keepaliveTimeout),
    duration("connections.min_client_ping_seconds", 1...86_400, "least interval between a client's pings", \.connections.minClientPingInterval),
    duration("connections.shutdown_deadline_seconds", 1...3600, "seconds running calls may finish on shutdown", \.connections.shutdownDeadline),
    duration("sync.heartbeat_seconds", 1...3600, "seconds between heartbeats on idle subscriptions", \.sync.heartbeatInterval),
    int("sync.pull_read_ahead_pages", 0...1024, "pull pages read ahead at once (0: none)", \.sync.pullReadAheadPages),
    duration("sync.retention_days", 0...3650, "days tombstones and superseded versions are kept", \.sync.retention, unit: 86_400),
    duration("sync.compaction_interval_seconds", 1...604_800, "seconds between compactions", \.sync.compactionInterval),
    duration("sync.audit_checkpoint_interval_seconds", 1...604_800, "seconds between signed audit checkpoints", \.sync.auditCheckpointInterval),
    duration("sync.database_probe_seconds", 1...3600, "seconds between health probes of the database", \.sync.databaseProbeInterval),
    duration("sync.commit_deadline_seconds", 1...600, "seconds a commit round may take before its pushes are answered UNAVAILABLE", \.sync.commitDeadline),
    Setting(
      key: "authorization.operator_tenant", kind: .string, help: "the tenant whose admins manage the deployment",
      current: { $0.authorization.operatorTenant },
      apply: { config, value in
        guard OfficeIdentity.isValidIdentifier(value as! String) else { throw ConfigError("a tenant id (2-63 of a-z 0-9 . -)") }
        config.authorization.operatorTenant = value as! String
      }
    ),
    duration("authorization.revocation_refresh_seconds", 1...3600, "seconds between re-reads of the revocation list", \.authorization.revocationRefreshInterval),
    int("quotas.tenant_requests_per_second", 0...1_000_000, "requests per second per tenant (0: no limit)", \.quotas.tenantRequestsPerSecond),
    int("quotas.tenant_burst", 0...1_000_000, "requests at once above a tenant's rate (0: twice the rate)", \.quotas.tenantBurst),
    int("quotas.office_requests_per_second", 0...1_000_000, "requests per second per office (0: no limit)", \.quotas.officeRequestsPerSecond),
    int("quotas.tenant_stored_bytes", 0...Int.max, "bytes a tenant's live records may take (0: no limit)", \.quotas.tenantStoredBytes),
    int("quotas.office_burst", 0...1_000_000, "requests at once above an office's rate (0: twice the rate)", \.quotas.officeBurst),
    int("validation.future_horizon_days", 0...36_500, "days after today an event's date may lie", \.validation.futureHorizonDays),
    Setting(
      key: "validation.plausible_ranges", kind: .strings, help: "fields' plausible ranges, KIND.FIELD=MIN..MAX",
      current: { $0.validation.plausibleRanges.ranges.map { "\($0.key)=\($0.min)..\($0.max)" } },
      apply: { config, value in
        for text in value as! [String] {
          do {
            config.validation.plausibleRanges.set(try Serve.range(text))
          } catch let error as ValidationError {
            throw ConfigError(error.message.replacingOccurrences(of: "--plausible-range: ", with: ""))
          }
        }
      }
    ),
    ]
  }

  /// A setting of 0.8 (`false` served calls through grpc-swift's transport and GRPCCore).
  static let removedLeanPath = "transport.lean_path"

  /// The file's `data_dir` and `storage`, which every subcommand given `--config` uses: read
  /// at once and on their own, before the rest of the file.
  ///
  /// - Throws: ``ConfigError`` when the file cannot be read or either value is not a string.
  static func locations(_ path: String) throws -> (dataDir: String?, storage: String?) {
    guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("cannot read \(path)") }
    guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
      throw ConfigError("not a JSON object (see `gongjian-server config defaults`)")
    }
    func string(_ key: String) throws -> String? {
      guard let value = root[key] else { return nil }
      guard let text = value as? String else { throw ConfigError("\(key): a string expected") }
      return text.isEmpty ? nil : text
    }
    return (try string("data_dir"), try string("storage"))
  }

  struct ConfigError: Error {
    var message: String
    init(_ message: String) { self.message = message }
  }

  /// Reads a file onto `base`, collecting every error instead of stopping at the first.
  ///
  /// - Returns: The configuration and the errors, each naming its key.
  static func load(_ path: String, onto base: ServerConfiguration) async -> (ServerConfiguration, [String]) {
    var errors: [String] = []
    guard let data = FileManager.default.contents(atPath: path) else { return (base, ["cannot read \(path)"]) }
    guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
      return (base, ["not a JSON object (see `gongjian-server config defaults`)"])
    }
    // Unknown keys first: a misspelt key would otherwise be ignored.
    let known = Set(Self.settings.map(\.key))
    func walk(_ object: [String: Any], _ prefix: String) {
      for (name, value) in object.sorted(by: { $0.key < $1.key }) {
        let key = prefix.isEmpty ? name : "\(prefix).\(name)"
        if key == Self.removedLeanPath {
          // Files written for 0.8 may still say true, which is what every server now does.
          if (value as? Bool) != true {
            errors.append("\(key): the GRPCCore path is gone since 0.9.0 and every call is served on the lean path: delete the key")
          }
        } else if let nested = value as? [String: Any], !known.contains(key) {
          walk(nested, key)
        } else if !known.contains(key) {
          let nearest = known.min { Self.distance($0, key) < Self.distance($1, key) }
          let hint = nearest.flatMap { Self.distance($0, key) <= max(2, key.count / 4) ? "; did you mean \($0)?" : nil } ?? ""
          errors.append("\(key): not a setting\(hint)")
        }
      }
    }
    walk(root, "")
    let reader: ConfigReader
    do {
      reader = ConfigReader(provider: try await FileProvider<JSONSnapshot>(filePath: FilePath(path)))
    } catch {
      return (base, errors + ["\(error)"])
    }
    var configuration = base
    for setting in Self.settings {
      let key = ConfigKey(setting.key)
      do {
        let value: Any?
        switch setting.kind {
        case .int(let range):
          guard let int = try Self.present(reader, key, { try reader.requiredInt(forKey: key) }) else { continue }
          guard range.contains(int) else { throw ConfigError("\(int) is out of range \(range.lowerBound)…\(range.upperBound)") }
          value = int
        case .bool:
          value = try Self.present(reader, key, { try reader.requiredBool(forKey: key) })
        case .string:
          value = try Self.present(reader, key, { try reader.requiredString(forKey: key) })
        case .strings:
          value = try Self.present(reader, key, { try reader.requiredStringArray(forKey: key) })
        }
        guard let value else { continue }
        try setting.apply(&configuration, value)
      } catch let error as ConfigError {
        errors.append("\(setting.key): \(error.message)")
      } catch let error as ValidationError {
        // Flag parsers name their flag; the file names its key.
        let message = error.message.replacing(#/^--[a-z-]+: /#, with: "")
        errors.append("\(setting.key): \(message)")
      } catch {
        errors.append("\(setting.key): \(Self.kindName(setting.kind)) expected")
      }
    }
    return (configuration, errors)
  }

  /// The value of a key, or nil when the file does not set it.
  static func present<T>(_ reader: ConfigReader, _ key: ConfigKey, _ read: () throws -> T) throws -> T? {
    guard reader.string(forKey: key) != nil || reader.int(forKey: key) != nil || reader.stringArray(forKey: key) != nil
      || reader.bool(forKey: key) != nil || reader.double(forKey: key) != nil || reader.intArray(forKey: key) != nil
    else { return nil }
    return try read()
  }

  static func kindName(_ kind: Setting.Kind) -> String {
    switch kind {
    case .int: "a whole number"
    case .bool: "true or false"
    case .string: "a string"
    case .strings: "a list of strings"
    }
  }

  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
      var previous = row[0]
      row[0] = i
      for j in 1...max(b.count, 1) where !b.isEmpty {
        let saved = row[j]
        row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
        previous = saved
      }
    }
    return row[b.count]
  }

  /// The documented defaults as a configuration file.
  static func defaultsJSON() throws -> String {
    var root: [String: Any] = [:]
    let defaults = ServerConfiguration.defaults
    for setting in Self.settings {
      let parts = setting.key.split(separator: ".").map(String.init)
      if parts.count == 1 {
        root[parts[0]] = setting.current(defaults)
      } else {
        var section = root[parts[0]] as? [String: Any] ?? [:]
        section[parts[1]] = setting.current(defaults)
        root[parts[0]] = section
      }
    }
    let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }
}

/// `gongjian-server config`: check a configuration file, or print the defaults.
struct Config: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a configuration file (every error at once), or print the documented defaults as one.",
    subcommands: [Check.self, Defaults.self]
  )

  struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check a configuration file; exit 65 listing every error.",
      discussion: """
        With --initialised (the packaged unit's ExecCondition): also require the file's data directory to be
        initialised; exit 1 saying how to initialise it when it is not (systemd then skips the start), and 255
        when the file has errors (systemd then marks the start failed).
        """
    )
    @Argument(help: "The JSON configuration file.") var file: String

    @Flag(help: "Also require the data directory the file names to be initialised.")
    var initialised = false

    func run() async throws {
      let (_, errors) = await ConfigFile.load(self.file, onto: .defaults)
      for error in errors { FileHandle.standardError.write(Data("\(self.file): \(error)\n".utf8)) }
      guard errors.isEmpty else { throw ExitCode(self.initialised ? 255 : 65) }
      guard self.initialised else {
        print("\(self.file): ok")
        return
      }
      let directory = DataDirectory(path: CommonOptions.dataDir(configuration: self.file))
      guard directory.isInitialised else {
        FileHandle.standardError.write(Data("""
          gongjian-server: \(directory.url.path) is not initialised; as the server's user, run
            gongjian-server init --config \(self.file) --admin-office ID --name NAME --host NAME-OFFICES-DIAL
          then start the server again

          """.utf8))
        throw ExitCode(1)
      }
      print("\(self.file): ok; \(directory.url.path) is initialised")
    }
  }

  struct Defaults: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the documented defaults as a configuration file, then each setting's meaning on stderr.")

    func run() async throws {
      print(try ConfigFile.defaultsJSON())
      for setting in ConfigFile.settings {
        FileHandle.standardError.write(Data("\(setting.key): \(setting.help)\n".utf8))
      }
    }
  }
}

extension ServerConfiguration.Connections {
  /// The grace after the maximum age as a non-optional value, for the configuration file.
  var maxConnectionAgeGraceOrZero: Duration {
    get { self.maxConnectionAgeGrace ?? .zero }
    set { self.maxConnectionAgeGrace = newValue }
  }
}
