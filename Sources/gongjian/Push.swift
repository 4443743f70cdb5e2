import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

/// `gongjian push`.
struct Push: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Push mutations from a JSON or YAML file.",
    discussion: """
      The file holds one mutation or a list. Each: kind, id (a UUID; generated and printed when
      absent), base_version (0 to create), and payload (the kind's fields) or delete: true.
      mutation_id is optional: by default it is derived from the mutation's content, so pushing
      the same file twice changes nothing the second time.
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @Option(help: "The tenant (partnership).")
  var tenant: String

  @Option(help: "The JSON or YAML file.")
  var file: String

  @Option(help: "This installation's client id (default: kept in the credential folder's client-id file).")
  var clientID: String?

  func run() async throws {
    let mutations: [Gongjian_V1_Mutation]
    do {
      mutations = try MutationFile.load(path: self.file)
    } catch let error as GongjianClientError {
      printError("gongjian: \(error.message)")
      throw ExitCode(error.kind.exitCode)
    }
    let clientID = try self.clientID ?? ClientIdentity.load(folder: try self.connection.credentialFolder())
    var exit: Int32 = 0
    try await self.connection.withClient { client in
      let response = try await client.push(tenantID: self.tenant, clientID: clientID, mutations: mutations)
      var rows: [[String]] = []
      for (mutation, result) in zip(mutations, response.results) {
        var outcome: String
        switch result.outcome {
        case .applied(let applied):
          outcome = "applied v\(applied.version) @\(applied.sequence)"
        case .conflict(let conflict):
          outcome = "conflict: \(conflict.message)"
          exit = max(exit, 67)
        case .rejected(let rejected):
          outcome = "rejected: \(rejected.message)"
          exit = max(exit, 65)
        case nil:
          outcome = "no answer"
        }
        if result.replayed { outcome += " (replayed)" }
        if self.connection.json {
          var options = JSONEncodingOptions()
          options.preserveProtoFieldNames = true
          printLine(try result.jsonString(options: options))
        } else {
          rows.append([mutation.kind, mutation.recordID, mutation.mutationID.prefix(12) + "…", outcome])
        }
      }
      if !self.connection.json {
        printTable(["KIND", "ID", "MUTATION", "RESULT"], rows)
        printLine("")
        printLine("visible at sequence \(response.writeCheckpoint)")
      }
    }
    if exit != 0 { throw ExitCode(exit) }
  }
}

/// A client id per credential folder, created on first use.
enum ClientIdentity {
  static func load(folder: String) throws -> String {
    let path = URL(fileURLWithPath: folder).appendingPathComponent("client-id").path
    if let text = try? String(contentsOfFile: path, encoding: .utf8) {
      let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
      if !id.isEmpty { return id }
    }
    let id = UUID().uuidString.lowercased()
    try Data((id + "\n").utf8).write(to: URL(fileURLWithPath: path))
    return id
  }
}

/// Reads mutations from JSON or YAML.
enum MutationFile {
  static func load(path: String) throws -> [Gongjian_V1_Mutation] {
    try DocumentFile.items(path: path).enumerated().map { index, item in
      try MutationDocument.mutation(item, at: "\(path): mutation \(index + 1)")
    }
  }
}
