@testable import GongjianServer
import Foundation
import GRDB
import GRPCCore
import GRPCInProcessTransport
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@Suite("The lean path's connection handler and streams")
struct LeanConnectionHandlerTests {
  /// Refuses every call: these tests never get as far as running a method.
  struct Refusing: CallerResolver {
    func resolve(metadata: Metadata, context: ServerContext) async throws -> Caller {
      throw GongjianError(.unauthenticated, "test")
    }
  }

  /// Admits every call as one office.
  struct Admitting: CallerResolver {
    func resolve(metadata: Metadata, context: ServerContext) async throws -> Caller {
      Caller(office: .with { $0.id = "suqian.drc" }, certificateSerial: "01")
    }
  }

  static let whoAmI = MethodDescriptor(fullyQualifiedService: "gongjian.v1.Identity", method: "WhoAmI")
  static let stream = HTTP2StreamID(1)

  /// A connection handler serving `methods` on `eventLoop`.
  static func handler(
    _ methods: [LeanMethod], resolver: any CallerResolver, eventLoop: any EventLoop
  ) -> LeanConnectionHandler {
    let management = ConnectionManagementHandler(
      eventLoop: eventLoop, maxIdleTime: nil, maxAge: nil, maxGraceTime: nil, keepaliveTime: nil, keepaliveTimeout: nil,
      allowKeepaliveWithoutCalls: false, minPingIntervalWithoutCalls: .minutes(5)
    )
    return LeanConnectionHandler(
      configuration: .init(
        methods: LeanMethods(methods: methods, admission: CallAdmission(resolver: resolver, logger: Logger(label: "test"), quotas: nil)),
        peers: .init(remote: "ipv4:127.0.0.1:1", local: "ipv4:127.0.0.1:2"),
        limit: { _ in 1024 },
        targetWindowSize: 65_535
      ),
      authenticator: nil,
      management: management.syncView,
      eventLoop: eventLoop
    )
  }

  static let refusedWhoAmI = [LeanMethod(descriptor: whoAmI) { _, _, _, _ in [] }]

  /// A connection handler in an embedded channel (the connection's pipeline without TLS or
  /// HTTP/2) serving `methods`.
  static func channel(
    _ methods: [LeanMethod] = refusedWhoAmI, resolver: any CallerResolver = Refusing()
  ) throws -> (EmbeddedChannel, LeanConnectionHandler) {
    let channel = EmbeddedChannel()
    let handler = Self.handler(methods, resolver: resolver, eventLoop: channel.eventLoop)
    try channel.pipeline.syncOperations.addHandler(handler)
    return (channel, handler)
  }

  /// The same in an asynchronous testing channel, for calls that run methods in tasks.
  static func asyncChannel(
    _ methods: [LeanMethod], resolver: any CallerResolver
  ) async throws -> (NIOAsyncTestingChannel, NIOLoopBound<LeanConnectionHandler>) {
    let bound = NIOLockedValueBox<NIOLoopBound<LeanConnectionHandler>?>(nil)
    let channel = try await NIOAsyncTestingChannel { channel in
      let handler = Self.handler(methods, resolver: resolver, eventLoop: channel.eventLoop)
      try channel.pipeline.syncOperations.addHandler(handler)
      bound.withLockedValue { $0 = NIOLoopBound(handler, eventLoop: channel.eventLoop) }
    }
    return (channel, bound.withLockedValue { $0! })
  }

  /// Waits up to two seconds for `condition`.
  /// Waits until `condition` holds, recording an issue if it does not within two seconds.
  static func eventually(_ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    for _ in 0..<400 where !condition() {
      try await Task.sleep(for: .milliseconds(5))
    }
    #expect(condition(), "the condition did not hold within 2 s", sourceLocation: sourceLocation)
  }

  static func headers(
    path: String, contentType: String = "application/grpc", _ extra: [(String, String)] = [], endStream: Bool = false
  ) -> HTTP2Frame {
    var headers: HPACKHeaders = [":method": "POST", ":path": path, ":scheme": "https", "content-type": contentType]
    for (name, value) in extra { headers.add(name: name, value: value) }
    return HTTP2Frame(streamID: Self.stream, payload: .headers(.init(headers: headers, endStream: endStream)))
  }

  static func data(_ bytes: [UInt8], endStream: Bool = false) -> HTTP2Frame {
    HTTP2Frame(streamID: Self.stream, payload: .data(.init(data: .byteBuffer(ByteBuffer(bytes: bytes)), endStream: endStream)))
  }

