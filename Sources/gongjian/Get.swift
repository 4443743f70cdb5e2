import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

/// `gongjian get`.
struct Get: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show one record, field by field (from the mirror when the server is unreachable).",
    discussion: """
      Examples:
        gongjian get park 5a1e0000-0000-4000-8000-000000000001 --tenant sip-suqian
        gongjian get park 5a1e0000-0000-4000-8000-000000000001 --tenant sip-suqian --json
      """
  ).exits(.usage, .rejected, .local, .auth, note: "when the server is unreachable the mirror answers")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var read: ReadOptions

  @Argument(help: "The kind of the record.") var kind: KindArgument
  @Argument(help: "The record id.") var id: String
  @Option(help: "The tenant (partnership).") var tenant: String

  func run() async throws {
    try await self.connection.run {
      let online = try await self.connection.tryOnline(self.read) { client in
        let record = try await client.get(.with {
          $0.tenantID = self.tenant
          $0.kind = self.kind.rawValue
          $0.id = self.id
        })
        if self.connection.json {
          printLine(try TypedRecordFormatting.json(record))
        } else {
          printLine("\(self.kind.rawValue) \(record.id)  v\(record.version)  by \(record.officeID)")
          try MirrorFormatting.printFields(try record.payload.jsonUTF8Data(options: TypedRecordFormatting.options))
        }
      }
      if online { return }
      let mirror = try self.connection.mirror()
      guard let record = try mirror.record(tenantID: self.tenant, kind: self.kind.rawValue, id: self.id) else {
        throw GongjianClientError(.rejected, "not found: no \(self.kind.rawValue) \(self.id) in the mirror of \(self.tenant)")
      }
      if self.connection.json {
        printLine(try MirrorFormatting.json(record))
      } else {
        printLine("\(record.kind) \(record.id)  v\(record.version)\(record.state == .synced ? "" : " (\(record.state.rawValue))")  by \(record.officeID)")
        try MirrorFormatting.printFields(Data(try RecordText.json(kind: record.kind, payload: record.payload).utf8))
      }
      printError(try MirrorFormatting.age(mirror, tenantID: self.tenant))
    }
  }
}
