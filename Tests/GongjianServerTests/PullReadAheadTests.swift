import Foundation
import GongjianProtocol
@testable import GongjianServer
import Testing

@Suite("Pull pages read ahead")
struct PullReadAheadTests {
  static func page(_ n: UInt64) -> PullReadAhead.Page {
    let checkpoint = TenantCheckpoint(headSequence: n, checksum: 0, liveRecords: n, compactionHorizon: 0)
    return PullReadAhead.Page(frame: .page([], nextCursor: n, more: false, checkpoint: checkpoint), checkpoint: checkpoint, next: nil)
  }

  static func key(_ cursor: UInt64) -> PullReadAhead.Key {
    PullReadAhead.Key(tenantID: "sip-suqian", cursor: cursor, limit: 1)
  }

  @Test("The next page is served while the feed stands still, and read again after a commit")
  func servedUntilACommit() async throws {
    try await Harness.with { h in
      for n in 0..<3 {
        _ = try await h.sync.push(pushRequest("sip-suqian", [putPark(newID(), base: 0, name: "p\(n)")]), metadata: office("suqian.commerce"))
      }
      let readAhead = h.services.engine.readAhead
      func pull(_ cursor: UInt64) async throws -> Gongjian_V1_PullResponse {
        try await h.sync.pull(.with { $0.tenantID = "sip-suqian"; $0.cursor = cursor; $0.pageSize = 1 }, metadata: office("suqian.commerce"))
      }
      let first = try await pull(0)
      #expect(first.records.map(\.sequence) == [1] && first.more)
      #expect(readAhead.counts.held == 1)

      let second = try await pull(1)
      #expect(readAhead.counts.taken == 1)
      #expect(second.records.map(\.sequence) == [2] && second.more)
      #expect(second.checkpoint.headSequence == 3)

      // The page after 2 was read before this commit: it must not be what the next pull gets.
      let pushed = try await h.sync.push(pushRequest("sip-suqian", [putPark(newID(), base: 0, name: "late")]), metadata: office("suqian.commerce"))
      let third = try await pull(2)
      #expect(readAhead.counts.taken == 2)
      #expect(third.records.map(\.sequence) == [3])
      #expect(third.checkpoint.headSequence == pushed.writeCheckpoint)
      #expect(third.more, "the late change follows")

      let last = try await pull(3)
      #expect(last.records.map(\.sequence) == [4] && !last.more)
      #expect(readAhead.counts.held == 0, "nothing is read after the last page")
    }
  }

  @Test("Pages read ahead are the pages a fresh read gives")
  func sameAsFreshReads() async throws {
    try await Harness.with { h in
      _ = try await h.sync.push(
        pushRequest("sip-suqian", (0..<25).map { putPark(newID(), base: 0, name: "园区 \($0)") }), metadata: office("suqian.commerce")
      )
      var pages: [Gongjian_V1_PullResponse] = []
      var cursor: UInt64 = 0
      repeat {
        pages.append(try await h.sync.pull(.with { $0.tenantID = "sip-suqian"; $0.cursor = cursor; $0.pageSize = 4 }, metadata: office("suqian.commerce")))
        cursor = pages.last!.nextCursor
      } while pages.last!.more
      #expect(pages.count == 7)
      #expect(h.services.engine.readAhead.counts.taken == 6)
      // Backwards, no page is the one read ahead: every one is read afresh.
      for page in pages.reversed() {
        let cursor = page.records.first!.sequence - 1
        let fresh = try await h.sync.pull(.with { $0.tenantID = "sip-suqian"; $0.cursor = cursor; $0.pageSize = 4 }, metadata: office("suqian.commerce"))
        #expect(fresh == page)
      }
      #expect(h.services.engine.readAhead.counts.taken == 6)
    }
  }

  @Test("Read-ahead off (0 pages) reads nothing ahead")
  func off() async throws {
    try await Harness.with(configure: { $0.sync.pullReadAheadPages = 0 }) { h in
      _ = try await h.sync.push(pushRequest("sip-suqian", (0..<3).map { putPark(newID(), base: 0, name: "p\($0)") }), metadata: office("suqian.commerce"))
      let page = try await h.sync.pull(.with { $0.tenantID = "sip-suqian"; $0.pageSize = 1 }, metadata: office("suqian.commerce"))
      #expect(page.more)
      #expect(h.services.engine.readAhead.counts == (0, 0))
    }
  }

  @Test("A reader of another tenant takes nothing read for this one")
  func keyedByTenant() async throws {
    let readAhead = PullReadAhead(capacity: 4)
    readAhead.start(Self.key(5)) { Self.page(5) }
    #expect(readAhead.take(PullReadAhead.Key(tenantID: "changshu-sihong", cursor: 5, limit: 1)) == nil)
    #expect(readAhead.take(PullReadAhead.Key(tenantID: "sip-suqian", cursor: 5, limit: 2)) == nil)
    let taken = try #require(readAhead.take(Self.key(5)))
    #expect(await taken.value?.checkpoint.headSequence == 5)
    #expect(readAhead.take(Self.key(5)) == nil, "a page is taken once")
  }

  @Test("At most `capacity` pages are held; none is dropped for a newer one")
  func capacity() async throws {
    let readAhead = PullReadAhead(capacity: 2)
    for cursor: UInt64 in 1...3 { readAhead.start(Self.key(cursor)) { Self.page(cursor) } }
    #expect(readAhead.counts.held == 2)
    #expect(readAhead.take(Self.key(3)) == nil)
    #expect(await readAhead.take(Self.key(1))?.value?.checkpoint.headSequence == 1)
    readAhead.start(Self.key(3)) { Self.page(3) }
    #expect(await readAhead.take(Self.key(3))?.value?.checkpoint.headSequence == 3)
  }

  @Test("A page left untaken expires; a failed read is no page; close drops all and starts none")
  func lifetimeFailureAndClose() async throws {
    let readAhead = PullReadAhead(capacity: 4, lifetime: .milliseconds(50))
    readAhead.start(Self.key(1)) { Self.page(1) }
    try await Task.sleep(for: .milliseconds(120))
    #expect(readAhead.take(Self.key(1)) == nil)
    #expect(readAhead.counts.held == 0)

    readAhead.start(Self.key(2)) { throw GongjianError(.unavailable, "the store is closed") }
    let failed = try #require(readAhead.take(Self.key(2)))
    #expect(await failed.value == nil)

    readAhead.start(Self.key(3)) { Self.page(3) }
    readAhead.close()
    #expect(readAhead.counts.held == 0)
    readAhead.start(Self.key(4)) { Self.page(4) }
    #expect(readAhead.counts.held == 0)
  }
}
