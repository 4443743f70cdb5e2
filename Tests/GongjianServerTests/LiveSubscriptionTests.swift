@testable import GongjianServer
import Foundation
import GongjianProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@Suite("Live subscribers written to by the change hub")
struct LiveSubscriptionTests {
  /// A stream that records what it is given, and takes it only while `accepting`.
  final class RecordingStream: LiveStream {
    let eventLoop: any EventLoop
    let accepting = NIOLockedValueBox(true)
    let written = NIOLockedValueBox<[Gongjian_V1_SubscribeResponse]>([])
    let flushes = NIOLockedValueBox(0)

    init(eventLoop: any EventLoop) {
      self.eventLoop = eventLoop
    }

    func frame(_ message: [UInt8]) -> ByteBuffer {
      ByteBuffer(bytes: message)
    }

    func write(framed: ByteBuffer) -> Bool {
      guard self.accepting.withLockedValue({ $0 }) else { return false }
      let message = try! Gongjian_V1_SubscribeResponse(serializedBytes: Array(framed.readableBytesView))
      self.written.withLockedValue { $0.append(message) }
      return true
    }

    func flush() {
      self.flushes.withLockedValue { $0 += 1 }
    }

    /// The sequences of the changes written, message by message.
    var sequences: [[UInt64]] {
      self.written.withLockedValue { $0.map { $0.changes.records.map(\.sequence) } }
    }
  }

  static func records(_ sequences: ClosedRange<UInt64>) -> [StoredRecord] {
    sequences.map {
      StoredRecord(
        tenantID: "city", kind: "park", id: "5a1e0000-0000-4000-8000-\(String(format: "%012d", $0))", version: 1, sequence: $0,
        deleted: false, payload: Data([0x0A, 0x02, 0x41, 0x42]), officeID: "suzhou.drc", updatedAt: Date(timeIntervalSince1970: 1_800_000_000)
      )
    }
  }

  /// A hub with one subscriber on `city` whose stream is `stream`.
  static func subscribed(_ stream: RecordingStream) throws -> (ChangeHub, id: Int, LiveSubscription) {
    let hub = ChangeHub(recentLimit: 100, maxSubscribersPerTenant: 10)
    let (id, _, live) = try hub.subscribe(tenantID: "city", live: { id in
      LiveSubscription(stream: stream) { hub.fellBehind(tenantID: "city", id: id) }
    }).get()
    return (hub, id, try #require(live))
  }

  @Test("Once caught up, a subscriber's changes are written by the hub, one message per commit, in order")
  func liveDelivery() throws {
    let loop = EmbeddedEventLoop()
    let stream = RecordingStream(eventLoop: loop)
    let (hub, id, _) = try Self.subscribed(stream)
    hub.publish(tenantID: "city", records: Self.records(1...2), head: 2)
    #expect(!hub.goLive(tenantID: "city", id: id, cursor: 1), "2 was published after the cursor: catch up first")
    #expect(hub.goLive(tenantID: "city", id: id, cursor: 2))
    #expect(!hub.goLive(tenantID: "city", id: id, cursor: 2), "already live")
    hub.publish(tenantID: "city", records: Self.records(3...4), head: 4)
    hub.publish(tenantID: "city", records: [], head: 4)
    hub.publish(tenantID: "city", records: Self.records(5...5), head: 5)
    #expect(stream.sequences.isEmpty, "written on the event loop, in its turn")
    loop.run()
    #expect(stream.sequences == [[3, 4], [5]])
    #expect(stream.written.withLockedValue { $0.map(\.changes.cursor) } == [4, 5])
    #expect(stream.flushes.withLockedValue { $0 } == 2)
    #expect(hub.isLive(tenantID: "city", id: id), "a push that changed nothing keeps the subscriber live")
  }

  @Test("A stream that cannot take a change falls behind: the hub stops, the task resumes after the last change written")
  func fallsBehind() throws {
    let loop = EmbeddedEventLoop()
    let stream = RecordingStream(eventLoop: loop)
    let (hub, id, live) = try Self.subscribed(stream)
    #expect(hub.goLive(tenantID: "city", id: id, cursor: 0))
    hub.publish(tenantID: "city", records: Self.records(1...1), head: 1)
    loop.run()
    stream.accepting.withLockedValue { $0 = false }
    hub.publish(tenantID: "city", records: Self.records(2...2), head: 2)
    hub.publish(tenantID: "city", records: Self.records(3...3), head: 3)
    #expect(hub.isLive(tenantID: "city", id: id), "until the loop finds the stream full")
    loop.run()
    #expect(!hub.isLive(tenantID: "city", id: id))
    stream.accepting.withLockedValue { $0 = true }
    // Queued deliveries after the first one dropped are dropped too: the task sends them.
    hub.publish(tenantID: "city", records: Self.records(4...4), head: 4)
    loop.run()
    #expect(stream.sequences == [[1]])
    #expect(live.stop() == 1, "the task catches up from the last change written")
    #expect(hub.goLive(tenantID: "city", id: id, cursor: 4))
    hub.publish(tenantID: "city", records: Self.records(5...5), head: 5)
    loop.run()
    #expect(stream.sequences == [[1], [5]])
  }

  @Test("Changes the hub cannot hand over end live delivery: a gap, another node's commit")
  func leavesLive() throws {
    let loop = EmbeddedEventLoop()
    let stream = RecordingStream(eventLoop: loop)
    let (hub, id, live) = try Self.subscribed(stream)
    #expect(hub.goLive(tenantID: "city", id: id, cursor: 0))
    loop.run()
    hub.publish(tenantID: "city", records: Self.records(2...2), head: 2)
    #expect(!hub.isLive(tenantID: "city", id: id), "1 is missing: the task reads it from the store")
    loop.run()
    #expect(stream.sequences.isEmpty)
    #expect(live.stop() == 0)

    #expect(hub.goLive(tenantID: "city", id: id, cursor: 2))
    loop.run()
    hub.advance(tenantID: "city", head: 3)
    #expect(!hub.isLive(tenantID: "city", id: id), "another node's commit is read from the store")
    #expect(live.stop() == 2)
  }

  @Test("A live heartbeat names the last change written and goes after it")
  func heartbeat() throws {
    let loop = EmbeddedEventLoop()
    let stream = RecordingStream(eventLoop: loop)
    let (hub, id, live) = try Self.subscribed(stream)
    #expect(hub.goLive(tenantID: "city", id: id, cursor: 0))
    hub.publish(tenantID: "city", records: Self.records(1...3), head: 3)
    loop.execute {
      live.heartbeat { head in try! Gongjian_V1_SubscribeResponse.with { $0.heartbeat.headSequence = head }.serializedBytes() }
    }
    loop.run()
    let written = stream.written.withLockedValue { $0 }
    #expect(written.count == 2)
    #expect(written.last?.heartbeat.headSequence == 3)
  }
}
