import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Accept: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Accept a proposed item (secretariat).", discussion: "Example: gongjian council accept 3f2a… --tenant city --wait"
    ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")
    @OptionGroup var move: MoveOptions
    func run() async throws { try await self.move.run(.accept) }
  }
}
