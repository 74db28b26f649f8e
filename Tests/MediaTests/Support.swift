import Foundation

/// Locations of test fixtures and the repository, found from this file's path (tests run from any directory).
enum MediaTestSupport {
    /// The repository root.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `Tests/MediaTests/Fixtures`.
    static let fixtures: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// A fresh empty temporary directory for one test.
    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("zoetrope-MediaTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

// MARK: - Running the independent tools (ffprobe, ffmpeg) and comparing pixels

/// The result of running a command-line tool.
struct ToolRun {
    var status: Int32
    var stdout: Data
    var stderr: String
}

enum Tools {
    /// Full path of `name` on PATH, or nil.
    static func which(_ name: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// True when ffmpeg and ffprobe are installed (the clip tests need them as the independent decoder).
    static let haveFFmpeg = which("ffmpeg") != nil && which("ffprobe") != nil

    /// Runs `tool` with `arguments`, collecting stdout and stderr.
    static func run(_ tool: String, _ arguments: [String]) throws -> ToolRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: which(tool) ?? tool)
        process.arguments = arguments
        // Output goes to temporary files: no pipe can fill up and block the tool.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("zoetrope-tool-\(UUID().uuidString)")
        let outURL = base.appendingPathExtension("out"), errURL = base.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close(); try err.close()
        let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
        return ToolRun(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `ffprobe -count_frames` facts of the first video stream: codec_name, pix_fmt, width, height, nb_read_frames,
    /// and the container duration.
    static func probe(_ url: URL) throws -> [String: String] {
        let run = try run("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0",
                                      "-show_entries", "stream=codec_name,pix_fmt,width,height,nb_read_frames:format=duration",
                                      "-of", "default=noprint_wrappers=1", url.path])
        var facts: [String: String] = [:]
        for line in String(decoding: run.stdout, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { facts[String(parts[0])] = String(parts[1]) }
        }
        return facts
    }

    /// Every frame of `url` decoded by ffmpeg to packed RGB24 (`ffmpeg -i URL -f rawvideo -pix_fmt rgb24 -`).
    static func decodeRGB(_ url: URL, extraInput: [String] = []) throws -> Data {
        let run = try run("ffmpeg", ["-v", "error"] + extraInput + ["-i", url.path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        return run.stdout
    }
}

enum Pixels {
    /// PSNR in dB between two equal-length byte buffers: 10·log10(255² / MSE); infinity when equal.
    static func psnr(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Double {
        precondition(a.count == b.count, "psnr: \(a.count) vs \(b.count) bytes")
        var sum = 0.0
        for (x, y) in zip(a, b) { let d = Double(x) - Double(y); sum += d * d }
        let mse = sum / Double(max(1, a.count))
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}
