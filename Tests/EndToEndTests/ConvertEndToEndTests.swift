import Foundation
import Imaging
import Media
import Testing

/// The real `zoetrope` binary: `convert` and `inspect image`, good input and every bad input of issue 2.
/// Each bad input must give a non-zero exit, exactly one stderr line naming the file, and leave no output and no
/// temporary file behind.
@Suite("zoetrope convert / inspect image", .enabled(if: CLI.isAvailable), .serialized)
struct ConvertEndToEndTests {
    static let mediaFixtures = EndToEndTestSupport.repositoryRoot.appendingPathComponent("Tests/MediaTests/Fixtures")

    /// A fresh folder (world-writable so the `nobody` runs can use it) holding `frames/` with a 48-frame clip.
    func workspace(frames: Int = 48, width: Int = 256, height: Int = 256) throws -> URL {
        let dir = try EndToEndTestSupport.makeTemporaryDirectory()
        chmod(dir.path, 0o777)
        let folder = dir.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (i, frame) in SyntheticClip.make(frameCount: frames, width: width, height: height).enumerated() {
            // Names that only sort right naturally: f1, f2, ..., f10 ...
            try PNGWriter.write(frame, to: folder.appendingPathComponent("f\(i + 1).png"))
        }
        return dir
    }

    func listing(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    @Test("frames folder → MP4, GIF and PNG sequence")
    func convertClip() throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mp4 = try CLI.run(["convert", "frames", "clip.mp4", "--fps", "24"], in: dir)
        #expect(mp4.status == 0, "\(mp4.stderr)")
        #expect(mp4.stdout.contains("48 frames") && mp4.stdout.contains("h264"))
        #expect(mp4.stderr.isEmpty)
        if CLI.haveFFmpeg {
            let facts = try CLI.probe(dir.appendingPathComponent("clip.mp4"))
            #expect(facts["codec_name"] == "h264" && facts["pix_fmt"] == "yuv420p" && facts["nb_read_frames"] == "48")
            #expect(abs((Double(facts["duration"] ?? "") ?? 0) - 2.0) < 0.01)
        }
        let gif = try CLI.run(["convert", "frames", "clip.gif"], in: dir)
        #expect(gif.status == 0, "\(gif.stderr)")
        if CLI.haveFFmpeg { #expect(try CLI.probe(dir.appendingPathComponent("clip.gif"))["nb_read_frames"] == "48") }
        let seq = try CLI.run(["convert", "frames", "seq", "--upscale", "2"], in: dir)
        #expect(seq.status == 0, "\(seq.stderr)")
        let names = listing(dir.appendingPathComponent("seq"))
        #expect(names.count == 48)
        // Frame 10 of the sequence is f11.png upscaled 2× (natural order, nearest neighbour).
        let source = try ImageFile.read(dir.appendingPathComponent("frames/f11.png"))
        let written = try ImageFile.read(dir.appendingPathComponent("seq/frame_00010.png"))
        #expect(written.width == 512 && written[301, 77] == source[150, 38])
        #expect(!listing(dir).contains { $0.contains(".tmp-") })
    }

    @Test("side-by-side panels with --beside")
    func beside() throws {
        let dir = try workspace(frames: 4, width: 32, height: 32)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Self.mediaFixtures.appendingPathComponent("photo.jpg"),
                                         to: dir.appendingPathComponent("ref.jpg"))
        let run = try CLI.run(["convert", "frames", "side", "--beside", "ref.jpg", "--beside", "frames", "--gap", "2"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let frame = try ImageFile.read(dir.appendingPathComponent("side/frame_00000.png"))
        #expect(frame.width == 64 + 2 + 32 + 2 + 32 && frame.height == 48)
    }

    @Test("image → PNG, and inspect image")
    func imageAndInspect() throws {
        let dir = try workspace(frames: 1, width: 8, height: 8)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Self.mediaFixtures.appendingPathComponent("photo-lossless-alpha.webp"),
                                         to: dir.appendingPathComponent("in.webp"))
        let run = try CLI.run(["convert", "in.webp", "out.png", "--upscale", "3"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let info = try CLI.run(["inspect", "image", "out.png"], in: dir)
        #expect(info.stdout == "out.png: PNG 192×144, 8-bit RGB, not interlaced\n")
        let webp = try CLI.run(["inspect", "image", "in.webp", "--json"], in: dir)
        let object = try JSONSerialization.jsonObject(with: Data(webp.stdout.utf8)) as? [String: Any]
        #expect(object?["format"] as? String == "webp" && object?["width"] as? Int == 64 && object?["hasAlpha"] as? Bool == true)
        let palette = try CLI.run(["inspect", "image", Self.mediaFixtures.appendingPathComponent("palette8-trns.png").path], in: dir)
        #expect(palette.stdout.contains("PNG 17×13, 8-bit palette (40 colours), transparency, not interlaced"))
    }

    // MARK: - Bad input: one line naming the file, non-zero exit, nothing left behind

    func expectCleanFailure(_ run: CLIRun, naming name: String, saying words: String, in dir: URL,
                            before: [String]) {
        #expect(run.status != 0)
        #expect(run.stderrLines.count == 1, "stderr: \(run.stderr)")
        #expect(run.stderr.contains(name), "stderr: \(run.stderr)")
        #expect(run.stderr.contains(words), "stderr: \(run.stderr)")
        #expect(listing(dir) == before, "files changed: \(listing(dir)) vs \(before)")
        print("[\(name)] \(run.stderr.trimmingCharacters(in: .newlines))")
    }

    @Test("bad image inputs", arguments: [
        ("bad-truncated.png", "truncated"),
        ("bad-text.png", "text file"),
        ("bad-huge-header.png", "100000×100000"),
        ("bad-truncated.jpg", "truncated"),
    ])
    func badImages(name: String, words: String) throws {
        let dir = try workspace(frames: 0)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Self.mediaFixtures.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        let before = listing(dir)
        for out in ["out.png", "out.mp4"] {
            let run = try CLI.run(["convert", name, out], in: dir)
            expectCleanFailure(run, naming: name, saying: words, in: dir, before: before)
        }
    }

    @Test("a bad frame inside a frames folder names the frame and leaves nothing")
    func badFrameInFolder() throws {
        let dir = try workspace(frames: 6, width: 16, height: 16)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("frames/f4.png"))
        try FileManager.default.copyItem(at: Self.mediaFixtures.appendingPathComponent("bad-truncated.png"),
                                         to: dir.appendingPathComponent("frames/f4.png"))
        let before = listing(dir)
        for out in ["clip.mp4", "clip.gif", "seq"] {
            let run = try CLI.run(["convert", "frames", out], in: dir)
            expectCleanFailure(run, naming: "frames/f4.png", saying: "truncated", in: dir, before: before)
        }
    }

    @Test("unreadable file")
    func unreadable() throws {
        let dir = try workspace(frames: 0)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("secret.png")
        try FileManager.default.copyItem(at: Self.mediaFixtures.appendingPathComponent("rgb8.png"), to: url)
        chmod(url.path, 0)
        let before = listing(dir)
        // Root reads everything: run the binary as nobody then.
        let run = try CLI.run(["convert", "secret.png", "out.png"], in: dir, asNobody: geteuid() == 0)
        expectCleanFailure(run, naming: "secret.png", saying: "permission denied", in: dir, before: before)
    }

    @Test("a folder given as a file")
    func folderAsFile() throws {
        let dir = try workspace(frames: 2, width: 8, height: 8)
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = listing(dir)
        let run = try CLI.run(["inspect", "image", "frames"], in: dir)
        expectCleanFailure(run, naming: "frames", saying: "is a folder", in: dir, before: before)
    }

    @Test("unwritable output folder")
    func unwritableFolder() throws {
        let dir = try workspace(frames: 3, width: 16, height: 16)
        defer { try? FileManager.default.removeItem(at: dir) }
        let locked = dir.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        chmod(locked.path, 0o555)
        defer { chmod(locked.path, 0o755) }
        let before = listing(dir)
        for out in ["locked/clip.mp4", "locked/clip.gif", "locked/seq", "locked/one.png"] {
            let args = out.hasSuffix("one.png") ? ["convert", "frames/f1.png", out] : ["convert", "frames", out]
            let run = try CLI.run(args, in: dir, asNobody: geteuid() == 0)
            expectCleanFailure(run, naming: out, saying: "permission denied", in: dir, before: before)
            #expect(listing(locked).isEmpty)
        }
    }

    @Test("existing output without --force")
    func existingOutput() throws {
        let dir = try workspace(frames: 3, width: 16, height: 16)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("keep me".utf8).write(to: dir.appendingPathComponent("clip.mp4"))
        let before = listing(dir)
        let run = try CLI.run(["convert", "frames", "clip.mp4"], in: dir)
        expectCleanFailure(run, naming: "clip.mp4", saying: "already exists", in: dir, before: before)
        #expect(try Data(contentsOf: dir.appendingPathComponent("clip.mp4")) == Data("keep me".utf8))
        let forced = try CLI.run(["convert", "frames", "clip.mp4", "--force"], in: dir)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("clip.mp4")).count > 100)
    }

