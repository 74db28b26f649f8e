import Foundation
import Testing

/// The studio driven for real in tmux (send-keys / capture-pane): a synthesized project, the tiny model.
@Suite("zoetrope studio in tmux", .serialized,
       .enabled(if: StudioTools.haveTmux, "tmux is not installed (apt-get install tmux)"),
       .enabled(if: CLI.isAvailable, "the zoetrope binary is not built (swift build -c release)"))
struct StudioEndToEndTests {
    static let binary = CLI.binary.path

    @Test("open, change a guidance scale, add a prompt keyframe, scrub, export MP4; ffprobe counts every frame")
    func editAndExport() throws {
        let dir = try StudioFixture.make(frames: 12, steps: 6)
        let trace = dir.appendingPathComponent("trace.jsonl").path
        let tmux = try TmuxSession("\(Self.binary) studio p.zoetrope.json", in: dir, columns: 120, rows: 40,
                                   environment: ["ZOETROPE_STUDIO_TRACE": trace])
        // Opens and generates at once: the status line reaches "done 6/6".
        let opened = try tmux.wait { $0.contains("done 6/6") }
        #expect(opened != nil, "never finished generating:\n\(tmux.screen)")
        #expect(opened?.contains("2 Parameters") == true && opened?.contains("3 Prompt keyframes") == true)

        // Guidance: panel 2, down to "CFG prompt" (Seed, Steps, Sampler, CFG reference, CFG pose, CFG prompt), +0.3.
        try tmux.send("2", "j", "j", "j", "j", "j", "l", "l", "l")
        #expect(try tmux.wait { $0.contains("CFG prompt") && $0.range(of: #"CFG prompt\s+3\.3"#, options: .regularExpression) != nil } != nil)

        // Scrub: panel 4, five frames right → "6/12".
        try tmux.send("4", "Right", "Right", "Right", "Right", "Right")
        #expect(try tmux.wait { $0.contains("6/12") } != nil, "\(tmux.screen)")

        // Keyframe at the playhead (frame 5) with a prompt typed into the timeline.
        try tmux.send("3", "a")
        try tmux.type("warm light")
        try tmux.send("Enter")
        #expect(try tmux.wait { $0.contains("    5 warm light") } != nil, "\(tmux.screen)")

        // The edits restart the generation; wait for the new clip, then export from the dialog.
        #expect(try tmux.wait { $0.contains("done 6/6") } != nil)
        try tmux.send("E", "Down", "Down", "Down", "Down", "Down", "Down", "Enter")
        let exported = try tmux.wait(timeout: 30) { $0.contains("read back: 12 frames") }
        #expect(exported != nil, "export not reported:\n\(tmux.screen)")

        // The project file holds the edits (autosaved; no explicit save).
        let project = try StudioFixture.project(dir)
        let guidance = project["guidance"] as? [String: Any]
        #expect((guidance?["prompt"] as? Double).map { abs($0 - 3.3) < 1e-9 } == true, "\(String(describing: guidance))")
        let map = (project["prompts"] as? [String: Any])?["map"] as? [String: String]
        #expect(map == ["0": "smiling", "5": "warm light"], "\(String(describing: map))")

        // ffprobe decodes every frame of the MP4.
        if CLI.haveFFmpeg {
            let facts = try CLI.probe(dir.appendingPathComponent("out.mp4"))
            #expect(facts["nb_read_frames"] == "12" && facts["width"] == "32", "\(facts)")
        }

        // Quit: exit status 0 and the terminal as it was.
        try tmux.send("q")
        #expect(tmux.waitForExit())
        #expect(tmux.exitStatus == 0)
        let restored = try tmux.terminalRestored()
        #expect(restored.ok, "\(restored.detail)")

        // The first preview came up within 1.5 s of starting (build excluded; the tiny model).
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        let first = lines.first { $0.contains("first_preview") }
        let ms = first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }?["ms"] as? Int
        #expect(ms.map { $0 <= 1500 } == true, "first preview after \(String(describing: ms)) ms")
    }

    @Test("the bundled demo: opens with the shipped model, a guidance edit, a scrub, a new prompt keyframe, MP4 export; ffprobe counts every frame and the project holds the edits")
    func demoProject() throws {
        let demo = EndToEndTestSupport.repositoryRoot.appendingPathComponent("demo")
        guard FileManager.default.fileExists(atPath: demo.appendingPathComponent("model.safetensors").path) else {
            Issue.record("demo/model.safetensors is missing: the studio's demo cannot open")
            return
        }
        let dir = try EndToEndTestSupport.makeTemporaryDirectory()
        for name in ["demo.zoetrope.json", "reference.png", "poses", "model.safetensors"] {
            try FileManager.default.copyItem(at: demo.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let trace = dir.appendingPathComponent("trace.jsonl").path
        let tmux = try TmuxSession("\(Self.binary) studio demo.zoetrope.json", in: dir, columns: 120, rows: 40,
                                   environment: ["ZOETROPE_STUDIO_TRACE": trace])
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("demo.zoetrope.json")))
            as? [String: Any]
        let steps = try #require(original?["steps"] as? Int)
        // The edit below raises the reference guidance by one 0.1 step from whatever the demo ships with.
        let startGuidance = try #require((original?["guidance"] as? [String: Any])?["reference"] as? Double)
        let edited = ((startGuidance + 0.1) * 10).rounded() / 10
        let editedText = String(format: "%.1f", edited).replacingOccurrences(of: ".", with: "\\.")
        let opened = try tmux.wait(timeout: 60) { $0.contains("done \(steps)/\(steps)") }
        #expect(opened != nil, "the demo never finished generating:\n\(tmux.screen)")
        #expect(opened?.contains("model model.safetensors: 64×64") == true, "\(tmux.screen)")
        // CFG reference (4th row) +0.1, then wait for the regenerated clip and export it.
        try tmux.send("2", "j", "j", "j", "l")
        #expect(try tmux.wait { $0.range(of: #"CFG reference\s+"# + editedText, options: .regularExpression) != nil } != nil, "\(tmux.screen)")
        // Scrub to frame 6, add a keyframe there with a prompt.
        try tmux.send("4", "Right", "Right", "Right", "Right", "Right")
        #expect(try tmux.wait { $0.contains("6/16") } != nil, "\(tmux.screen)")
        try tmux.send("3", "a")
        try tmux.type("neutral, in warm light")
        try tmux.send("Enter")
        #expect(try tmux.wait { $0.contains("    5 neutral, in warm light") } != nil, "\(tmux.screen)")
        #expect(try tmux.wait(timeout: 60) { $0.contains("done \(steps)/\(steps)") } != nil)
        try tmux.send("E", "Down", "Down", "Down", "Down", "Down", "Down", "Enter")
        #expect(try tmux.wait(timeout: 60) { $0.contains("read back: 16 frames") } != nil, "export not reported:\n\(tmux.screen)")
        try tmux.send("q")
        #expect(tmux.waitForExit())
        let project = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("demo.zoetrope.json"))) as? [String: Any]
        #expect(((project?["guidance"] as? [String: Any])?["reference"] as? Double).map { abs($0 - edited) < 1e-9 } == true)
        let map = (project?["prompts"] as? [String: Any])?["map"] as? [String: String]
        #expect(map?["5"] == "neutral, in warm light" && map?.count == 3, "\(String(describing: map))")
        if CLI.haveFFmpeg {
            let facts = try CLI.probe(dir.appendingPathComponent("demo.mp4"))
            #expect(facts["nb_read_frames"] == "16", "\(facts)")
        }
        // The first preview's time is reported by the trace (a benchmark figure, not asserted here).
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains { $0.contains("first_preview") })
    }

    @Test("kill -9 while editing, restart: every edit older than one second is in the project")
    func killNine() throws {
        let dir = try StudioFixture.make(frames: 8, steps: 20)
        let tmux = try TmuxSession("\(Self.binary) studio p.zoetrope.json", in: dir)
        #expect(try tmux.wait { $0.contains("generating step") || $0.contains("done") } != nil)
        // Seed +1 every 100 ms for 2 s (each press restarts the generation), then kill -9 at once.
        try tmux.send("2")
        var pressTimes: [Date] = []
        for _ in 0..<20 {
            try tmux.send("l")
            pressTimes.append(Date())
            usleep(100_000)
        }
        let pid = tmux.pid
        #expect(pid > 0)
        let killedAt = Date()
        kill(pid, SIGKILL)
        #expect(tmux.waitForExit())
        let seed = try StudioFixture.project(dir)["seed"] as? Int ?? -1
        let olderThanOneSecond = pressTimes.filter { killedAt.timeIntervalSince($0) >= 1 }.count
        #expect(seed - 7 >= olderThanOneSecond, "seed \(seed): \(seed - 7) edits saved, \(olderThanOneSecond) were older than 1 s")
        #expect(seed - 7 <= 20)

        // Restart: the studio says it recovered and shows the saved seed.
        let again = try TmuxSession("\(Self.binary) studio p.zoetrope.json", in: dir)
        let screen = try again.wait { $0.contains("recovered") }
        #expect(screen != nil, "\(again.screen)")
        #expect(screen?.range(of: #"Seed\s+\#(seed)"#, options: .regularExpression) != nil)
        try again.send("q")
        #expect(again.waitForExit() && again.exitStatus == 0)
    }

    @Test("100 resizes in 2 s (down to too small and back): no crash, still answers keys, terminal restored")
    func resizes() throws {
        let dir = try StudioFixture.make(frames: 8, steps: 30)
        let tmux = try TmuxSession("\(Self.binary) studio p.zoetrope.json", in: dir)
        #expect(try tmux.wait { $0.contains("generating step") } != nil)
        let sizes = [(120, 40), (80, 24), (200, 60), (60, 20), (100, 30), (81, 25), (140, 50), (40, 10)]
        let start = Date()
        for i in 0..<100 {
            let (w, h) = sizes[i % sizes.count]
            try tmux.tmux(["resize-window", "-t", tmux.name, "-x", "\(w)", "-y", "\(h)"])
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed <= 2.5, "100 resizes took \(elapsed) s")
        #expect(!tmux.isDead, "the studio died during the resizes")
        try tmux.tmux(["resize-window", "-t", tmux.name, "-x", "60", "-y", "20"])
        #expect(try tmux.wait(timeout: 5) { $0.contains("Terminal too small: 60×20") } != nil, "\(tmux.screen)")
        try tmux.tmux(["resize-window", "-t", tmux.name, "-x", "110", "-y", "36"])
        #expect(try tmux.wait(timeout: 5) { $0.contains("2 Parameters") } != nil)
        try tmux.send("?")
        #expect(try tmux.wait(timeout: 5) { $0.contains("Keys ·") } != nil)
        try tmux.send("Escape", "q")
        #expect(tmux.waitForExit() && tmux.exitStatus == 0)
        let restored = try tmux.terminalRestored()
        #expect(restored.ok, "\(restored.detail)")
    }

    /// Keys from every binding plus noise. `ZOETROPE_MONKEY_KEYS` sets the count (default 2000; the acceptance run
    /// uses 10000) and `ZOETROPE_MONKEY_SEED` the seed.
    @Test("random monkey keys while generating: no crash, no hang, terminal restored")
    func monkey() throws {
        let env = ProcessInfo.processInfo.environment
        let count = Int(env["ZOETROPE_MONKEY_KEYS"] ?? "") ?? 2000
        var rng = SplitMix(seed: UInt64(env["ZOETROPE_MONKEY_SEED"] ?? "") ?? 1)
        let dir = try StudioFixture.make(frames: 8, steps: 12)
        let tmux = try TmuxSession("\(Self.binary) studio p.zoetrope.json", in: dir, environment: ["HOME": dir.path])
        #expect(try tmux.wait { $0.contains("generating step") || $0.contains("done") } != nil)
        let alphabet = ["Up", "Down", "Left", "Right", "S-Left", "S-Right", "Home", "End", "PageUp", "PageDown", "Enter",
                        "Escape", "Tab", "BTab", "BSpace", "DC", "Space", "C-r", "C-a", "C-e", "C-u", "C-w",
                        "1", "2", "3", "4", "5", "h", "j", "k", "l", "H", "L", "a", "e", "d", "x", "i", "w", "[", "]", "<", ">",
                        "u", "o", "g", "E", "R", "P", "?", ":", ",", ".", "c", "y", "n", "0", "9", "-", "é", "z", "s"]
        var sent = 0
        var batch: [String] = []
        let start = Date()
        while sent < count {
            batch.append(alphabet[Int(rng.next() % UInt64(alphabet.count))])
            sent += 1
            if batch.count == 40 || sent == count {
                try tmux.send(keys: batch)
                batch.removeAll()
                if sent % 400 == 0 || sent == count {
                    #expect(!tmux.isDead, "the studio died after \(sent) keys:\n\(tmux.screen)")
                    if tmux.isDead { return }
                }
            }
        }
        // Still responsive: close whatever is open, then quit (confirming if an export runs).
        try tmux.send("Escape", "Escape", "Escape")
        usleep(300_000)
        try tmux.send("Escape", "q")
        if !tmux.waitForExit(timeout: 3) { try tmux.send("y") }
        #expect(tmux.waitForExit(timeout: 10), "no exit after the monkey:\n\(tmux.screen)")
        #expect(tmux.exitStatus == 0)
        let restored = try tmux.terminalRestored()
        #expect(restored.ok, "\(restored.detail)")
        print("monkey: \(count) keys in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        // The project file is still whole JSON (every autosave replaced the whole file).
        #expect(!(try StudioFixture.project(dir)).isEmpty)
    }

    @Test("not a terminal: one line and exit status 1")
    func notATerminal() throws {
        let dir = try StudioFixture.make(frames: 4, steps: 2)
        let run = try CLI.run(["studio", "p.zoetrope.json"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderrLines.count == 1 && run.stderr.contains("needs a terminal"), "\(run.stderr)")
    }

    @Test("a bad project: one line naming the file, before the screen opens")
    func badProject() throws {
        let dir = try StudioFixture.make(frames: 4, steps: 2, extra: #", "steps": "many""#)
        let tmux = try TmuxSession("\(Self.binary) studio p.zoetrope.json", in: dir)
        #expect(tmux.waitForExit())
        #expect(tmux.exitStatus == 1)
        let screen = try tmux.capture()
        #expect(screen.contains("p.zoetrope.json: \"steps\" must be a whole number"), "\(screen)")
    }

    @Test("SIGTERM: saves, restores the terminal, exits 143")
    func sigterm() throws {
        let dir = try StudioFixture.make(frames: 8, steps: 30)
        let tmux = try TmuxSession("\(Self.binary) studio p.zoetrope.json", in: dir)
        #expect(try tmux.wait { $0.contains("generating step") } != nil)
        kill(tmux.pid, SIGTERM)
        #expect(tmux.waitForExit())
        #expect(tmux.exitStatus == 143)
        let restored = try tmux.terminalRestored()
        #expect(restored.ok, "\(restored.detail)")
    }
}

/// SplitMix64: a seeded generator for the monkey's keys.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
