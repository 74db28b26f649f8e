#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Imaging
import Preview
import Testing

/// `zoetrope preview`, `zoetrope inspect terminal` and `zoetrope bench sixel` run as a user would: the built binary
/// (`$ZOETROPE_BIN`, else .build/release/zoetrope), with pipes or a pseudo-terminal for standard output.
@Suite(.serialized) struct PreviewCommandTests {
    static var binary: String? {
        let path = PreviewTestSupport.zoetropeBinary
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        print("skipped: \(path) not built (swift build -c release)")
        return nil
    }

    static func fixture(_ name: String) -> String { PreviewTestSupport.fixtures.appendingPathComponent(name).path }

    /// One line on stderr, exit status 1, nothing on stdout.
    static func expectOneLineFailure(_ result: (status: Int32, stdout: [UInt8], stderr: String), mentioning: String) {
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(mentioning), "stderr: \(result.stderr)")
    }

    @Test func stdoutNotATerminalSaysWhy() throws {
        guard let zoetrope = Self.binary else { return }
        let result = try PreviewTestSupport.run(zoetrope, ["preview", Self.fixture("coffee.ppm")])
        Self.expectOneLineFailure(result, mentioning: "not a terminal")
        #expect(result.stderr.contains("--sixel"))
    }

    @Test func explicitSixelToAPipeIsTheEncoderOutput() throws {
        guard let zoetrope = Self.binary else { return }
        let result = try PreviewTestSupport.run(zoetrope, ["preview", Self.fixture("coffee.ppm"), "--sixel"])
        #expect(result.status == 0)
        let expected = try SixelEncoder().encode(try PreviewTestSupport.photo("coffee")) + [0x0A]
        #expect(result.stdout == expected)
    }

    @Test func badInputIsOneClearLine() throws {
        guard let zoetrope = Self.binary else { return }
        let dir = try PreviewTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.ppm")
        try Data("P6\n0 0\n255\n".utf8).write(to: empty)
        Self.expectOneLineFailure(try PreviewTestSupport.run(zoetrope, ["preview", empty.path, "--sixel"]), mentioning: "0×0")
        let text = dir.appendingPathComponent("notes.ppm")
        try Data("hello".utf8).write(to: text)
        Self.expectOneLineFailure(try PreviewTestSupport.run(zoetrope, ["preview", text.path, "--sixel"]),
                                  mentioning: "notes.ppm: is a text file")
        let short = dir.appendingPathComponent("short.ppm")
        try Data("P6\n4 4\n255\n\u{1}\u{2}".utf8).write(to: short)
        Self.expectOneLineFailure(try PreviewTestSupport.run(zoetrope, ["preview", short.path, "--sixel"]),
                                  mentioning: "short.ppm: header says 4×4")
        Self.expectOneLineFailure(try PreviewTestSupport.run(zoetrope, ["preview", dir.appendingPathComponent("none.ppm").path, "--sixel"]),
                                  mentioning: "none.ppm: cannot read")
    }

    @Test func onePixelAndVeryWideImages() throws {
        guard let zoetrope = Self.binary, PreviewTestSupport.hasDecoder else { return }
        let dir = try PreviewTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = dir.appendingPathComponent("one.ppm")
        try PreviewTestSupport.writePPM(RGBImage(width: 1, height: 1, fill: RGB(255, 0, 102)), to: one)
        let r1 = try PreviewTestSupport.run(zoetrope, ["preview", one.path, "--sixel"])
        #expect(r1.status == 0)
        #expect(try PreviewTestSupport.decodeSixel(Array(r1.stdout.dropLast())) == RGBImage(width: 1, height: 1, fill: RGB(255, 0, 102)))
        // 20000 × 200, a horizontal ramp: shown 300 pixels wide (3 rows), and still a ramp.
        var wide = RGBImage(width: 20000, height: 200)
        for y in 0..<200 { for x in 0..<20000 { wide[x, y] = RGB(UInt8(x * 255 / 19999), 51, 153) } }
        let widePath = dir.appendingPathComponent("wide.ppm")
        try PreviewTestSupport.writePPM(wide, to: widePath)
        let start = Date()
        let r2 = try PreviewTestSupport.run(zoetrope, ["preview", widePath.path, "--sixel", "--width", "300"])
        #expect(r2.status == 0 && Date().timeIntervalSince(start) < 20)
        let decoded = try PreviewTestSupport.decodeSixel(Array(r2.stdout.dropLast()))
        #expect(decoded.width == 300 && decoded.height == 3)
        #expect(decoded[0, 1].r < 10 && decoded[299, 1].r > 245 && abs(Int(decoded[150, 1].r) - 128) < 6)
        // Without --width, off-screen: at most 1280 pixels wide.
        let r3 = try PreviewTestSupport.run(zoetrope, ["preview", widePath.path, "--ascii"])
        #expect(r3.status == 0)
        #expect(String(decoding: r3.stdout, as: UTF8.self).split(separator: "\n").allSatisfy { $0.count == 200 })
    }

    @Test func flipbookSharesOnePalette() throws {
        guard let zoetrope = Self.binary else { return }
        let result = try PreviewTestSupport.run(zoetrope, ["preview", Self.fixture("coffee.ppm"), Self.fixture("chelsea.ppm"), "--sixel"])
        #expect(result.status == 0)
        let text = String(decoding: result.stdout, as: UTF8.self)
        let frames = text.components(separatedBy: "\u{1B}P").dropFirst()
        #expect(frames.count == 2)
        // Registers defined in both frames have identical colours (one palette).
        func definitions(_ frame: String) -> [String: String] {
            var out: [String: String] = [:]
            let regex = /#(\d+);2;(\d+;\d+;\d+)/
            for m in frame.matches(of: regex) { out[String(m.1)] = String(m.2) }
            return out
        }
        let a = definitions(frames[frames.startIndex]), b = definitions(frames[frames.startIndex + 1])
        let shared = Set(a.keys).intersection(b.keys)
        #expect(shared.count > 50)
        #expect(shared.allSatisfy { a[$0] == b[$0] })
    }

    /// A folder plays its frames in numeric name order; an empty folder is one clear line.
    @Test func frameFolder() throws {
        guard let zoetrope = Self.binary else { return }
        let dir = try PreviewTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let frames = dir.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        // frame_2 is red, frame_10 is blue: numeric order puts red first.
        try PreviewTestSupport.writePPM(RGBImage(width: 8, height: 6, fill: RGB(0, 0, 255)), to: frames.appendingPathComponent("frame_10.ppm"))
        try PreviewTestSupport.writePPM(RGBImage(width: 8, height: 6, fill: RGB(255, 0, 0)), to: frames.appendingPathComponent("frame_2.ppm"))
        try Data("notes".utf8).write(to: frames.appendingPathComponent("README.txt"))
        let r = try PreviewTestSupport.run(zoetrope, ["preview", frames.path, "--sixel"])
        #expect(r.status == 0)
        let parts = String(decoding: r.stdout, as: UTF8.self).components(separatedBy: "\u{1B}P").dropFirst()
        #expect(parts.count == 2)
        #expect(parts.first?.contains(";2;100;0;0") == true && parts.last?.contains(";2;0;0;100") == true)
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        Self.expectOneLineFailure(try PreviewTestSupport.run(zoetrope, ["preview", empty.path, "--sixel"]),
                                  mentioning: "folder has no PNG")
    }

    /// Runs the binary with stdin/stdout on a pseudo-terminal and returns what it drew.
    static func runOnTerminal(_ zoetrope: String, _ arguments: [String], terminal: FakeTerminal,
                              environment: [String: String]) throws -> (status: Int32, drawn: String, seconds: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zoetrope)
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        let handle = FileHandle(fileDescriptor: terminal.slave, closeOnDealloc: false)
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
        let start = Date()
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let seconds = Date().timeIntervalSince(start)
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        usleep(300_000)  // let the reader thread collect the last bytes
        return (process.terminationStatus, String(decoding: terminal.received, as: UTF8.self), seconds)
    }

    @Test func terminalThatNeverAnswersFallsBackQuickly() throws {
        guard let zoetrope = Self.binary else { return }
        let terminal = try FakeTerminal(pixelWidth: 0, pixelHeight: 0)
        terminal.stayMute(seconds: 10)
        let r = try Self.runOnTerminal(zoetrope, ["preview", Self.fixture("coffee.ppm"), "--width", "40"],
                                       terminal: terminal, environment: ["TERM": "xterm-256color"])
        #expect(r.status == 0)
        #expect(r.seconds < 5, "took \(r.seconds) s")
        #expect(r.drawn.contains("\u{1B}[c"))          // it asked
        #expect(!r.drawn.contains("\u{1B}P0;"))        // no sixel without DA1 4
        #expect(r.drawn.contains("\u{1B}[38;5;") && r.drawn.contains("▀"))  // 256-colour half blocks
    }

    @Test func xtermLikeTerminalGetsSixel() throws {
        guard let zoetrope = Self.binary else { return }
        let terminal = try FakeTerminal()
        terminal.answerLikeXterm(seconds: 10)
        let r = try Self.runOnTerminal(zoetrope, ["preview", Self.fixture("coffee.ppm")],
                                       terminal: terminal, environment: ["TERM": "xterm"])
        #expect(r.status == 0)
        #expect(r.drawn.contains("\u{1B}P0;0;0q\"1;1;256;256"))
        let inspect = try Self.runOnTerminal(zoetrope, ["inspect", "terminal"], terminal: try {
            let t = try FakeTerminal(); t.answerLikeXterm(seconds: 5); return t }(), environment: ["TERM": "xterm"])
        #expect(inspect.drawn.contains("sixel             yes (DA1 parameter 4)"))
        #expect(inspect.drawn.contains("6×13 px (TIOCGWINSZ)"))
        #expect(inspect.drawn.contains("renderer          sixel"))
    }

    /// The benchmark's libsixel peer is img2sixel: its img2sixel-path output is byte for byte `img2sixel FILE`, and
    /// the plain sixel_encode path decodes to the same PSNR.
    @Test func benchUsesImg2sixelDefaults() throws {
        guard let zoetrope = Self.binary, PreviewTestSupport.which("img2sixel") != nil else { return }
        let dir = try PreviewTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try PreviewTestSupport.run(zoetrope, ["bench", "sixel", Self.fixture("chelsea.ppm"), "--repeats", "1",
                                                      "--clip-frames", "2", "--json", "--save", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let saved = try Data(contentsOf: dir.appendingPathComponent("chelsea.img2sixel-path.six"))
        let peer = try PreviewTestSupport.run("img2sixel", [Self.fixture("chelsea.ppm")])
        let identical = [UInt8](saved) == peer.stdout
        #expect(identical, "bench's img2sixel path: \(saved.count) bytes, img2sixel: \(peer.stdout.count) bytes")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout)) as? [String: Any]
        let photo = (json?["photos"] as? [[String: Any]])?.first ?? [:]
        let direct = photo["libsixelPsnrDb"] as? Double ?? 0, viaEncoder = photo["img2sixelPathPsnrDb"] as? Double ?? 1
        #expect(direct > 30 && abs(direct - viaEncoder) < 0.05)
    }
}
