import Foundation
import GongjianFuzzing
import Testing

/// Every committed fuzz input (seeds, and inputs that once crashed a target) replayed through its
/// target in the ordinary build: a regression of any of them traps here.
@Suite("Fuzz corpora replayed")
struct FuzzCorpusTests {
  static let corpus = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fuzz/corpus")

  @Test("Each target's corpus", arguments: FuzzTarget.allCases)
  func replay(_ target: FuzzTarget) throws {
    let folder = Self.corpus.appendingPathComponent(target.rawValue)
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    #expect(!files.isEmpty)
    for file in files {
      target.run(try Data(contentsOf: folder.appendingPathComponent(file)))
    }
  }
}
