#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Imaging
import Media
import Testing

/// The studio in a real sixel terminal: `xterm -ti vt340` under Xvfb. The screenshot must show, inside the preview
/// pane, the engine's frame — taken independently from `zoetrope render` of the same project (same seed and steps,
/// one thread) — with a mean absolute difference ≤ 4/255 over the picture's crop.
@Suite("zoetrope studio in xterm (sixel)", .serialized,
       .enabled(if: StudioTools.haveXterm, "Xvfb, xterm or imagemagick's import is not installed (apt-get install xvfb xterm imagemagick)"),
       .enabled(if: CLI.isAvailable, "the zoetrope binary is not built (swift build -c release)"))
struct StudioXtermTests {
    static let screenWidth = 1024, screenHeight = 700

    static func freeDisplay() -> Int? {
        (141...190).first {
            !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\($0)") && !FileManager.default.fileExists(atPath: "/tmp/.X\($0)-lock")
        }
    }

    /// Mean absolute difference per channel of `picture` against `screen` at an offset, in 0...255.
    static func mad(_ picture: RGBImage, _ screen: RGBImage, x ox: Int, y oy: Int) -> Double {
        var sum = 0
        for y in 0..<picture.height {
            for x in 0..<picture.width {
                let a = picture[x, y], b = screen[ox + x, oy + y]
                sum += abs(Int(a.r) - Int(b.r)) + abs(Int(a.g) - Int(b.g)) + abs(Int(a.b) - Int(b.b))
            }
        }
        return Double(sum) / Double(3 * picture.width * picture.height)
    }

    @Test("the sixel preview in the screenshot is the engine's frame (MAD ≤ 4/255)")
    func sixelPreviewMatchesEngineFrame() throws {
        guard let display = Self.freeDisplay() else { Issue.record("no free X display number in 141...190"); return }
        let dir = try StudioFixture.make(frames: 6, steps: 4, extra: #", "output": {"path": "out.mp4", "upscale": 1}"#)

        // The engine's frames, through the headless path (PNG sequence, no upscaling).
        let render = try CLI.run(["render", "p.zoetrope.json", "-o", "engine"], in: dir)
        try #require(render.status == 0, "\(render.stderr)")
        let engineFrame = try ImageFile.read(dir.appendingPathComponent("engine").appendingPathComponent(
            try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("engine").path).sorted()[0]))

        let xvfb = Process()
        xvfb.executableURL = URL(fileURLWithPath: "/usr/bin/Xvfb")
        xvfb.arguments = [":\(display)", "-screen", "0", "\(Self.screenWidth)x\(Self.screenHeight)x24", "-nolisten", "tcp"]
        xvfb.standardOutput = FileHandle.nullDevice
        xvfb.standardError = FileHandle.nullDevice
        try xvfb.run()
        defer { kill(xvfb.processIdentifier, SIGKILL); xvfb.waitUntilExit() }
        let ready = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(display)") && Date() < ready { usleep(50_000) }

        let dump = dir.appendingPathComponent("dump")
        try FileManager.default.createDirectory(at: dump, withIntermediateDirectories: true)
        let xterm = Process()
        xterm.executableURL = URL(fileURLWithPath: "/usr/bin/xterm")
        xterm.arguments = ["-ti", "vt340", "-xrm", "XTerm*numColorRegisters: 256", "-xrm", "XTerm*allowWindowOps: true",
                           "-geometry", "120x40+0+0", "-bw", "0", "+sb", "-e", CLI.binary.path, "studio", "p.zoetrope.json"]
        var env = ProcessInfo.processInfo.environment
        env["DISPLAY"] = ":\(display)"
        env["ZOETROPE_THREADS"] = "1"
        env["ZOETROPE_STUDIO_DUMP"] = dump.path
        env["XDG_CONFIG_HOME"] = dir.appendingPathComponent(".config").path
        env["XDG_STATE_HOME"] = dir.appendingPathComponent(".state").path
        env.removeValue(forKey: "TMUX")
        xterm.environment = env
        xterm.currentDirectoryURL = dir
        xterm.standardOutput = FileHandle.nullDevice
        xterm.standardError = FileHandle.nullDevice
        try xterm.run()
        defer { kill(xterm.processIdentifier, SIGKILL); xterm.waitUntilExit() }

        // Wait until the studio has drawn the finished frame 0 (it says so in shown.json).
        var info: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let data = try? Data(contentsOf: dump.appendingPathComponent("shown.json")),
               let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any], o["finished"] as? Bool == true {
                info = o; break
            }
            usleep(100_000)
        }
        try #require(info["renderer"] as? String == "sixel", "the studio did not draw a finished sixel preview: \(info)")
        usleep(700_000)  // let xterm paint
        let shot = dir.appendingPathComponent("shot.png")
        let grab = try CLI.runTool("/usr/bin/env", ["import", "-display", ":\(display)", "-window", "root", shot.path], in: dir)
        try #require(grab.status == 0, "\(grab.stderr)")
        let screen = try ImageFile.read(shot)

        // Where the studio put the picture: cell (row, column) × cell size, plus xterm's inner border.
        let scale = info["scale"] as? Int ?? 1
        let expected = engineFrame.resized(width: engineFrame.width * scale, height: engineFrame.height * scale, filter: .nearest)
        let cellWidth = info["cellWidth"] as? Int ?? 0, cellHeight = info["cellHeight"] as? Int ?? 0
        let x0 = (info["column"] as? Int ?? 0) * cellWidth, y0 = (info["row"] as? Int ?? 0) * cellHeight
        var best = (x: 0, y: 0, mad: Double.infinity)
        for dy in 0...8 {
            for dx in 0...8 where x0 + dx + expected.width <= screen.width && y0 + dy + expected.height <= screen.height {
                let m = Self.mad(expected, screen, x: x0 + dx, y: y0 + dy)
                if m < best.mad { best = (x0 + dx, y0 + dy, m) }
            }
        }
        print("studio sixel crop at (\(best.x), \(best.y)) \(expected.width)×\(expected.height): MAD \(String(format: "%.3f", best.mad))/255")
        #expect(best.mad <= 4, "MAD \(best.mad)/255 at (\(best.x), \(best.y))")
        // The crop lies inside the preview pane: right of the left column, below the title bar.
        #expect(best.x >= 34 * cellWidth && best.y >= cellHeight)
        // And the test can fail: another frame of the same clip does not match.
        let other = try ImageFile.read(dir.appendingPathComponent("engine").appendingPathComponent(
            try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("engine").path).sorted()[3]))
        let otherScaled = other.resized(width: other.width * scale, height: other.height * scale, filter: .nearest)
        #expect(Self.mad(otherScaled, screen, x: best.x, y: best.y) > best.mad)
    }
}
