import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Decide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record a decision on an accepted item, with action items, from a file: {text, decided_on, actions: [{title, owner_unit, due_on}]}.",
      discussion: "Example: gongjian council decide 3f2a… --file decision.yaml --tenant city"
    ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")
    @OptionGroup var options: Options
    @Argument(help: "The item id.") var item: String
    @Option(help: ArgumentHelp("The JSON or YAML file.", valueName: "file"), completion: .file(extensions: ["yaml", "yml", "json"])) var file: String
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func run() async throws {
      var object = try DocumentFile.object(path: self.file, expecting: "text and actions")
      try await self.options.connection.run {
        let allowed = ["text", "decided_on", "actions"]
        for key in object.keys.sorted() where !allowed.contains(key) {
          let hint = PayloadDocument.nearest(key, in: allowed).map { "; did you mean \($0)?" } ?? ""
          throw GongjianClientError(.usage, "\(self.file): key \(key): not a decision key\(hint) (keys: \(allowed.joined(separator: ", ")))")
        }
        object["tenant_id"] = self.options.tenant
        object["item_id"] = self.item
        let request = try PayloadDocument.decode(object, as: Gongjian_V1_DecideRequest.self, name: "decision", place: self.file)
        let writes = try await CouncilCommand.writes(self.options) { try $0.decide(request) }
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
      }
    }
  }
}
