import Foundation
import Testing

/// `zoetrope train` end to end on a tiny model: both progressive stages run and write their checkpoints; a run
/// stopped (--max-steps, or kill -9 mid-run) and started again logs exactly the losses of an uninterrupted run;
/// bad recipes and dataset folders give one clear line.
@Suite(.enabled(if: CLI.isAvailable, "the zoetrope binary is not built (make test builds it)"))
struct TrainCommandTests {
    static let recipe = """
    {"name": "t", "seed": 3,
     "model": {"imageSize": 16, "patchSize": 2, "channels": [8, 16], "attentionLevels": [1], "temporalLevels": [1],
               "heads": 2, "normGroups": 4, "frameWindow": 4, "promptWidth": 8, "promptLayers": 1, "promptLength": 8},
     "data": {"source": "dancers", "identities": 50, "seed": 2},
     "stages": [{"name": "img", "size": 16, "frames": 1, "clips": 2, "steps": 4, "learningRate": 1e-3, "warmup": 1},
                {"name": "vid", "size": 16, "frames": 4, "clips": 1, "steps": 4, "learningRate": 1e-3, "warmup": 1, "temporal": true}],
     "checkpointEvery": 2, "logEvery": 1}
    """

    static func folder(recipe: String = recipe) throws -> URL {
        let dir = try EndToEndTestSupport.makeTemporaryDirectory()
        try Data(recipe.utf8).write(to: dir.appendingPathComponent("r.json"))
        return dir
    }

