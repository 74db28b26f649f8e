import Foundation

/// Locations of test fixtures and the repository, found from this file's path (tests run from any directory).
enum EndToEndTestSupport {
    /// The repository root.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `Tests/EndToEndTests/Fixtures`.
    static let fixtures: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// A fresh empty temporary directory for one test.
    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("zoetrope-EndToEndTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

// MARK: - Running the built binary

/// The result of one run of the `zoetrope` binary.
struct CLIRun {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Non-empty stderr lines.
    var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
}

enum CLI {
    /// The binary under test: `$ZOETROPE_BIN`, else `.build/release/zoetrope` under the repository root.
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["ZOETROPE_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return EndToEndTestSupport.repositoryRoot.appendingPathComponent(".build/release/zoetrope")
    }()

    /// True when the binary exists (built with `swift build -c release`).
    static let isAvailable = FileManager.default.isExecutableFile(atPath: binary.path)

    /// True when ffmpeg and ffprobe are installed.
    static let haveFFmpeg = ["ffmpeg", "ffprobe"].allSatisfy { tool in
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }

    /// Runs `zoetrope arguments` in `directory`; `asUser` runs it through `setpriv` as that uid/gid (root only).
    static func run(_ arguments: [String], in directory: URL, asNobody: Bool = false) throws -> CLIRun {
        try runTool(asNobody ? "/usr/bin/setpriv" : binary.path,
                    (asNobody ? ["--reuid", "65534", "--regid", "65534", "--clear-groups", binary.path] : []) + arguments,
                    in: directory)
    }

    /// Runs any tool with output captured through temporary files (no pipe can fill up).
    static func runTool(_ tool: String, _ arguments: [String], in directory: URL) throws -> CLIRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["ZOETROPE_THREADS"] = "1"
        process.environment = environment
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("zoetrope-e2e-\(UUID().uuidString)")
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
        return CLIRun(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// `ffprobe -count_frames` facts of the first video stream.
    static func probe(_ url: URL) throws -> [String: String] {
        let run = try runTool("/usr/bin/env", ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                                               "-show_entries", "stream=codec_name,pix_fmt,width,height,nb_read_frames:format=duration",
                                               "-of", "default=noprint_wrappers=1", url.path],
                              in: url.deletingLastPathComponent())
        var facts: [String: String] = [:]
        for line in run.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { facts[String(parts[0])] = String(parts[1]) }
        }
        return facts
    }
}