  /// The next frame the handler wrote, which must be on the test's stream.
  static func written(_ channel: EmbeddedChannel) throws -> HTTP2Frame.FramePayload? {
    guard let frame = try channel.readOutbound(as: HTTP2Frame.self) else { return nil }
    #expect(frame.streamID == Self.stream)
    return frame.payload
  }

  @Test("A request it cannot serve is answered as grpc-swift's transport and GRPCCore's router answer it")
  func refusals() throws {
    func headers(_ fields: [(String, String)]) -> HTTP2Frame {
      HTTP2Frame(streamID: Self.stream, payload: .headers(.init(headers: HPACKHeaders(fields))))
    }
    let whoAmI = [(":method", "POST"), (":path", "/gongjian.v1.Identity/WhoAmI"), (":scheme", "https"), ("content-type", "application/grpc")]
    func replacing(_ name: String, with value: String?) -> [(String, String)] {
      whoAmI.filter { $0.0 != name } + (value.map { [(name, $0)] } ?? [])
    }
    let cases: [(HTTP2Frame, status: String, code: String?, message: String?)] = [
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
      let (channel, _) = try Self.channel()
      try channel.writeInbound(request)
      guard case .headers(let answer) = try #require(try Self.written(channel)) else {
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
      try channel.writeInbound(Self.data([0, 0, 0, 0, 0], endStream: true))
      #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil)
      #expect(try channel.readInbound(as: HTTP2Frame.self) == nil)
      _ = try? channel.finish()
    }
  }

