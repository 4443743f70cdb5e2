@testable import GongjianServer
import GRPCCore
import GRPCInProcessTransport
import Logging
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@Suite("The lean path's stream handler")
struct LeanStreamHandlerTests {
  /// Refuses every call: these tests never get as far as running a method.
  struct Refusing: CallerResolver {
    func resolve(metadata: Metadata, context: ServerContext) async throws -> Caller {
      throw GongjianError(.unauthenticated, "test")
    }
  }

  static let whoAmI = MethodDescriptor(fullyQualifiedService: "gongjian.v1.Identity", method: "WhoAmI")

  static func channel() throws -> EmbeddedChannel {
    let method = LeanMethod(descriptor: Self.whoAmI) { _, _, _, _ in [] }
    let methods = LeanMethods(
      methods: [method], admission: CallAdmission(resolver: Refusing(), logger: Logger(label: "test"), quotas: nil)
    )
    return EmbeddedChannel(handler: LeanStreamHandler(methods: methods))
  }

  static func headers(
    path: String, contentType: String = "application/grpc", _ extra: [(String, String)] = [], endStream: Bool = false
  ) -> HTTP2Frame.FramePayload {
    var headers: HPACKHeaders = [":method": "POST", ":path": path, ":scheme": "https", "content-type": contentType]
    for (name, value) in extra { headers.add(name: name, value: value) }
    return .headers(.init(headers: headers, endStream: endStream))
  }

  @Test("A method it does not serve, or a compressed request, goes on to grpc-swift frame by frame")
  func passesThrough() throws {
    for first in [
      Self.headers(path: "/gongjian.v1.Records/List"),
      Self.headers(path: "/gongjian.v1.Identity/WhoAmI", [("grpc-encoding", "gzip")]),
      Self.headers(path: "/gongjian.v1.Identity/WhoAmI", contentType: "application/json"),
    ] {
      let channel = try Self.channel()
      try channel.writeInbound(first)
      guard case .headers = try #require(try channel.readInbound(as: HTTP2Frame.FramePayload.self)) else {
        Issue.record("the headers were not passed on")
        return
      }
      try channel.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(bytes: [0, 0, 0, 0, 0])), endStream: true)))
      #expect(try channel.readInbound(as: HTTP2Frame.FramePayload.self) != nil)
      #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
      _ = try? channel.finish()
    }
  }

  @Test("A request without a message is answered with trailers only, as GRPCCore words it")
  func noMessage() throws {
    let channel = try Self.channel()
    defer { _ = try? channel.finish() }
    try channel.writeInbound(Self.headers(path: "/gongjian.v1.Identity/WhoAmI", endStream: true))
    #expect(try channel.readInbound(as: HTTP2Frame.FramePayload.self) == nil, "a lean call's frames stop at the handler")
    guard case .headers(let trailers) = try #require(try channel.readOutbound(as: HTTP2Frame.FramePayload.self)) else {
      Issue.record("no trailers")
      return
    }
    #expect(trailers.endStream)
    #expect(trailers.headers.first(name: ":status") == "200")
    #expect(trailers.headers.first(name: "grpc-status") == "13")
    #expect(trailers.headers.first(name: "grpc-message") == "Unary request didn't contain any messages.")
  }

  @Test("One message exactly: none, two, a cut prefix or a cut body are refused")
  func singleMessage() throws {
    func request(_ bytes: [UInt8]) -> Result<[UInt8], RPCError> { LeanStreamHandler.singleMessage(ByteBuffer(bytes: bytes)) }
    #expect(try request([0, 0, 0, 0, 2, 8, 1]).get() == [8, 1])
    #expect(try request([0, 0, 0, 0, 0]).get() == [])
    for (bytes, words) in [
      ([], "didn't contain any messages"), ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "more than one message"), ([0, 0, 0], "message prefix"),
      ([0, 0, 0, 0, 3, 1], "in the middle of a message"), ([1, 0, 0, 0, 0], "compressed"),
    ] as [([UInt8], String)] {
      guard case .failure(let error) = request(bytes) else {
        Issue.record("\(bytes) was accepted")
        continue
      }
      #expect(error.code == .internalError)
      #expect(error.message.contains(words), "\(error.message)")
    }
  }

  @Test("Every method of Gongjian's own services is on the lean path; health and reflection are not")
  func coversTheServices() async throws {
    try await withTemporaryDirectory { directory in
      let store = try await makeDevStore(in: directory)
      let services = GongjianServices(
        store: store, revocations: RevocationList(), configuration: .defaults, logger: Logger(label: "test")
      )
      var router = RPCRouter<InProcessTransport.Server>()
      for service in services.rpcServices { service.registerMethods(with: &router) }
      let lean = LeanMethods(
        services: services, admission: CallAdmission(resolver: Refusing(), logger: Logger(label: "test"), quotas: nil)
      )
      let own = router.methods.filter { $0.service.fullyQualifiedService.hasPrefix("gongjian.v1.") }
      #expect(own.count == 39)
      #expect(lean.paths == own.map { "/" + $0.fullyQualifiedMethod }.sorted())
      #expect(!lean.paths.contains { $0.hasPrefix("/grpc.") })
    }
  }

  @Test("A second message of a unary request is refused as it starts, and the stream reset")
  func secondMessage() throws {
    let channel = try Self.channel()
    defer { _ = try? channel.finish() }
    try channel.writeInbound(Self.headers(path: "/gongjian.v1.Identity/WhoAmI"))
    try channel.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(bytes: [0, 0, 0, 0, 1, 8])))))
    #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil, "one message: still collecting")
    try channel.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(bytes: [0])))))
    guard case .headers(let trailers) = try #require(try channel.readOutbound(as: HTTP2Frame.FramePayload.self)) else {
      Issue.record("no trailers")
      return
    }
    #expect(trailers.headers.first(name: "grpc-status") == "13")
    #expect(trailers.headers.first(name: "grpc-message") == "Unary request contained more than one message.")
    #expect(!channel.isActive, "the stream is reset: the client had not ended its side")
  }

  @Test("grpc-timeout: up to eight digits and a unit")
  func timeouts() {
    #expect(LeanStreamHandler.timeAmount("100m") == .milliseconds(100))
    #expect(LeanStreamHandler.timeAmount("2H") == .hours(2))
    #expect(LeanStreamHandler.timeAmount("99999999n") == .nanoseconds(99_999_999))
    #expect(LeanStreamHandler.timeAmount("5u") == .microseconds(5))
    for invalid in ["", "m", "100", "100x", "123456789S", "-1S", "1.5S"] {
      #expect(LeanStreamHandler.timeAmount(invalid) == nil, "\(invalid)")
    }
  }
}
