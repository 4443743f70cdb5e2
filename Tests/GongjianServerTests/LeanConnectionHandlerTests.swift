@testable import GongjianServer
import Foundation
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
    return EmbeddedChannel(handler: LeanStreamHandler(methods: methods, peers: .init(remote: "ipv4:127.0.0.1:1", local: "ipv4:127.0.0.1:2"), identity: nil))
  }

  static func headers(
    path: String, contentType: String = "application/grpc", _ extra: [(String, String)] = [], endStream: Bool = false
  ) -> HTTP2Frame.FramePayload {
    var headers: HPACKHeaders = [":method": "POST", ":path": path, ":scheme": "https", "content-type": contentType]
    for (name, value) in extra { headers.add(name: name, value: value) }
    return .headers(.init(headers: headers, endStream: endStream))
  }

  @Test("A request it cannot serve is answered as grpc-swift's transport and GRPCCore's router answer it")
  func refusals() throws {
    func headers(_ fields: [(String, String)]) -> HTTP2Frame.FramePayload {
      .headers(.init(headers: HPACKHeaders(fields)))
    }
    let whoAmI = [(":method", "POST"), (":path", "/gongjian.v1.Identity/WhoAmI"), (":scheme", "https"), ("content-type", "application/grpc")]
    func replacing(_ name: String, with value: String?) -> [(String, String)] {
      whoAmI.filter { $0.0 != name } + (value.map { [(name, $0)] } ?? [])
    }
    let cases: [(HTTP2Frame.FramePayload, status: String, code: String?, message: String?)] = [
      (headers(replacing(":path", with: "/gongjian.v1.Nothing/Here")), "200", "12", "Requested RPC isn't implemented by this server."),
      (
        headers(whoAmI + [("grpc-encoding", "gzip")]), "200", "12",
        "gzip compression is not supported; supported algorithms are listed in grpc-accept-encoding"
      ),
      (headers(whoAmI + [("grpc-encoding", "identity"), ("grpc-encoding", "gzip")]), "200", "13", "grpc-encoding must contain no more than one value."),
      (headers(replacing("content-type", with: "application/json")), "415", nil, nil),
      (headers(replacing("content-type", with: nil)), "415", nil, nil),
      (headers(replacing(":method", with: "GET")), "200", "3", ":method header is expected to be present and have a value of \"POST\"."),
      (headers(replacing(":scheme", with: "ftp")), "200", "3", ":scheme header must be present and one of \"http\" or \"https\"."),
      (headers(replacing(":path", with: nil)), "200", "3", "No :path header has been set."),
    ]
    for (request, status, code, message) in cases {
      let channel = try Self.channel()
      try channel.writeInbound(request)
      guard case .headers(let answer) = try #require(try channel.readOutbound(as: HTTP2Frame.FramePayload.self)) else {
        Issue.record("no answer to \(request)")
        continue
      }
      #expect(answer.endStream)
      #expect(answer.headers.first(name: ":status") == status)
      #expect(answer.headers.first(name: "grpc-status") == code)
      #expect(answer.headers.first(name: "grpc-message").map { $0.removingPercentEncoding ?? $0 } == message)
      if code == "12" && message?.hasPrefix("gzip") == true {
        #expect(answer.headers.first(name: "grpc-accept-encoding") == "identity")
      }
      // The rest of the request is read and dropped.
      try channel.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(bytes: [0, 0, 0, 0, 0])), endStream: true)))
      #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
      #expect(try channel.readInbound(as: HTTP2Frame.FramePayload.self) == nil)
      _ = try? channel.finish()
    }
  }

  @Test("A streamed request's messages are taken off one by one as they complete")
  func streamedMessages() {
    var buffer = ByteBuffer(bytes: [0, 0, 0, 0, 2, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    #expect(LeanStreamHandler.nextMessage(&buffer) == [8, 1])
    #expect(LeanStreamHandler.nextMessage(&buffer) == [])
    #expect(LeanStreamHandler.nextMessage(&buffer) == nil, "a prefix cut short waits for more")
    buffer.writeBytes([0, 1, 7])
    #expect(LeanStreamHandler.nextMessage(&buffer) == [7])
    #expect(buffer.readableBytes == 0)
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

  @Test("Every method the server registers is on the lean path: Gongjian's own, health and reflection")
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
      #expect(router.methods.filter { $0.service.fullyQualifiedService.hasPrefix("gongjian.v1.") }.count == 39)
      #expect(router.methods.count == 43, "with health's Check and Watch and the two reflection versions")
      #expect(lean.paths == router.methods.map { "/" + $0.fullyQualifiedMethod }.sorted())
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
