public import Foundation
internal import Yams

/// Reads the JSON and YAML documents offices write by hand (mutations, records, proposals): one
/// object or a list of them. Every failure is a ``GongjianClientError`` of kind `usage` that names
/// the source.
public enum DocumentReader {
  /// The syntax of a document.
  public enum Format: Sendable {
    case json
    case yaml

    /// JSON for a `.json` path, YAML otherwise.
    public init(path: String) {
      self = path.hasSuffix(".json") ? .json : .yaml
    }
  }

  /// The items of a document: its list, or its single value.
  ///
  /// - Parameters:
  ///   - data: The document's bytes.
  ///   - format: JSON or YAML.
  ///   - source: The document's name, for messages.
  /// - Throws: ``GongjianClientError`` (`usage`) when the document is malformed or empty.
  public static func items(_ data: Data, format: Format, source: String) throws -> [Any] {
    let document: Any?
    do {
      switch format {
      case .json: document = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
      case .yaml: document = try Self.yaml(String(decoding: data, as: UTF8.self))
      }
    } catch {
      throw GongjianClientError(.usage, "\(source): not valid \(format == .json ? "JSON" : "YAML"): \(error)")
    }
    let items: [Any]
    if let list = document as? [Any] { items = list } else if let one = document, !(one is NSNull) { items = [one] } else { items = [] }
    guard !items.isEmpty else { throw GongjianClientError(.usage, "\(source): the file holds nothing") }
    return items
  }

  /// Composes the YAML first and refuses keys that are not plain text: Yams traps on a mapping
  /// or list used as a key (`? [a]: b`), found by the documents fuzz target.
  private static func yaml(_ text: String) throws -> Any? {
    guard let node = try Yams.compose(yaml: text) else { return nil }
    var pending = [node]
    while let next = pending.popLast() {
      if let mapping = next.mapping {
        for (key, value) in mapping {
          guard key.scalar != nil else { throw YAMLKeyError(line: key.mark?.line ?? 0) }
          pending.append(value)
        }
      } else if let sequence = next.sequence {
        pending.append(contentsOf: sequence)
      }
    }
    return Constructor.default.any(from: node)
  }

  private struct YAMLKeyError: Error, CustomStringConvertible {
    var line: Int
    var description: String { "line \(self.line): a key must be plain text, not a list or a mapping" }
  }
}
