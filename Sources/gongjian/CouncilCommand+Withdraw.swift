import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Withdraw: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Withdraw your own proposal.", discussion: "Example: gongjian council withdraw 3f2a…"
    )
    @OptionGroup var move: MoveOptions
    func run() async throws { try await self.move.run(.withdraw) }
  }
}
