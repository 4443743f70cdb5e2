import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol

/// `gongjian import`.
struct Import: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Queue the records of a spreadsheet: all of them, or none if any cell is bad.",
    discussion: """
      The first row names the columns: field names, or labels with the field name in parentheses
      (e.g. "计划投资（元）(planned_investment_yuan)"). A row with an id updates that record (from
      its version column, else the mirror's version); a row without one creates a record. Rows
      equal to the mirror's record are skipped. Every bad cell is reported by row and column.

      Examples:
        gongjian import transferred_project --tenant sip-suqian --file projects.csv
        gongjian import transferred_project --tenant sip-suqian --file projects.xlsx --wait
      """
  ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The kind of the records.") var kind: KindArgument
  @Option(help: "The tenant (partnership).") var tenant: String
  @Option(help: ArgumentHelp("The .csv (UTF-8) or .xlsx file.", valueName: "file"), completion: .file(extensions: ["csv", "xlsx"])) var file: String
  @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

  func run() async throws {
    try await self.connection.run {
      guard let kind = RecordKind.named(self.kind.rawValue) else { return }
      let lower = self.file.lowercased()
      guard lower.hasSuffix(".csv") || lower.hasSuffix(".xlsx") else {
        throw GongjianClientError(.usage, "\(self.file): import reads .csv (UTF-8) and .xlsx files")
      }
      let mirror = try self.connection.mirror()
      let sheet = Spreadsheet(kind: kind)
      let rows = lower.hasSuffix(".xlsx") ? try XLSXFile.read(self.file) : try CSVFile.read(self.file)
      guard let header = rows.first else { throw GongjianClientError(.usage, "\(self.file): the file is empty") }
      let (names, headerErrors) = sheet.columns(header)
      var errors = headerErrors
      var mutations: [(mutation: Gongjian_V1_Mutation, place: String)] = []
      var unchanged = 0
      let existing = Dictionary(try mirror.records(tenantID: self.tenant, kind: kind.name).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
      for (offset, row) in rows.dropFirst().enumerated() where !row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
        let number = offset + 2
        var object: [String: Any] = [:]
        var id = ""
        var base: UInt64?
        var rowErrors: [Spreadsheet.CellError] = []
        for (index, cell) in row.enumerated() where index < names.count {
          guard let name = names[index] else { continue }
          let value = cell.trimmingCharacters(in: .whitespaces)
          if value.isEmpty { continue }
          func fail(_ message: String) { rowErrors.append(.init(row: number, column: index, name: name, message: message)) }
          switch name {
          case "id":
            if UUID(uuidString: value) == nil { fail("expected a UUID (or leave empty to create)") } else { id = value.lowercased() }
          case "version":
            if let version = UInt64(value) { base = version } else { fail("expected a whole number ≥ 0") }
          default:
            guard let field = sheet.fields.first(where: { $0.name == name }) else { continue }
            switch sheet.value(value, field: field) {
            case .failure(let failure): fail(failure.message)
            case .success(let decoded):
              // Each cell alone must decode, so that the error names its cell.
              do {
                _ = try PayloadDocument.serialized([name: decoded], kind: kind.name, place: "")
                object[name] = decoded
              } catch let error as GongjianClientError {
                fail(error.message.replacingOccurrences(of: ": field \(name): ", with: "").trimmingCharacters(in: CharacterSet(charactersIn: ": ")))
              }
            }
          }
        }
        if row.count > names.count, row[names.count...].contains(where: { !$0.isEmpty }) {
          rowErrors.append(.init(row: number, column: names.count, name: "", message: "a value beyond the last named column"))
        }
        errors += rowErrors
        guard rowErrors.isEmpty else { continue }
        do {
          let payload = try PayloadDocument.serialized(object, kind: kind.name, place: "row \(number)")
          if !id.isEmpty, let current = existing[id], current.payload == payload, base == nil || base == current.version {
            unchanged += 1
            continue
          }
          let recordID = id.isEmpty ? RecordID.make() : id
          let baseVersion = try base ?? (id.isEmpty ? 0 : mirror.baseVersion(tenantID: self.tenant, kind: kind.name, id: id))
          mutations.append((MutationDocument.mutation(kind: kind.name, id: recordID, baseVersion: baseVersion, payload: payload), "row \(number)"))
        } catch let error as GongjianClientError {
          errors.append(.init(row: number, column: 0, name: "", message: error.message))
        }
      }
      guard errors.isEmpty else {
        for error in errors { printError("gongjian: \(self.file): \(error.text)") }
        throw GongjianClientError(.usage, "\(self.file): \(errors.count) bad cells; nothing was queued")
      }
      if mutations.isEmpty {
        printLine("nothing to import: \(unchanged) rows equal the mirror")
        return
      }
      if unchanged > 0 { printError("\(unchanged) rows equal the mirror and were skipped") }
      let status = try await Outbox.submit(mutations, tenantID: self.tenant, connection: self.connection, wait: self.wait)
      if status != .success { throw status.exitCode }
    }
  }
}
