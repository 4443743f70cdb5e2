import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

/// `gongjian submit`.
struct Submit: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Create or update records of one kind from a JSON or YAML file (one record or a list).",
    discussion: """
      Each record is the kind's fields (e.g. name, host_park_id, status for transferred_project),
      plus optional id (a UUID) and base_version. Without an id the record is created; with an id
      it is updated from base_version (default: the version in your mirror, 0 if none). The
      writes go to the outbox first, so this works offline ("queued"); `gongjian sync` delivers
      them, or --wait delivers now. Errors name the file, the record and the field.

      Examples:
        gongjian submit transferred_project --tenant sip-suqian --file projects.yaml
        gongjian submit park --tenant sip-suqian --file park.json --wait
      """
  ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")

  @OptionGroup var connection: ConnectionOptions

  @Argument(help: "The kind of the records.")
  var kind: KindArgument

  @Option(help: "The tenant (partnership).")
  var tenant: String

  @Option(help: ArgumentHelp("The JSON or YAML file.", valueName: "file"), completion: .file(extensions: ["yaml", "yml", "json"]))
  var file: String

  @Flag(help: "Deliver now and wait for the server's answer (exit 69 if unreachable; the writes stay queued).")
  var wait = false

  func run() async throws {
    try await self.connection.run {
      let mirror = try self.connection.mirror()
      let records = try RecordFile.load(path: self.file, kind: self.kind.rawValue)
      let mutations = try records.map { record in
        let id = record.id.isEmpty ? RecordID.make() : record.id
        let base = try record.base ?? (record.id.isEmpty ? 0 : mirror.baseVersion(tenantID: self.tenant, kind: self.kind.rawValue, id: id))
        return (MutationDocument.mutation(kind: self.kind.rawValue, id: id, baseVersion: base, payload: record.payload), record.place)
      }
      let status = try await Outbox.submit(mutations, tenantID: self.tenant, connection: self.connection, wait: self.wait)
      if status != .success { throw status.exitCode }
    }
  }
}

/// Record kinds as an argument: every registered kind (``RecordKind/all``); help lists them and
/// completion offers them.
struct KindArgument: ExpressibleByArgument, Sendable {
  let kind: RecordKind

  init?(argument: String) {
    guard let kind = RecordKind.named(argument) else { return nil }
    self.kind = kind
  }

  /// The kind's wire name.
  var rawValue: String { self.kind.name }

  var defaultValueDescription: String { self.kind.name }

  static var allValueStrings: [String] { RecordKind.all.map(\.name) }

  static var defaultCompletionKind: CompletionKind { .list(Self.allValueStrings) }
}

/// Reads typed records (the kind's fields, plus id and base_version) from JSON or YAML.
enum RecordFile {
  static func load(path: String, kind: String) throws -> [(id: String, base: UInt64?, payload: Data, place: String)] {
    let items = try DocumentFile.items(path: path)
    return try items.enumerated().map { index, item in
      let place = "\(path): record \(index + 1)"
      guard var object = item as? [String: Any] else {
        throw GongjianClientError(.usage, "\(place): expected an object with the fields of \(kind)")
      }
      let id = object.removeValue(forKey: "id")
      if let id, !(id is String) || UUID(uuidString: id as! String) == nil {
        throw GongjianClientError(.usage, "\(place): field id: expected a UUID (got \(id))")
      }
      var base: UInt64?
      if let value = object.removeValue(forKey: "base_version") {
        guard let number = MutationDocument.nonNegativeInteger(value) else {
          throw GongjianClientError(.usage, "\(place): field base_version: expected a non-negative integer (got \(value))")
        }
        base = number
      }
      let payload = try PayloadDocument.serialized(object, kind: kind, place: place, extraKeys: ["id", "base_version"])
      return (((id as? String) ?? "").lowercased(), base, payload, place)
    }
  }
}

/// JSON or YAML documents holding one object or a list.
enum DocumentFile {
  static func items(path: String) throws -> [Any] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw GongjianClientError(.usage, "\(path): cannot read the file")
    }
    return try DocumentReader.items(data, format: .init(path: path), source: path)
  }

  /// The file's single object, for commands that take one (a proposal, a decision); exits with
  /// the usage code and a message naming the file otherwise.
  static func object(path: String, expecting what: String) throws -> [String: Any] {
    do {
      let items = try Self.items(path: path)
      guard items.count == 1, let object = items.first as? [String: Any] else {
        throw GongjianClientError(.usage, "\(path): expected one object with \(what)")
      }
      return object
    } catch let error as GongjianClientError {
      throw error.exit()
    }
  }
}

/// JSON of typed records for the CLI.
enum TypedRecordFormatting {
  static var options: JSONEncodingOptions {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    return options
  }

  static func json(_ record: Gongjian_V1_TypedRecord) throws -> String {
    try record.jsonString(options: Self.options)
  }

  /// Column names of ``summary(_:)`` for a kind.
  static func header(_ kind: String) -> [String] {
    RecordKind.named(kind)?.columns ?? []
  }

  static func summary(_ payload: Gongjian_V1_RecordPayload) -> [String] {
    RecordKind.of(payload).map { $0.kind.summary(of: $0.message) } ?? []
  }
}
