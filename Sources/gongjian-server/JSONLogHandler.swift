import Foundation
import Logging

/// Log lines as JSON objects, one per line on stderr (`--log-format json`), for log collectors:
/// time, level, message, source and every metadata key (office, tenant, method, code,
/// duration_ms for calls) as fields.
struct JSONLogHandler: LogHandler {
  var metadata: Logger.Metadata = [:]
  var logLevel: Logger.Level = .info
  let label: String

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { self.metadata[key] }
    set { self.metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var object: [String: String] = [
      "time": ISO8601DateFormatter().string(from: Date()), "level": "\(event.level)", "message": "\(event.message)",
      "label": self.label,
    ]
    for (key, value) in self.metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
      object[key] = "\(value)"
    }
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
    FileHandle.standardError.write(data + Data("\n".utf8))
  }
}
