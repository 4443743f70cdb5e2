import Foundation
import GongjianFuzzing

#if GONGJIAN_LIBFUZZER
// Built by dev/fuzz.sh with `-sanitize=fuzzer -D GONGJIAN_LIBFUZZER`: libFuzzer supplies `main`
// and calls this for every input; the target is named by GONGJIAN_FUZZ_TARGET.
private let target: FuzzTarget = {
  let name = ProcessInfo.processInfo.environment["GONGJIAN_FUZZ_TARGET"] ?? ""
  guard let target = FuzzTarget(rawValue: name) else {
    fatalError("GONGJIAN_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
  }
  return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
  target.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
  return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
  _ argc: UnsafeMutablePointer<Int32>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The entry point: SwiftPM links an executable's `main` to `<module>_main`; libFuzzer's driver
/// does the rest.
@_cdecl("gongjian_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  var argc = argc
  var argv = argv
  return runDriver(&argc, &argv) { bytes, count in fuzzOne(bytes, count) }
}
#else
/// `gongjian-fuzz TARGET PATH...`: replays inputs (files, or every file of a folder) through a
/// fuzz target without libFuzzer, e.g. a crash file libFuzzer wrote.
@main
struct GongjianFuzz {
  static func main() throws {
    let arguments = CommandLine.arguments.dropFirst()
    guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
      FileHandle.standardError.write(Data("usage: gongjian-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) PATH...\n".utf8))
      exit(64)
    }
    var count = 0
    for path in arguments.dropFirst() {
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        FileHandle.standardError.write(Data("gongjian-fuzz: \(path): no such file\n".utf8))
        exit(66)
      }
      let files = isFolder.boolValue
        ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" } : [path]
      for file in files {
        target.run(try Data(contentsOf: URL(fileURLWithPath: file)))
        count += 1
      }
    }
    print("\(name): \(count) inputs replayed, no invariant broken")
  }
}
#endif
