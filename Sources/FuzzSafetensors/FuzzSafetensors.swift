import Engine
import Foundation

// libFuzzer target for the safetensors header parser (the code every checkpoint and `inspect weights` go through).
//
// Fuzz:   make fuzz   (swift build with -sanitize=fuzzer,address -DFUZZING, then runs the binary on a corpus)
// Replay: fuzz-safetensors FILE...   (a normal build runs the same entry point on each file, e.g. crash reproducers)

/// libFuzzer's entry point: parse one candidate file image; it must either validate or throw, never crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensorsHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    if let parsed = try? SafetensorsFile.parseHeader(raw) {
        // Accepted: every span must lie inside the file.
        for e in parsed.entries where parsed.dataStart + e.byteRange.upperBound > size { fatalError("span outside the file accepted") }
    }
    return 0
}

#if FUZZING
/// libFuzzer's driver (from `-sanitize=fuzzer`), called from our own `main` because SwiftPM renames an executable's
/// entry point. Plain pointer and integer arguments, so the Swift and C calling conventions agree on x86-64/arm64.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32
#endif

/// Fuzzes (in a `-DFUZZING` build) or replays files through the fuzz entry point.
@main
struct FuzzSafetensorsMain {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzSafetensorsHeader(data, size) })
        #else
        var failures = 0
        for path in CommandLine.arguments.dropFirst() {
            guard let bytes = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read"); failures += 1; continue
            }
            _ = bytes.withUnsafeBytes { fuzzSafetensorsHeader($0.bindMemory(to: UInt8.self).baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            print("\(path): ok")
        }
        exit(failures == 0 ? 0 : 1)
        #endif
    }
}
