import Foundation

/// Locations of test fixtures and the repository, found from this file's path (tests run from any directory).
enum PreviewTestSupport {
    /// The repository root.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `Tests/PreviewTests/Fixtures`.
    static let fixtures: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// A fresh empty temporary directory for one test.
    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("zoetrope-PreviewTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

import Imaging

// MARK: - Images, processes and the independent decoder

extension PreviewTestSupport {
    /// Reads a binary PPM (P6) — the fixture format written by tools/reference/preview_fixtures.py — with Imaging.
    static func readPPM(_ url: URL) throws -> RGBImage { try RGBImage(ppm: try Data(contentsOf: url), source: url.path) }

    /// Writes a binary PPM.
    static func writePPM(_ image: RGBImage, to url: URL) throws {
        var bytes = Array("P6\n\(image.width) \(image.height)\n255\n".utf8)
        bytes += image.pixels
        try Data(bytes).write(to: url)
    }

    /// The fixture photographs (256×256 centre crops of scikit-image's astronaut, coffee, chelsea).
    static func photo(_ name: String) throws -> RGBImage { try readPPM(fixtures.appendingPathComponent("\(name).ppm")) }

    /// Path of an executable on PATH, or nil.
    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs a program, returns (status, stdout, stderr).
    @discardableResult
    static func run(_ program: String, _ arguments: [String], stdin: [UInt8]? = nil,
                    environment: [String: String]? = nil) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : (which(program) ?? program))
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("zoetrope-stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let err = try FileHandle(forWritingTo: errURL)
        defer { try? err.close() }
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin)); try input.fileHandleForWriting.close() }
        let outBytes = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errBytes = (try? Data(contentsOf: errURL)) ?? Data()
        return (process.terminationStatus, [UInt8](outBytes), String(decoding: errBytes, as: UTF8.self))
    }

    /// True when libsixel's decoder and ImageMagick are installed (they are in the Makefile's DEB_PACKAGES).
    static var hasDecoder: Bool { which("sixel2png") != nil && which("convert") != nil }

    /// Decodes sixel bytes with libsixel's `sixel2png`, then reads the PNG's pixels with ImageMagick:
    /// `sixel2png -i x.six -o x.png && convert x.png -depth 8 rgb:-`.
    static func decodeSixel(_ sixel: [UInt8]) throws -> RGBImage {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let six = dir.appendingPathComponent("x.six"), png = dir.appendingPathComponent("x.png")
        try Data(sixel).write(to: six)
        let decoded = try run("sixel2png", ["-i", six.path, "-o", png.path])
        guard decoded.status == 0 else { throw SupportError("sixel2png failed: \(decoded.stderr)") }
        let size = try run("identify", ["-format", "%w %h", png.path])
        let wh = String(decoding: size.stdout, as: UTF8.self).split(separator: " ").compactMap { Int($0) }
        let raw = try run("convert", [png.path, "-alpha", "off", "-depth", "8", "rgb:-"])
        guard wh.count == 2, raw.stdout.count == wh[0] * wh[1] * 3 else { throw SupportError("convert: bad output") }
        return RGBImage(width: wh[0], height: wh[1], pixels: raw.stdout)
    }

    /// PSNR in dB between two images of equal size (Imaging's `ImageMetrics.psnr`, which matches scikit-image).
    static func psnr(_ a: RGBImage, _ b: RGBImage) -> Double { (try? ImageMetrics.psnr(a, b)) ?? -.infinity }

    /// Mean absolute difference per channel, in levels.
    static func meanAbsoluteDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
        var sum = 0.0
        for i in a.pixels.indices { sum += abs(Double(a.pixels[i]) - Double(b.pixels[i])) }
        return sum / Double(max(1, a.pixels.count))
    }

    /// The built `zoetrope` executable: `$ZOETROPE_BIN`, else `.build/release/zoetrope` under the repository root.
    static var zoetropeBinary: String {
        if let path = ProcessInfo.processInfo.environment["ZOETROPE_BIN"], !path.isEmpty { return path }
        return repositoryRoot.appendingPathComponent(".build/release/zoetrope").path
    }
}

/// A failure inside a test helper.
struct SupportError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
