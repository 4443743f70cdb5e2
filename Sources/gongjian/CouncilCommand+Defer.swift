import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Defer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Defer an item to the council's next meeting (secretariat).", discussion: "Example: gongjian council defer 3f2a… --note \"材料未齐\""
    ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")
    @OptionGroup var move: MoveOptions
    func run() async throws { try await self.move.run(.deferral) }
  }
}
