public import GongjianProtocol
/// Everything the server can be configured with, with documented defaults.
///
/// Executables map flags and files onto it; the library never reads the environment.
public struct ServerConfiguration: Sendable {
  /// Where the server listens.
  public struct Listen: Sendable {
    /// Host or IP address. Default `127.0.0.1`.
    public var host: String
    /// TCP port; 0 picks a free one. Default 7443.
    public var port: Int

    /// Creates a listening address.
    public init(host: String, port: Int) {
      self.host = host
      self.port = port
    }

    /// Loopback on port 7443.
    public static var defaults: Self { Self(host: "127.0.0.1", port: 7443) }
  }

  /// Limits that protect the server; exceeding one answers `RESOURCE_EXHAUSTED` or `INVALID_ARGUMENT`.
  public struct Limits: Sendable {
    /// Largest push in payload bytes: a push whose payloads add up to more is refused with
    /// `RESOURCE_EXHAUSTED`. Default 4 MiB. (Each method's message size is bounded before
    /// decoding, see ``maxRequestMessageBytes(path:)``.)
    public var maxRequestBytes: Int
    /// Most mutations in one push. Default 500.
    public var maxMutationsPerPush: Int
    /// Largest payload of one mutation in bytes. Default 256 KiB.
    public var maxPayloadBytes: Int
    /// Most concurrent HTTP/2 streams per connection. Default 256.
    public var maxConcurrentStreams: Int
    /// Default records per pull page. Default 500.
    public var defaultPageSize: Int
    /// Most records per pull page. Default 5000.
    public var maxPageSize: Int
    /// A connection with no open streams for this long is closed. Default 15 minutes.
    public var maxConnectionIdle: Duration
    /// Live subscriptions per tenant. Default 10,000.
    public var maxSubscriptionsPerTenant: Int
    /// Live subscriptions of one office, over all its tenants. Default 100.
    public var maxSubscriptionsPerOffice: Int = 100
    /// Largest agenda attachment in bytes. Default 2 MiB.
    public var maxAttachmentBytes: Int = 2 * 1024 * 1024

    /// The largest request message a method accepts, checked against the message's length
    /// prefix before any of it is decoded (a larger one answers `RESOURCE_EXHAUSTED` at once):
    /// `Sync/Push` takes ``maxRequestBytes`` plus 1 MiB for the mutations' envelopes,
    /// `Councils/UploadAttachment` ``maxAttachmentBytes`` plus 64 KiB, and every other method
    /// ``maxPayloadBytes`` plus 64 KiB (one record and its request fields).
    ///
    /// - Parameter path: The method's HTTP/2 path, e.g. `/gongjian.v1.Sync/Push`.
    public func maxRequestMessageBytes(path: Substring) -> Int {
      switch path {
      case "/gongjian.v1.Sync/Push": self.maxRequestBytes + 1024 * 1024
      case "/gongjian.v1.Councils/UploadAttachment": self.maxAttachmentBytes + 64 * 1024
      default: self.maxPayloadBytes + 64 * 1024
      }
    }

    /// The largest of ``maxRequestMessageBytes(path:)``: the transport's own hard cap sits above it.
    public var largestRequestMessageBytes: Int {
      max(self.maxRequestBytes + 1024 * 1024, self.maxAttachmentBytes + 64 * 1024, self.maxPayloadBytes + 64 * 1024)
    }

    /// The defaults listed on each property.
    public static var defaults: Self {
      Self(
        maxRequestBytes: 4 * 1024 * 1024,
        maxMutationsPerPush: 500,
        maxPayloadBytes: 256 * 1024,
        maxConcurrentStreams: 256,
        defaultPageSize: 500,
        maxPageSize: 5000,
        maxConnectionIdle: .seconds(15 * 60),
        maxSubscriptionsPerTenant: 10_000
      )
    }
  }

