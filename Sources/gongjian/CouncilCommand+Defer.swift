import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Defer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Defer an item to the council's next meeting (secretariat).", discussion: "Example: gongjian council defer 3f2a… --note \"材料未齐\""
    )
    @OptionGroup var move: MoveOptions
    func run() async throws { try await self.move.run(.deferral) }
  }
}