    @Test("odd-sized clip for H.264: padded, one note line, complete file")
    func oddSized() throws {
        let dir = try workspace(frames: 10, width: 33, height: 17)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLI.run(["convert", "frames", "odd.mp4"], in: dir)
        #expect(run.status == 0)
        #expect(run.stderrLines.count == 1 && run.stderr.hasPrefix("note: odd.mp4: 33×17 padded to 34×18"), "\(run.stderr)")
        print("[odd.mp4] \(run.stderr.trimmingCharacters(in: .newlines))")
        if CLI.haveFFmpeg {
            let facts = try CLI.probe(dir.appendingPathComponent("odd.mp4"))
            #expect(facts["width"] == "34" && facts["height"] == "18" && facts["nb_read_frames"] == "10")
        }
    }

    @Test("missing input and unknown output extension")
    func usageMistakes() throws {
        let dir = try workspace(frames: 2, width: 8, height: 8)
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = listing(dir)
        expectCleanFailure(try CLI.run(["convert", "nope.png", "out.png"], in: dir), naming: "nope.png",
                           saying: "no such file", in: dir, before: before)
        expectCleanFailure(try CLI.run(["convert", "frames", "out.avi"], in: dir), naming: "out.avi",
                           saying: "extension", in: dir, before: before)
        expectCleanFailure(try CLI.run(["convert", "frames", "one.png"], in: dir), naming: "one.png",
                           saying: "2 frames", in: dir, before: before)
    }
}