    /// Loss per (stage, step) from train.jsonl; a step logged twice (re-run after a resume) keeps its last value.
    static func losses(_ dir: URL, _ run: String) throws -> [String: String] {
        let text = try String(contentsOf: dir.appendingPathComponent("\(run)/train.jsonl"), encoding: .utf8)
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let key = "\(obj["stage"] ?? "")#\(obj["step"] ?? "")"
            out[key] = "\(obj["loss"] ?? "")"
        }
        return out
    }

    @Test("both stages run; stopping and resuming logs the uninterrupted run's losses")
    func trainsAndResumes() throws {
        let dir = try Self.folder()
        let a = try CLI.run(["train", "--recipe", "r.json", "--out", "a"], in: dir)
        #expect(a.status == 0, "\(a.stderr)")
        for file in ["1-img.safetensors", "2-vid.safetensors", "model.safetensors", "recipe.json"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("a/\(file)").path), "\(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("a/state.safetensors").path))
        let inspect = try CLI.run(["inspect", "weights", "a/model.safetensors", "--json"], in: dir)
        #expect(inspect.stdout.contains("zoetrope.noise") && inspect.stdout.contains("temporal"), "\(inspect.stdout.prefix(300))")
        let straight = try Self.losses(dir, "a")
        #expect(straight.count == 8)

        // Stopped twice by --max-steps (once inside each stage), then finished.
        for _ in 0..<2 {
            let b = try CLI.run(["train", "--recipe", "r.json", "--out", "b", "--max-steps", "3"], in: dir)
            #expect(b.status == 0 && b.stderr.contains("run the same command again to resume"), "\(b.stderr)")
        }
        let b = try CLI.run(["train", "--recipe", "r.json", "--out", "b"], in: dir)
        #expect(b.status == 0 && b.stderr.contains("resuming"), "\(b.stderr)")
        #expect(try Self.losses(dir, "b") == straight)
        let modelA = try Data(contentsOf: dir.appendingPathComponent("a/model.safetensors"))
        let modelB = try Data(contentsOf: dir.appendingPathComponent("b/model.safetensors"))
        #expect(modelA == modelB)
    }

    @Test("kill -9 mid-run, run again: it continues from the last checkpoint with the same losses")
    func survivesKill() throws {
        let dir = try Self.folder(recipe: Self.recipe.replacingOccurrences(of: "\"steps\": 4", with: "\"steps\": 12"))
        let reference = try CLI.run(["train", "--recipe", "r.json", "--out", "a"], in: dir)
        #expect(reference.status == 0, "\(reference.stderr)")
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["train", "--recipe", "r.json", "--out", "k"]
        process.currentDirectoryURL = dir
        var environment = ProcessInfo.processInfo.environment
        environment["ZOETROPE_THREADS"] = "1"  // as CLI.run: the same thread count gives the same numbers
        process.environment = environment
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let state = dir.appendingPathComponent("k/state.safetensors").path
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: state) && Date() < deadline && process.isRunning { usleep(20_000) }
        usleep(150_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal || process.terminationStatus == 0)
        let resumed = try CLI.run(["train", "--recipe", "r.json", "--out", "k"], in: dir)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Self.losses(dir, "k") == Self.losses(dir, "a"))
    }

    @Test("otherClipReferences: the same clips and noise with other references train to other losses")
    func otherClipReferences() throws {
        let one = Self.recipe.replacingOccurrences(of: "\"warmup\": 1}", with: "\"warmup\": 1, \"otherClipReferences\": 1}")
        let dir = try Self.folder(recipe: one.replacingOccurrences(of: "\"steps\": 4", with: "\"steps\": 2"))
        try Data(Self.recipe.replacingOccurrences(of: "\"steps\": 4", with: "\"steps\": 2").utf8).write(to: dir.appendingPathComponent("same.json"))
        let a = try CLI.run(["train", "--recipe", "r.json", "--out", "other"], in: dir)
        let b = try CLI.run(["train", "--recipe", "same.json", "--out", "same"], in: dir)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        let other = try Self.losses(dir, "other"), same = try Self.losses(dir, "same")
        #expect(other.keys.sorted() == same.keys.sorted() && !other.isEmpty)
        for key in other.keys { #expect(other[key] != same[key], "\(key): \(other[key] ?? "") both times") }
    }

    @Test("bad recipes and dataset folders: one line naming the file and what is wrong")
    func badInput() throws {
        let dir = try EndToEndTestSupport.makeTemporaryDirectory()
        let cases: [(String, String)] = [
            ("{\"stages\": [{\"steps\": 2, \"lr\": 1}]}", "unknown key \"lr\" in \"stages[0]\""),
            ("{\"name\": \"x\"}", "\"stages\" is missing"),
            ("{\"stages\": [{\"frames\": 32, \"temporal\": true}]}", "exceeds the model's frame window"),
            ("{\"stages\": [{\"steps\": 0}]}", "\"stages[0].steps\" is 0"),
            ("{\"stages\": [{\"steps\": 2}], \"training\": {\"dropPrompt\": 2}}", "\"training.dropPrompt\" is 2"),
            ("{\"stages\": [", "not valid JSON at line 1"),
            ("{\"stages\": [{}], \"data\": {\"source\": \"folder\"}}", "needs \"data.path\""),
            ("{\"stages\": [{}], \"data\": {\"source\": \"folder\", \"path\": \"nowhere\"}}", "nowhere"),
            ("{\"stages\": [{}], \"data\": {\"source\": \"web\"}}", "use \"dancers\" or \"folder\""),
            ("{\"stages\": [{\"otherClipReferences\": 1.5}]}", "\"stages[0].otherClipReferences\" is 1.5"),
            ("{\"stages\": [{\"otherClipReferences\": 0.5}], \"data\": {\"source\": \"folder\", \"path\": \"ds\"}}",
             "\"stages[0].otherClipReferences\" needs \"data.source\" \"dancers\""),
            ("{\"stages\": [{\"timesteps\": [999, 1000]}]}", "\"stages[0].timesteps\" must be a non-empty list of whole timesteps 0…999"),
            ("{\"stages\": [{\"timesteps\": []}]}", "\"stages[0].timesteps\" must be a non-empty list"),
            ("{\"stages\": [{\"timestepsShare\": 0.5}]}", "\"stages[0].timestepsShare\" needs \"stages[0].timesteps\""),
            ("{\"stages\": [{\"timesteps\": [999], \"timestepsShare\": 2}]}", "\"stages[0].timestepsShare\" is 2"),
        ]
        for (i, (text, fragment)) in cases.enumerated() {
            try Data(text.utf8).write(to: dir.appendingPathComponent("bad\(i).json"))
            let run = try CLI.run(["train", "--recipe", "bad\(i).json", "--out", "run\(i)"], in: dir)
            let lines = run.stderr.split(separator: "\n")
            #expect(run.status == 2 && lines.count == 1 && run.stderr.contains(fragment), "case \(i): status \(run.status), stderr: \(run.stderr)")
        }
        let missing = try CLI.run(["train", "--recipe", "absent.json"], in: dir)
        #expect(missing.status == 2 && missing.stderr.contains("absent.json: cannot be read"), "\(missing.stderr)")

        // A dataset folder whose clip lost a pose file.
        let synth = try CLI.run(["synth", "--out", "ds", "--identities", "1", "--clips", "1", "--frames", "4", "--size", "16"], in: dir)
        #expect(synth.status == 0, "\(synth.stderr)")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("ds/clip_00000/poses/0002_keypoints.json"))
        try Data("{\"stages\": [{\"size\": 64}], \"data\": {\"source\": \"folder\", \"path\": \"ds\"}}".utf8)
            .write(to: dir.appendingPathComponent("folder.json"))
        let run = try CLI.run(["train", "--recipe", "folder.json", "--out", "f"], in: dir)
        #expect(run.status == 2 && run.stderr.contains("clip_00000 has 4 frames but 3 pose files"), "\(run.stderr)")
    }
}
