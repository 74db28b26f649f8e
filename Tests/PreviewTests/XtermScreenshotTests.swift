#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Imaging
import Preview
import Testing

/// A real terminal shows it: `zoetrope preview` runs inside `xterm -ti vt340` (256 colour registers) under Xvfb;
/// a screenshot of the screen must contain the picture that libsixel's sixel2png decodes from the same command's
/// `--sixel` bytes (mean absolute difference ≤ 2/255). Skipped, with the reason printed, only without Xvfb/xterm.
@Suite(.serialized) struct XtermScreenshotTests {
    static let screenWidth = 640, screenHeight = 480

    /// A display number with no X server: the first of 97... without a socket or lock file.
    static func freeDisplay() -> Int? {
        (97...140).first {
            !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\($0)") && !FileManager.default.fileExists(atPath: "/tmp/.X\($0)-lock")
        }
    }

    /// Best placement of `picture` inside `screen` (offsets 0..<80 each way), by mean absolute difference.
    static func locate(_ picture: RGBImage, in screen: RGBImage) -> (x: Int, y: Int, mad: Double) {
        var best = (x: 0, y: 0, score: Double.infinity)
        for oy in 0..<min(80, screen.height - picture.height + 1) {
            for ox in 0..<min(80, screen.width - picture.width + 1) {
                var sum = 0
                for y in stride(from: 0, to: picture.height, by: 16) {
                    for x in stride(from: 0, to: picture.width, by: 16) {
                        let a = picture[x, y], b = screen[ox + x, oy + y]
                        sum += abs(Int(a.r) - Int(b.r)) + abs(Int(a.g) - Int(b.g)) + abs(Int(a.b) - Int(b.b))
                    }
                }
                if Double(sum) < best.score { best = (ox, oy, Double(sum)) }
            }
        }
        var sum = 0
        for y in 0..<picture.height {
            for x in 0..<picture.width {
                let a = picture[x, y], b = screen[best.x + x, best.y + y]
                sum += abs(Int(a.r) - Int(b.r)) + abs(Int(a.g) - Int(b.g)) + abs(Int(a.b) - Int(b.b))
            }
        }
        return (best.x, best.y, Double(sum) / Double(3 * picture.width * picture.height))
    }

    @Test func previewInXtermMatchesDecodedSixel() throws {
        guard let zoetrope = PreviewCommandTests.binary else { return }
        for tool in ["Xvfb", "xterm", "import", "convert", "sixel2png"] where PreviewTestSupport.which(tool) == nil {
            print("skipped: \(tool) not installed (Debian: xvfb, xterm, imagemagick, libsixel-bin)"); return
        }
        guard let display = Self.freeDisplay() else { print("skipped: no free X display number in 97...140"); return }
        let fixture = PreviewCommandTests.fixture("coffee.ppm")
        let dir = try PreviewTestSupport.makeTemporaryDirectory()

        // What the screen must show: the same command's sixel bytes, decoded by libsixel.
        let bytes = try PreviewTestSupport.run(zoetrope, ["preview", fixture, "--sixel"])
        try #require(bytes.status == 0)
        let expected = try PreviewTestSupport.decodeSixel(Array(bytes.stdout.dropLast()))

        let xvfb = Process()
        xvfb.executableURL = URL(fileURLWithPath: PreviewTestSupport.which("Xvfb") ?? "/usr/bin/Xvfb")
        xvfb.arguments = [":\(display)", "-screen", "0", "\(Self.screenWidth)x\(Self.screenHeight)x24", "-nolisten", "tcp"]
        xvfb.standardOutput = FileHandle.nullDevice
        xvfb.standardError = FileHandle.nullDevice
        try xvfb.run()
        defer { kill(xvfb.processIdentifier, SIGKILL); xvfb.waitUntilExit() }  // Xvfb may ignore SIGTERM
        let ready = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(display)") && Date() < ready { usleep(50_000) }

        // Hide the cursor, clear, show the picture at the top left, then wait to be photographed.
        let script = "printf '\\033[?25l\\033[H\\033[2J'; '\(zoetrope)' preview '\(fixture)'; sleep 60"
        let xterm = Process()
        xterm.executableURL = URL(fileURLWithPath: PreviewTestSupport.which("xterm") ?? "/usr/bin/xterm")
        xterm.arguments = ["-ti", "vt340", "-xrm", "XTerm*numColorRegisters: 256", "-geometry", "80x30+0+0",
                           "-bw", "0", "+sb", "-e", "sh", "-c", script]
        var env = ProcessInfo.processInfo.environment
        env["DISPLAY"] = ":\(display)"
        xterm.environment = env
        xterm.standardOutput = FileHandle.nullDevice
        xterm.standardError = FileHandle.nullDevice
        try xterm.run()
        defer { kill(xterm.processIdentifier, SIGKILL); xterm.waitUntilExit() }  // its shell gets SIGHUP

        var result = (x: 0, y: 0, mad: Double.infinity)
        let shot = dir.appendingPathComponent("shot.png")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            usleep(700_000)
            guard (try? PreviewTestSupport.run("import", ["-display", ":\(display)", "-window", "root", shot.path]))?.status == 0,
                  let raw = try? PreviewTestSupport.run("convert", [shot.path, "-depth", "8", "rgb:-"]),
                  raw.stdout.count == Self.screenWidth * Self.screenHeight * 3 else { continue }
            let screen = RGBImage(width: Self.screenWidth, height: Self.screenHeight, pixels: raw.stdout)
            result = Self.locate(expected, in: screen)
            if result.mad <= 2 { break }
        }
        print("xterm screenshot \(shot.path): picture at (\(result.x), \(result.y)), mean absolute difference \(result.mad) levels")
        #expect(result.mad <= 2, "screenshot kept in \(shot.path)")
        if result.mad <= 2 { try? FileManager.default.removeItem(at: dir) }
    }
}