@Suite("zoetrope CLI basics", .enabled(if: CLI.isAvailable))
struct CLIBasicsTests {
    @Test func helpAndVersion() throws {
        let dir = FileManager.default.temporaryDirectory
        let version = try CLI.run(["--version"], in: dir)
        #expect(version.status == 0 && !version.stdout.isEmpty)
        let help = try CLI.run(["--help"], in: dir)
        #expect(help.stdout.contains("Examples:") && help.stdout.contains("convert"))
        let convert = try CLI.run(["convert", "--help"], in: dir)
        #expect(convert.stdout.contains("zoetrope convert frames/ clip.mp4") && convert.stdout.contains("--threads"))
        let inspect = try CLI.run(["inspect", "image", "--help"], in: dir)
        #expect(inspect.stdout.contains("--json"))
    }

    @Test func threadsAreValidated() throws {
        let dir = try EndToEndTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try PNGWriter.write(SyntheticClip.frame(index: 0, of: 1, width: 8, height: 8), to: dir.appendingPathComponent("a.png"))
        let bad = try CLI.run(["convert", "a.png", "b.png", "--threads", "0"], in: dir)
        #expect(bad.status != 0 && bad.stderr.contains("--threads"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("b.png").path))
        let good = try CLI.run(["convert", "a.png", "b.png", "--threads", "1"], in: dir)
        #expect(good.status == 0, "\(good.stderr)")
    }
}

@Suite("zoetrope convert interrupted", .enabled(if: CLI.isAvailable))
struct InterruptTests {
    @Test("Ctrl-C during an export removes the temporary and writes nothing")
    func interrupt() throws {
        let dir = try EndToEndTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (i, frame) in SyntheticClip.make(frameCount: 48, width: 128, height: 128).enumerated() {
            try PNGWriter.write(frame, to: folder.appendingPathComponent("f\(i).png"))
        }
        let process = Process()
        process.executableURL = CLI.binary
        // Heavy on purpose (8× lanczos upscale, dithered GIF) so it is still running when interrupted.
        process.arguments = ["convert", "frames", "big.gif", "--upscale", "8", "--filter", "lanczos3", "--dither"]
        process.currentDirectoryURL = dir
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        func temporaries() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.contains(".tmp-") }
        }
        // The temporary exists from the start of the export; wait for it (at most 10 s).
        var waited = 0
        while temporaries().isEmpty && process.isRunning && waited < 1000 {
            usleep(10_000)
            waited += 1
        }
        let wasRunning = process.isRunning
        process.interrupt()
        process.waitUntilExit()
        #expect(temporaries().isEmpty)
        if wasRunning {
            #expect(process.terminationStatus == 130)
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("big.gif").path))
        }
    }
}