  /// Admission of TCP connections and their TLS handshakes: what one peer, or many, can hold
  /// before the handshake proves who they are. A connection over a cap is closed at once, and the
  /// refusal is logged (at most once a second per cap, with the count since the last line).
  public struct Connections: Sendable {
    /// A connection whose TLS handshake has not completed this long after it was accepted is
    /// closed. Default 10 s.
    public var handshakeTimeout: Duration
    /// Open connections in all. At start-up it is lowered, with a log line, to leave 64 file
    /// descriptors free under the process's limit. Default 4096.
    public var maxConnections: Int
    /// Connections still in their TLS handshake, in all. Default 256.
    public var maxHandshakes: Int
    /// Open connections from one source address. Default 512.
    public var maxConnectionsPerAddress: Int
    /// Connections in their TLS handshake from one source address. Default 32.
    public var maxHandshakesPerAddress: Int
    /// Most open connections of one office (counted once its certificate is verified). Default 64.
    public var maxConnectionsPerOffice: Int = 64
    /// A connection older than this is asked to go away (GOAWAY; clients reconnect, a
    /// subscription resumes from its cursor); nil never. Default nil.
    public var maxConnectionAge: Duration? = nil
    /// How long calls may go on after that before the connection is closed. Default 60 s.
    public var maxConnectionAgeGrace: Duration? = .seconds(60)
    /// The server pings a connection idle this long. Default 2 hours.
    public var keepaliveTime: Duration = .seconds(2 * 3600)
    /// …and closes it when no answer comes within this. Default 20 s.
    public var keepaliveTimeout: Duration = .seconds(20)
    /// Clients pinging more often than this are told to stop (GOAWAY `ENHANCE_YOUR_CALM`).
    /// Default 5 minutes.
    public var minClientPingInterval: Duration = .seconds(5 * 60)
    /// Whether clients may ping with no call open. Default false.
    public var allowClientPingsWithoutCalls: Bool = false
    /// How long a graceful shutdown (SIGTERM, SIGINT) lets running calls finish before they are
    /// cancelled. Default 30 s.
    public var shutdownDeadline: Duration = .seconds(30)

    /// Creates admission limits.
    public init(
      handshakeTimeout: Duration, maxConnections: Int, maxHandshakes: Int, maxConnectionsPerAddress: Int,
      maxHandshakesPerAddress: Int
    ) {
      self.handshakeTimeout = handshakeTimeout
      self.maxConnections = maxConnections
      self.maxHandshakes = maxHandshakes
      self.maxConnectionsPerAddress = maxConnectionsPerAddress
      self.maxHandshakesPerAddress = maxHandshakesPerAddress
    }

    /// The defaults listed on each property.
    public static var defaults: Self {
      Self(
        handshakeTimeout: .seconds(10), maxConnections: 4096, maxHandshakes: 256, maxConnectionsPerAddress: 512,
        maxHandshakesPerAddress: 32
      )
    }
  }

  /// The change feed.
  public struct Sync: Sendable {
    /// A subscriber with nothing to receive gets a heartbeat this often. Default 10 s.
    public var heartbeatInterval: Duration
    /// Recent changes kept in memory per tenant for live subscribers. Default 4096.
    public var recentChangesPerTenant: Int
    /// Pull pages read ahead at once: after a page with more to follow, the next one is read
    /// and encoded while the client takes this one (pulls beyond this many at once go without).
    /// 0 reads nothing ahead. Default 8.
    public var pullReadAheadPages: Int = 8
    /// Most pushes committed in one transaction (group commit). Default 64.
    public var maxPushesPerCommit: Int
    /// How long a commit round may take before its pushes are answered UNAVAILABLE with the
    /// outcome unknown (a retry with the same mutation ids answers the first outcome), and the
    /// next round starts. Default 5 s.
    public var commitDeadline: Duration = .seconds(5)
    /// Tombstones and superseded versions are kept at least this long. Default 30 days.
    public var retention: Duration
    /// How often compaction runs. Default 1 hour.
    public var compactionInterval: Duration
    /// How often the allocator is asked to return free memory to the system (glibc's
    /// `malloc_trim`); nil never. glibc keeps what closed connections and subscriptions freed
    /// (measured: 100 stalled subscribers took 20 MB of heap that stayed in RSS after they closed).
    /// Default 60 s.
    public var memoryTrimInterval: Duration? = .seconds(60)
    /// How often the server signs a checkpoint of each tenant's audit chain that moved.
    /// Default 1 hour.
    public var auditCheckpointInterval: Duration = .seconds(3600)
    /// How often the database is probed with a read; while the probe fails, every service that
    /// answers from it is NOT_SERVING in `grpc.health.v1.Health`. Default 5 s.
    public var databaseProbeInterval: Duration = .seconds(5)

    /// The defaults listed on each property.
    public static var defaults: Self {
      Self(
        heartbeatInterval: .seconds(10),
        recentChangesPerTenant: 4096,
        maxPushesPerCommit: 64,
        retention: .seconds(30 * 24 * 3600),
        compactionInterval: .seconds(3600)
      )
    }
  }

