import Foundation
import Testing

/// `zoetrope render` end to end: a synthesized pose clip, the tiny parity-tested model, a project file.
@Suite("zoetrope render", .enabled(if: CLI.isAvailable))
struct RenderCommandTests {
    /// A folder with a 6-frame dataset clip (reference frame + poses), the tiny model and a project.
    func makeProject(_ extra: String = "") throws -> URL {
        let dir = try EndToEndTestSupport.makeTemporaryDirectory()
        let synth = try CLI.run(["synth", "--out", "ds", "--identities", "1", "--clips", "1", "--frames", "6",
                                 "--size", "64", "--seed", "3"], in: dir)
        #expect(synth.status == 0, "\(synth.stderr)")
        try FileManager.default.copyItem(
            at: EndToEndTestSupport.repositoryRoot.appendingPathComponent("Tests/EngineTests/Fixtures/animator_tiny.safetensors"),
            to: dir.appendingPathComponent("model.safetensors"))
        let project = """
        {"reference": "ds/clip_00000/frames/0000.png", "poses": "ds/clip_00000/poses", "model": "model.safetensors",
         "steps": 3, "prompts": {"map": {"0": "smiling", "3": "warm light"}},
         "output": {"path": "out.mp4", "layout": "pose|result", "upscale": 2}\(extra)}
        """
        try Data(project.utf8).write(to: dir.appendingPathComponent("p.zoetrope.json"))
        return dir
    }

    @Test("renders every frame to MP4 with the pose beside the result; JSON events for scripts")
    func renders() throws {
        let dir = try makeProject()
        let run = try CLI.run(["render", "p.zoetrope.json", "--json"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.first?.contains("\"event\":\"started\"") == true)
        #expect(lines.filter { $0.contains("\"event\":\"step\"") }.count == 3)
        #expect(lines.last?.contains("\"frames\":6") == true)
        if CLI.haveFFmpeg {
            let facts = try CLI.probe(dir.appendingPathComponent("out.mp4"))
            #expect(facts["codec_name"] == "h264" && facts["nb_read_frames"] == "6", "\(facts)")
        }
        // Same project and seed → the same frames (PNG sequence compared byte for byte).
        let a = try CLI.run(["render", "p.zoetrope.json", "-o", "a"], in: dir)
        let b = try CLI.run(["render", "p.zoetrope.json", "-o", "b"], in: dir)
        #expect(a.status == 0 && b.status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("a").path).sorted()
        #expect(names.count == 6)
        for name in names {
            #expect(try Data(contentsOf: dir.appendingPathComponent("a/" + name)) == Data(contentsOf: dir.appendingPathComponent("b/" + name)))
        }
    }

    @Test("bad projects: one line naming the file and the problem, exit code 1, no output", arguments: [
        (#", "reference": "missing.png""#, "missing.png"),
        (#", "poses": "nowhere""#, "nowhere"),
        (#", "frames": 9"#, "\"frames\" is 9 but"),
        (#", "steps": -2"#, "\"steps\" must be a whole number from 1 to 1000"),
        (#", "model": "p.zoetrope.json""#, "p.zoetrope.json"),
    ])
    func badProjects(extra: String, expected: String) throws {
        let dir = try makeProject(extra)
        let run = try CLI.run(["render", "p.zoetrope.json"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderrLines.count == 1 && run.stderr.contains(expected), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.mp4").path))
    }

    @Test("an existing output is kept without --force")
    func keepsExisting() throws {
        let dir = try makeProject()
        try Data("keep".utf8).write(to: dir.appendingPathComponent("out.mp4"))
        let run = try CLI.run(["render", "p.zoetrope.json"], in: dir)
        #expect(run.status == 1 && run.stderr.contains("already exists"))
        #expect(try Data(contentsOf: dir.appendingPathComponent("out.mp4")) == Data("keep".utf8))
    }
}
