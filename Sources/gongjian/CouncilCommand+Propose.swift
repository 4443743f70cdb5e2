import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

extension CouncilCommand {
  struct Propose: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Propose an agenda item from a JSON or YAML file (title, summary, responsible_units, linked_records, attachments).",
      discussion: """
        Queued offline like every write (`gongjian sync` delivers it). attachments may name local
        files: {path: report.pdf, content_type: application/pdf}; they are uploaded first, so a
        proposal with attachments needs --wait.

        Example: gongjian council propose --meeting 7c0e… --file item.yaml --tenant city
        """
    ).exits(.usage, .rejected, .conflict, .unreachable, .local, .auth, note: "65, 67, 69 and 77 come with --wait (without it, writes are queued)")
    @OptionGroup var options: Options
    @Option(help: "The meeting id.") var meeting: String
    @Option(help: ArgumentHelp("The JSON or YAML file.", valueName: "file"), completion: .file(extensions: ["yaml", "yml", "json"])) var file: String
    @Flag(help: "Deliver now and wait for the server's answer.") var wait = false

    func run() async throws {
      var object = try DocumentFile.object(path: self.file, expecting: "title, summary, responsible_units")
      let files = (object.removeValue(forKey: "attachments") as? [[String: Any]]) ?? []
      try await self.options.connection.run {
        let allowed = ["title", "summary", "responsible_units", "linked_records"]
        for key in object.keys.sorted() where !allowed.contains(key) {
          let hint = PayloadDocument.nearest(key, in: allowed + ["attachments"]).map { "; did you mean \($0)?" } ?? ""
          throw GongjianClientError(.usage, "\(self.file): key \(key): not a proposal key\(hint) (keys: \(allowed.joined(separator: ", ")), attachments)")
        }
        object["tenant_id"] = self.options.tenant
        object["meeting_id"] = self.meeting
        var request = try PayloadDocument.decode(object, as: Gongjian_V1_ProposeRequest.self, name: "proposal", place: self.file)
        if !files.isEmpty {
          guard self.wait else {
            throw GongjianClientError(.usage, "\(self.file): attachments are uploaded to the server first: pass --wait (online), or propose without them")
          }
          let uploaded = try await self.options.connection.connect { client in
            var refs: [Gongjian_V1_AttachmentRef] = []
            for (index, entry) in files.enumerated() {
              guard let path = entry["path"] as? String, let content = FileManager.default.contents(atPath: path) else {
                throw GongjianClientError(.usage, "\(self.file): attachments[\(index)].path: cannot read the file")
              }
              let name = (entry["name"] as? String) ?? URL(fileURLWithPath: path).lastPathComponent
              let type = (entry["content_type"] as? String) ?? "application/octet-stream"
              refs.append(try await client.uploadAttachment(.with { $0.tenantID = self.options.tenant; $0.name = name; $0.contentType = type; $0.content = content }))
            }
            return refs
          }
          request.attachments = uploaded
        }
        let writes = try await CouncilCommand.writes(self.options) { try $0.propose(request) }
        try await CouncilCommand.submit(writes, options: self.options, wait: self.wait)
      }
    }
  }
}