  /// Who may do what beyond tenant membership.
  public struct Authorization: Sendable {
    /// Admins of this tenant manage tenants, offices and certificates. Default `city`.
    public var operatorTenant: String
    /// How often the revocation list is re-read from the database (revocations made by the
    /// offline CLI) and from the CA-signed `pki/revocations.signed`, and the server's
    /// certificate files are checked for a rotation. Revocations through the Admin service apply
    /// at once. Default 5 s.
    public var revocationRefreshInterval: Duration
    /// How long an office and its memberships are read from memory rather than the database.
    /// Changes through the Admin service apply at once; the offline CLI's within this time.
    /// Default 1 s.
    public var directoryCacheTimeToLive: Duration = .seconds(1)

    /// The defaults listed on each property.
    public static var defaults: Self {
      Self(operatorTenant: "city", revocationRefreshInterval: .seconds(5))
    }
  }

  /// Checks of records beyond their types.
  public struct Validation: Sendable {
    /// How far after today (Asia/Shanghai) the date of an event (a signing, an activity held, a
    /// decision, a progress note) may lie; later dates are refused as slips (a signing in 2099).
    /// Default 366 days.
    public var futureHorizonDays: Int = 366
    /// Where values are plausible; a value outside is applied and answered with a warning that
    /// names the field. Default ``PlausibleRanges/defaults``.
    public var plausibleRanges: PlausibleRanges = .defaults

    /// The defaults listed on each property.
    public static var defaults: Self { Self() }
  }

  /// Request rates per tenant and per office (token buckets; 0 requests per second: no limit).
  /// A request over quota is refused with RESOURCE_EXHAUSTED and `google.rpc.RetryInfo`.
  public struct Quotas: Sendable {
    /// Requests per second for each tenant, all offices together. Default 0 (no limit).
    public var tenantRequestsPerSecond: Int = 0
    /// Requests a tenant may make at once above its rate. Default 0 (twice the rate).
    public var tenantBurst: Int = 0
    /// Requests per second for each office, over all its tenants. Default 0 (no limit).
    public var officeRequestsPerSecond: Int = 0
    /// Requests an office may make at once above its rate. Default 0 (twice the rate).
    public var officeBurst: Int = 0
    /// Most bytes a tenant's live records may take (payloads); a write past it is refused with
    /// RESOURCE_EXHAUSTED. Default 0 (no limit).
    public var tenantStoredBytes: Int = 0

    /// The defaults listed on each property.
    public static var defaults: Self { Self() }

    /// The gate these quotas make, or nil when there are none.
    public func gate() -> QuotaGate? {
      func rate(_ perSecond: Int, _ burst: Int) -> QuotaGate.Rate? {
        perSecond > 0 ? .init(perSecond: Double(perSecond), burst: Double(burst > 0 ? burst : 2 * perSecond)) : nil
      }
      let tenant = rate(self.tenantRequestsPerSecond, self.tenantBurst)
      let office = rate(self.officeRequestsPerSecond, self.officeBurst)
      return tenant == nil && office == nil ? nil : QuotaGate(perTenant: tenant, perOffice: office)
    }
  }

  /// Where to listen.
  public var listen: Listen
  /// A plain HTTP port for Prometheus (`GET /metrics`). Default none.
  public var metricsListen: Listen?
  /// A plaintext port for health probes only (`grpc.health.v1.Health`, no client certificate),
  /// on a loopback address. Default none: health is served on the mutual-TLS port only.
  public var healthListen: Listen?
  /// Connection and handshake admission.
  public var connections: Connections = .defaults
  /// Protective limits.
  public var limits: Limits
  /// Change-feed behaviour.
  public var sync: Sync
  /// Authorization beyond memberships.
  public var authorization: Authorization
  /// Record checks beyond types.
  public var validation: Validation = .defaults
  /// Request rates per tenant and per office.
  public var quotas: Quotas = .defaults
  /// Where `gongjian-server serve` opens the store. Default nil: what the data directory says
  /// (`init --storage` recorded a database, else its SQLite file). ``GongjianServer`` itself
  /// serves the store it is given.
  public var storage: StorageLocation?

  /// Creates a configuration.
  public init(listen: Listen, limits: Limits, sync: Sync, authorization: Authorization) {
    self.listen = listen
    self.limits = limits
    self.sync = sync
    self.authorization = authorization
  }

  /// The documented defaults.
  public static var defaults: Self {
    Self(listen: .defaults, limits: .defaults, sync: .defaults, authorization: .defaults)
  }

  /// The defaults, changed by `configure`.
  ///
  /// - Parameter configure: Changes to the defaults.
  public static func defaults(configure: (inout Self) -> Void) -> Self {
    var config = Self.defaults
    configure(&config)
    return config
  }
}
