import Foundation
import GongjianProtocol
import GongjianServer
import GRPCCore
import GRPCInProcessTransport
import Logging
import SwiftProtobuf

/// Takes the calling office from test metadata: stands in for the certificate in in-process tests.
struct MetadataCallerResolver: CallerResolver {
  let store: any GongjianStore

  func resolve(metadata: Metadata, context: ServerContext) async throws -> Caller {
    var values = metadata[stringValues: "x-test-office"].makeIterator()
    guard let id = values.next() else {
      throw GongjianError(.unauthenticated, "no test office")
    }
    guard let office = try await self.store.office(id: id) else {
      throw GongjianError(.unauthenticated, "office \(id) is not registered")
    }
    return Caller(office: office, certificateSerial: "")
  }
}

/// A temporary directory removed when the test ends.
func withTemporaryDirectory<R>(_ body: (URL) async throws -> R) async throws -> R {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("gongjian-test-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: url) }
  return try await body(url)
}

/// A store with the sample partnership of DOMAIN.md (no certificates).
func makeDevStore(in directory: URL) async throws -> SQLiteStore {
  let store = try SQLiteStore(path: directory.appendingPathComponent("test.sqlite").path, logger: Logger(label: "test"))
  for tenant in DevDirectory.tenants { try await store.createTenant(tenant) }
  for office in DevDirectory.offices { try await store.putOffice(office) }
  for entry in DevDirectory.memberships {
    _ = try await store.setMembership(tenantID: entry.tenant, officeID: entry.office, role: entry.role, keyDepartment: entry.keyDepartment)
  }
  return store
}

/// Services over the in-process transport, with calls made as a named office.
struct Harness: Sendable {
  let client: GRPCClient<InProcessTransport.Client>
  let store: SQLiteStore
  let services: GongjianServices

  var sync: Gongjian_V1_Sync.Client<InProcessTransport.Client> { .init(wrapping: self.client) }
  var identity: Gongjian_V1_Identity.Client<InProcessTransport.Client> { .init(wrapping: self.client) }
  var admin: Gongjian_V1_Admin.Client<InProcessTransport.Client> { .init(wrapping: self.client) }
  var records: Gongjian_V1_Records.Client<InProcessTransport.Client> { .init(wrapping: self.client) }
  var targets: Gongjian_V1_Targets.Client<InProcessTransport.Client> { .init(wrapping: self.client) }
  var councils: Gongjian_V1_Councils.Client<InProcessTransport.Client> { .init(wrapping: self.client) }

  static func with<R: Sendable>(
    dataset: Bool = false,
    configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: @Sendable (Harness) async throws -> R
  ) async throws -> R {
    try await withTemporaryDirectory { directory in
      let store = try await makeDevStore(in: directory)
      if dataset {
        var quiet = Logger(label: "dataset")
        quiet.logLevel = .critical
        try await DevDataset.load(into: store, logger: quiet)
      }
      var configuration = ServerConfiguration.defaults
      configure(&configuration)
      var logger = Logger(label: "test")
      logger.logLevel = .critical
      let services = GongjianServices(store: store, revocations: RevocationList(), configuration: configuration, logger: logger)
      let transport = InProcessTransport()
      return try await withGRPCServer(
        transport: transport.server,
        services: services.rpcServices,
        interceptors: [AuthenticationInterceptor(resolver: MetadataCallerResolver(store: store), logger: logger)]
      ) { _ in
        // The in-process transport does not cancel server streams when a client stops reading:
        // end them so that the server can shut down, whether the body passed or threw.
        do {
          let result = try await withGRPCClient(transport: transport.client) { client in
            try await body(Harness(client: client, store: store, services: services))
          }
          services.engine.beginShutdown()
          return result
        } catch {
          services.engine.beginShutdown()
          throw error
        }
      }
    }
  }
}

/// Call metadata naming the calling office.
func office(_ id: String) -> Metadata {
  var metadata = Metadata()
  metadata.addString(id, forKey: "x-test-office")
  return metadata
}

/// A park payload packed for a mutation.
func parkPayload(_ name: String, county: String = "宿城区") -> Google_Protobuf_Any {
  let park = Gongjian_V1_Park.with {
    $0.name = name
    $0.hostCounty = county
    $0.suzhouPartner = "苏州工业园区"
    $0.plannedAreaCentimu = 100_000
    $0.builtAreaCentimu = 50_000
  }
  return RecordKind.park.pack(serialized: try! park.serializedBytes())
}

/// A mutation that writes a park.
func putPark(_ id: String, base: UInt64, name: String, mutationID: String = UUID().uuidString) -> Gongjian_V1_Mutation {
  .with {
    $0.mutationID = mutationID
    $0.kind = "park"
    $0.recordID = id
    $0.baseVersion = base
    $0.payload = parkPayload(name)
  }
}

/// A push request.
func pushRequest(_ tenant: String, client: String = "test-client", _ mutations: [Gongjian_V1_Mutation]) -> Gongjian_V1_PushRequest {
  .with {
    $0.tenantID = tenant
    $0.clientID = client
    $0.mutations = mutations
  }
}

func newID() -> String { UUID().uuidString.lowercased() }
