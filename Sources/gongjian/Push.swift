import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

/// `gongjian push`.
struct Push: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Queue mutations from a JSON or YAML file (delivered by `gongjian sync`, or now with --wait).",
    discussion: """
      The file holds one mutation or a list. Each: kind, id (a UUID; generated when absent),
      base_version (0 to create), and payload (the kind's fields) or delete: true.
      mutation_id is optional: by default it is derived from the mutation's content, so pushing
      the same file twice changes nothing the second time.

      Examples:
        gongjian push --tenant sip-suqian --file changes.yaml
        gongjian push --tenant sip-suqian --file changes.yaml --wait
      """
  ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")

  @OptionGroup var connection: ConnectionOptions

  @Option(help: "The tenant (partnership).")
  var tenant: String

  @Option(help: ArgumentHelp("The JSON or YAML file.", valueName: "file"), completion: .file(extensions: ["yaml", "yml", "json"]))
  var file: String

  @Flag(help: "Deliver now and wait for the server's answer (exit 69 if unreachable; the writes stay queued).")
  var wait = false

  func run() async throws {
    try await self.connection.run {
      let mutations = try DocumentFile.items(path: self.file).enumerated().map { index, item in
        let place = "\(self.file): mutation \(index + 1)"
        return (try MutationDocument.mutation(item, at: place), place)
      }
      let status = try await Outbox.submit(mutations, tenantID: self.tenant, connection: self.connection, wait: self.wait)
      if status != .success { throw status.exitCode }
    }
  }
}