  @Test("A streamed request's messages are taken off one by one as they complete")
  func streamedMessages() {
    var buffer = ByteBuffer(bytes: [0, 0, 0, 0, 2, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    #expect(LeanStream.nextMessage(&buffer) == [8, 1])
    #expect(LeanStream.nextMessage(&buffer) == [])
    #expect(LeanStream.nextMessage(&buffer) == nil, "a prefix cut short waits for more")
    buffer.writeBytes([0, 1, 7])
    #expect(LeanStream.nextMessage(&buffer) == [7])
    #expect(buffer.readableBytes == 0)
  }

  @Test("A request without a message is answered with trailers only, as GRPCCore words it")
  func noMessage() throws {
    let (channel, _) = try Self.channel()
    defer { _ = try? channel.finish() }
    try channel.writeInbound(Self.headers(path: "/gongjian.v1.Identity/WhoAmI", endStream: true))
    #expect(try channel.readInbound(as: HTTP2Frame.self) == nil, "a stream's frames stop at the handler")
    guard case .headers(let trailers) = try #require(try Self.written(channel)) else {
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
    func request(_ bytes: [UInt8]) -> Result<[UInt8], RPCError> { LeanStream.singleMessage(ByteBuffer(bytes: bytes)) }
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
      #expect(router.methods.filter { $0.service.fullyQualifiedService.hasPrefix("gongjian.v1.") }.count == 40)
      #expect(router.methods.count == 44, "with health's Check and Watch and the two reflection versions")
      #expect(lean.paths == router.methods.map { "/" + $0.fullyQualifiedMethod }.sorted())
    }
  }

  @Test("A second message of a unary request is refused as it starts, and the stream reset")
  func secondMessage() throws {
    let (channel, handler) = try Self.channel()
    defer { _ = try? channel.finish() }
    try channel.writeInbound(Self.headers(path: "/gongjian.v1.Identity/WhoAmI"))
    try channel.writeInbound(Self.data([0, 0, 0, 0, 1, 8]))
    #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil, "one message: still collecting")
    try channel.writeInbound(Self.data([0]))
    guard case .headers(let trailers) = try #require(try Self.written(channel)) else {
      Issue.record("no trailers")
      return
    }
    #expect(trailers.headers.first(name: "grpc-status") == "13")
    #expect(trailers.headers.first(name: "grpc-message") == "Unary request contained more than one message.")
    guard case .rstStream(let reason) = try #require(try Self.written(channel)) else {
      Issue.record("the stream was not reset")
      return
    }
    #expect(reason == .cancel, "the client had not ended its side")
    #expect(handler.openStreams == 1, "until HTTP/2 says the stream closed")
    channel.pipeline.fireUserInboundEventTriggered(StreamClosedEvent(streamID: Self.stream, reason: .cancel))
    #expect(handler.openStreams == 0)
  }

  @Test("A message larger than the method takes is refused by its prefix, before it arrives whole")
  func oversizeMessage() throws {
    let (channel, _) = try Self.channel()
    defer { _ = try? channel.finish() }
    try channel.writeInbound(Self.headers(path: "/gongjian.v1.Identity/WhoAmI"))
    try channel.writeInbound(Self.data([0, 0, 0, 4, 1, 8]))
    guard case .headers(let trailers) = try #require(try Self.written(channel)) else {
      Issue.record("no trailers")
      return
    }
    #expect(trailers.endStream)
    #expect(trailers.headers.first(name: "grpc-status") == "8")
    #expect(
      trailers.headers.first(name: "grpc-message")?.removingPercentEncoding
        == "request message of 1025 bytes exceeds the limit of 1024 bytes for /gongjian.v1.Identity/WhoAmI"
    )
    guard case .rstStream = try #require(try Self.written(channel)) else {
      Issue.record("the stream was not reset")
      return
    }
  }

  @Test("Only the connection's certificate identifies a call: a header claiming an office authenticates nothing")
  func identityOnlyFromTheConnection() async throws {
    let store = try SQLiteStore(writer: DatabaseQueue())
    try await store.putOffice(.with { $0.id = "sip.admin"; $0.name = "Admin"; $0.side = .suzhou })
    let resolver = CertificateCallerResolver(
      directory: DirectoryCache(store: store, timeToLive: .seconds(1)), revocations: RevocationList()
    )
    let claimed: Metadata = ["gongjian-connection-identity": "sip.admin 01 4000000000", "x-office": "sip.admin"]
    let error = await #expect(throws: GongjianError.self) {
      _ = try await resolver.resolve(
        identity: nil, metadata: claimed,
        context: ServerContext(
          descriptor: .init(fullyQualifiedService: "gongjian.v1.Identity", method: "WhoAmI"), remotePeer: "ipv4:127.0.0.1:1",
          localPeer: "ipv4:127.0.0.1:2", cancellation: .init()
        )
      )
    }
    #expect(error?.code == .unauthenticated)
    let handed = ConnectionIdentity(officeID: "sip.admin", serial: "01", notAfter: Date(timeIntervalSinceNow: 3600))
    let context = ServerContext(
      descriptor: .init(fullyQualifiedService: "gongjian.v1.Identity", method: "WhoAmI"), remotePeer: "ipv4:127.0.0.1:1",
      localPeer: "ipv4:127.0.0.1:2", cancellation: .init()
    )
    let caller = try await resolver.resolve(identity: handed, metadata: claimed, context: context)
    #expect(caller.office.id == "sip.admin")
  }

  @Test("Flow control: a WINDOW_UPDATE once half of a stream's or the connection's window is used")
  func windowUpdates() throws {
    let (channel, _) = try Self.channel()
    defer { _ = try? channel.finish() }
    try channel.writeInbound(Self.headers(path: "/gongjian.v1.Identity/WhoAmI"))
    func event(_ stream: HTTP2StreamID, inbound: Int?) -> NIOHTTP2WindowUpdatedEvent {
      NIOHTTP2WindowUpdatedEvent(streamID: stream, inboundWindowSize: inbound, outboundWindowSize: 65_535)
    }
    channel.pipeline.fireUserInboundEventTriggered(event(Self.stream, inbound: 40_000))
    channel.pipeline.fireUserInboundEventTriggered(event(.rootStream, inbound: 32_768))
    #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil, "more than half is left")
    channel.pipeline.fireUserInboundEventTriggered(event(Self.stream, inbound: 30_000))
    let stream = try #require(try channel.readOutbound(as: HTTP2Frame.self))
    guard case .windowUpdate(let streamIncrement) = stream.payload else {
      Issue.record("not a WINDOW_UPDATE: \(stream)")
      return
    }
    #expect(stream.streamID == Self.stream && streamIncrement == 35_535)
    channel.pipeline.fireUserInboundEventTriggered(event(.rootStream, inbound: 0))
    let connection = try #require(try channel.readOutbound(as: HTTP2Frame.self))
    guard case .windowUpdate(let connectionIncrement) = connection.payload else {
      Issue.record("not a WINDOW_UPDATE: \(connection)")
      return
    }
    #expect(connection.streamID == .rootStream && connectionIncrement == 65_535)
    // A stream whose client has ended its side has no inbound window; an unknown one gets nothing.
    channel.pipeline.fireUserInboundEventTriggered(event(Self.stream, inbound: nil))
    channel.pipeline.fireUserInboundEventTriggered(event(HTTP2StreamID(9), inbound: 0))
    #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil)
    #expect(InboundWindow(target: 65_535).increment(windowSize: -100) == 65_635)
  }

  @Test("A streaming response is writable until 8 KiB wait to be written, again once HTTP/2 wrote enough; the stream's close cancels it")
  func streamingWritability() async throws {
    let started = NIOLockedValueBox(false)
    let cancelled = NIOLockedValueBox(false)
    let method = LeanMethod(descriptor: Self.whoAmI) { _, _, admit, _ in
      try admit(nil)
      started.withLockedValue { $0 = true }
      do {
        try await Task.sleep(for: .seconds(60))
      } catch {
        cancelled.withLockedValue { $0 = true }
      }
      return nil
    }
    let (channel, handler) = try await Self.asyncChannel([method], resolver: Admitting())
    let loop = channel.testingEventLoop
    try await channel.writeInbound(Self.headers(path: "/gongjian.v1.Identity/WhoAmI"))
    try await channel.writeInbound(Self.data([0, 0, 0, 0, 0], endStream: true))
    try await Self.eventually { started.withLockedValue { $0 } }
    #expect(started.withLockedValue { $0 }, "the method runs")
    let stream = try #require(try await loop.executeInContext { handler.value.stream(Self.stream).map { NIOLoopBound($0, eventLoop: loop) } })
    let writability = try await loop.executeInContext { stream.value.writability }
    #expect(writability.isWritable)

    try await loop.executeInContext {
      for _ in 0..<3 { stream.value.send([UInt8](repeating: 7, count: 3_000)) }
    }
    var data: [HTTP2Frame] = []
    while let frame = try await channel.readOutbound(as: HTTP2Frame.self) {
      if case .data = frame.payload { data.append(frame) }
    }
    #expect(data.count == 3)
    #expect(!writability.isWritable, "9,015 bytes handed to HTTP/2 and none written: above 8,196")
    let released = NIOLockedValueBox(false)
    let frames = data
    try await loop.executeInContext {
      stream.value.whenWritable().whenSuccess { released.withLockedValue { $0 = true } }
      handler.value.wroteFrame(frames[0])
    }
    #expect(!released.withLockedValue { $0 } && !writability.isWritable, "6,010 bytes still wait: not below 4,092")
    try await loop.executeInContext { handler.value.wroteFrame(frames[1]) }
    #expect(released.withLockedValue { $0 } && writability.isWritable)

    channel.pipeline.fireUserInboundEventTriggered(StreamClosedEvent(streamID: Self.stream, reason: .cancel))
    try await Self.eventually { cancelled.withLockedValue { $0 } }
    #expect(cancelled.withLockedValue { $0 }, "the method was cancelled")
    #expect(!writability.isWritable)
    await #expect(throws: CancellationError.self) { try await loop.flatSubmit { stream.value.whenWritable() }.get() }
    _ = try await channel.finish(acceptAlreadyClosed: true)
  }

  @Test("SETTINGS and PRIORITY: 200 in 30 s, then GOAWAY ENHANCE_YOUR_CALM; PINGs are the keepalive policy's")
  func controlFrameFlood() throws {
    var limit = FrameRateLimit()
    let start = NIODeadline.now()
    let admitted = (0..<200).filter { limit.admit(at: start + .milliseconds(Int64($0))) }.count
    #expect(admitted == 200)
    let oneTooMany = limit.admit(at: start + .seconds(1))
    #expect(!oneTooMany, "the 201st within 30 s")
    let later = limit.admit(at: start + .seconds(31))
    #expect(later, "the window slid past the first ones")

    let (channel, _) = try Self.channel()
    defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
    for _ in 0..<1_000 {
      try channel.writeInbound(HTTP2Frame(streamID: .rootStream, payload: .ping(HTTP2PingData(withInteger: 1), ack: false)))
    }
    #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil, "pings pass on to the connection management")
    #expect(try channel.readInbound(as: HTTP2Frame.self) != nil)
    for _ in 0..<200 {
      try channel.writeInbound(HTTP2Frame(streamID: .rootStream, payload: .settings(.settings([]))))
    }
    #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil)
    try channel.writeInbound(HTTP2Frame(streamID: 1, payload: .priority(.init(exclusive: false, dependency: .rootStream, weight: 1))))
    let goAway = try #require(try channel.readOutbound(as: HTTP2Frame.self))
    guard case .goAway(_, let code, _) = goAway.payload else {
      Issue.record("not a GOAWAY: \(goAway)")
      return
    }
    #expect(code == .enhanceYourCalm)
    channel.embeddedEventLoop.run()
    #expect(!channel.isActive)
  }
}
