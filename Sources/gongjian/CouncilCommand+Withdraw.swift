import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Withdraw: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Withdraw your own proposal.", discussion: "Example: gongjian council withdraw 3f2a…"
    ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")
    @OptionGroup var move: MoveOptions
    func run() async throws { try await self.move.run(.withdraw) }
  }
}
