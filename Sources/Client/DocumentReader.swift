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
      case .yaml: document = try Yams.load(yaml: String(decoding: data, as: UTF8.self))
      }
    } catch {
      throw GongjianClientError(.usage, "\(source): not valid \(format == .json ? "JSON" : "YAML"): \(error)")
    }
    let items: [Any]
    if let list = document as? [Any] { items = list } else if let one = document, !(one is NSNull) { items = [one] } else { items = [] }
    guard !items.isEmpty else { throw GongjianClientError(.usage, "\(source): the file holds nothing") }
    return items
  }
}
