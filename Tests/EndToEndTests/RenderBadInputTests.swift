import Foundation
import Testing

/// A safetensors file taken apart and put back together, so tests can damage checkpoints precisely
/// (format: 8-byte little-endian header length, JSON header, data buffer).
struct SafetensorsParts {
    struct Tensor { var name: String; var dtype: String; var shape: [Int]; var bytes: Data }
    var metadata: [String: String]
    var tensors: [Tensor]

    init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
        let body = data.subdata(in: (8 + n)..<data.count)
        metadata = header["__metadata__"] as? [String: String] ?? [:]
        tensors = try header.filter { $0.key != "__metadata__" }.map { name, value in
            let entry = try #require(value as? [String: Any])
            let offsets = try #require(entry["data_offsets"] as? [Int])
            return Tensor(name: name, dtype: try #require(entry["dtype"] as? String), shape: try #require(entry["shape"] as? [Int]),
                          bytes: body.subdata(in: offsets[0]..<offsets[1]))
        }.sorted { $0.name < $1.name }
    }

    /// The file: tensors packed in order, no holes.
    func encoded() throws -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var body = Data(), offset = 0
        for t in tensors {
            header[t.name] = ["dtype": t.dtype, "shape": t.shape, "data_offsets": [offset, offset + t.bytes.count]]
            body.append(t.bytes)
            offset += t.bytes.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data((0..<8).map { UInt8((json.count >> (8 * $0)) & 0xFF) })
        file.append(json)
        file.append(body)
        return file
    }
}

/// `zoetrope render` on bad checkpoints and bad projects, end to end: exactly one line on stderr that names the file
/// and the tensor or field, a non-zero exit code, and no output file.
@Suite("zoetrope render: bad input", .enabled(if: CLI.isAvailable))
struct RenderBadInputTests {
    static let fixtureModel = EndToEndTestSupport.repositoryRoot
        .appendingPathComponent("Tests/EngineTests/Fixtures/animator_tiny.safetensors")

    /// A project over a 4-frame synthesized clip and the tiny model; `extra` is appended to the project's JSON object.
    func makeProject(_ extra: String = "", model: Data? = nil) throws -> URL {
        let dir = try EndToEndTestSupport.makeTemporaryDirectory()
        let synth = try CLI.run(["synth", "--out", "ds", "--identities", "1", "--clips", "1", "--frames", "4",
                                 "--size", "32", "--seed", "5"], in: dir)
        try #require(synth.status == 0, "\(synth.stderr)")
        try (model ?? Data(contentsOf: Self.fixtureModel)).write(to: dir.appendingPathComponent("model.safetensors"))
        let project = """
        {"reference": "ds/clip_00000/frames/0000.png", "poses": "ds/clip_00000/poses", "model": "model.safetensors",
         "steps": 2, "output": {"path": "out.mp4"}\(extra)}
        """
        try Data(project.utf8).write(to: dir.appendingPathComponent("p.zoetrope.json"))
        return dir
    }

    /// Runs the render and checks the failure: status, one stderr line holding every expected text, no output.
    func expectFailure(_ dir: URL, _ expected: [String], status: Int32 = 1, _ arguments: [String] = [],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try CLI.run(["render", "p.zoetrope.json"] + arguments, in: dir)
        #expect(run.status == status, "exit \(run.status): \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderrLines.count == 1, "expected one line, got: \(run.stderr)", sourceLocation: sourceLocation)
        for text in expected {
            #expect(run.stderr.contains(text), "\"\(text)\" not in: \(run.stderr)", sourceLocation: sourceLocation)
        }
        #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.mp4").path),
                "an output file was written", sourceLocation: sourceLocation)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") || $0.contains("out") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)", sourceLocation: sourceLocation)
    }

    // MARK: - Checkpoints

    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case otherArchitecture, noArchitecture, missingTensor, misshapedTensor, extraTensor, truncatedData, truncatedHeader
        case configNotJSON, configWrongType, configMissingField, configBadValue, configHuge, configOtherShape, noConfig
        var testDescription: String { rawValue }
    }

    /// The damaged checkpoint and the texts its error line must contain (besides the file name).
    func damaged(_ damage: Damage) throws -> (Data, [String]) {
        var parts = try SafetensorsParts(contentsOf: Self.fixtureModel)
        let config = try #require(parts.metadata["zoetrope.config"])
        func setConfig(_ transform: (inout [String: Any]) -> Void) throws {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any])
            transform(&object)
            parts.metadata["zoetrope.config"] = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        switch damage {
        case .otherArchitecture:
            parts.metadata["zoetrope.architecture"] = "sd15-unet"
            return (try parts.encoded(), ["architecture \"sd15-unet\" is not supported"])
        case .noArchitecture:
            parts.metadata["zoetrope.architecture"] = nil
            return (try parts.encoded(), ["not a Zoetrope animation model", "zoetrope.architecture"])
        case .missingTensor:
            parts.tensors.removeAll { $0.name == "unet.convOut.weight" }
            return (try parts.encoded(), ["missing parameter \"unet.convOut.weight\""])
        case .misshapedTensor:
            let i = try #require(parts.tensors.firstIndex { $0.name == "unet.convIn.weight" })
            let shape = parts.tensors[i].shape
            let swapped = [shape[1], shape[0]] + shape.dropFirst(2)
            #expect(swapped != shape)
            parts.tensors[i].shape = swapped
            return (try parts.encoded(), ["parameter \"unet.convIn.weight\" has shape \(swapped)", "expects \(shape)"])
        case .extraTensor:
            parts.tensors.append(.init(name: "unet.extra.weight", dtype: "F32", shape: [2], bytes: Data(count: 8)))
            return (try parts.encoded(), ["\"unet.extra.weight\" is not a parameter"])
        case .truncatedData:
            let whole = try parts.encoded()
            return (whole.prefix(whole.count - 1000), ["truncated"])
        case .truncatedHeader:
            return (try parts.encoded().prefix(200), ["header length", "truncated"])
        case .configNotJSON:
            parts.metadata["zoetrope.config"] = "{channels: lots"
            return (try parts.encoded(), ["model configuration is not valid", "not valid JSON"])
        case .configWrongType:
            try setConfig { $0["channels"] = ["eight", 16] }
            return (try parts.encoded(), ["model configuration is not valid", "field \"channels\"[0]: expected Int"])
        case .configMissingField:
            try setConfig { $0["heads"] = nil }
            return (try parts.encoded(), ["model configuration is not valid", "missing field \"heads\""])
        case .configBadValue:
            try setConfig { $0["normGroups"] = 3 }
            return (try parts.encoded(), ["\"normGroups\" 3 must divide every width"])
        case .configHuge:
            try setConfig { $0["channels"] = [8, 4_000_000] }
            return (try parts.encoded(), ["\"channels\"", "4000000"])
        case .configOtherShape:
            try setConfig { $0["channels"] = [8, 24] }
            return (try parts.encoded(), ["has shape", "the model expects"])
        case .noConfig:
            parts.metadata["zoetrope.config"] = nil
            return (try parts.encoded(), ["no model configuration", "zoetrope.config"])
        }
    }

    @Test("bad checkpoints: one line naming the file and the tensor or field, exit 1, no output",
          arguments: Damage.allCases)
    func badCheckpoint(_ damage: Damage) throws {
        let (bytes, expected) = try damaged(damage)
        let dir = try makeProject(model: bytes)
        try expectFailure(dir, ["model.safetensors"] + expected)
    }

    @Test("a checkpoint that is not a safetensors file, or a folder, or missing")
    func notACheckpoint() throws {
        let text = try makeProject(model: Data("hello, I am a text file\n".utf8))
        try expectFailure(text, ["model.safetensors", "header length"])
        let folder = try makeProject(", \"model\": \"ds\"")
        try expectFailure(folder, ["ds", "not a regular file"])
        let missing = try makeProject(", \"model\": \"nowhere.safetensors\"")
        try expectFailure(missing, ["nowhere.safetensors", "cannot open"])
    }

    // MARK: - Projects

    @Test("bad project values: one line naming the project file and the field, exit 1, no output", arguments: [
        (#", "steps": 0"#, "\"steps\" must be a whole number from 1 to 1000"),
        (#", "steps": 2.5"#, "\"steps\""),
        (#", "guidance": {"reference": -1}"#, "\"guidance.reference\" must be a number from 0"),
        (#", "guidance": {"prompt": "lots"}"#, "\"guidance.prompt\""),
        (#", "guidance": {"rescale": 1.5}"#, "\"guidance.rescale\""),
        (#", "sampler": "plms""#, "\"sampler\" must be one of ddim, euler, euler-a, dpmpp-2m"),
        (#", "reference_noise": 2"#, "\"reference_noise\" must be a number from 0"),
        (#", "shutter": -0.5"#, "\"shutter\""),
        (#", "seed": -1"#, "\"seed\""),
        (#", "context": {"length": 4, "overlap": 4}"#, "\"context.overlap\""),
        (#", "context": {"fusion": "median"}"#, "\"context.fusion\""),
        (#", "prompts": {"map": {"zero": "smiling"}}"#, "\"prompts.map\""),
        (#", "output": {"path": "out.mp4", "upscale": 0}"#, "\"output.upscale\""),
        (#", "fps": 0"#, "\"fps\""),
    ])
    func badValues(extra: String, expected: String) throws {
        let dir = try makeProject(extra)
        try expectFailure(dir, ["p.zoetrope.json", expected])
    }

    @Test("missing or unreadable reference: one line naming the image")
    func badReference() throws {
        let missing = try makeProject(#", "reference": "missing.png""#)
        try expectFailure(missing, ["missing.png"])
        let garbage = try makeProject(#", "reference": "garbage.png""#)
        try Data("not a png at all".utf8).write(to: garbage.appendingPathComponent("garbage.png"))
        try expectFailure(garbage, ["garbage.png"])
        let empty = try makeProject(#", "reference": "empty.png""#)
        try Data().write(to: empty.appendingPathComponent("empty.png"))
        try expectFailure(empty, ["empty.png"])
    }

    @Test("unreadable poses: one line naming the pose file and what is wrong")
    func badPoses() throws {
        // A corrupt file in the middle of the sequence.
        let corrupt = try makeProject()
        let poses = corrupt.appendingPathComponent("ds/clip_00000/poses")
        let second = try #require(try FileManager.default.contentsOfDirectory(atPath: poses.path).sorted().dropFirst().first)
        try Data("{\"people\": [{\"pose_keypoints_2d\": [1, 2, 3]}]}".utf8).write(to: poses.appendingPathComponent(second))
        try expectFailure(corrupt, [second])
        // Not JSON at all.
        let notJSON = try makeProject()
        let first = try #require(try FileManager.default.contentsOfDirectory(atPath: poses.path).sorted().first)
        try Data("\u{00}\u{01}binary".utf8).write(to: notJSON.appendingPathComponent("ds/clip_00000/poses").appendingPathComponent(first))
        try expectFailure(notJSON, [first])
        // An empty folder, and a missing one.
        let empty = try makeProject(#", "poses": "none""#)
        try FileManager.default.createDirectory(at: empty.appendingPathComponent("none"), withIntermediateDirectories: true)
        try expectFailure(empty, ["none"])
        let missing = try makeProject(#", "poses": "nowhere""#)
        try expectFailure(missing, ["nowhere"])
    }

    @Test("pose count differs from the frame count: one line naming both")
    func poseCount() throws {
        let dir = try makeProject(#", "frames": 7"#)
        try expectFailure(dir, ["p.zoetrope.json", "\"frames\" is 7", "4 poses"])
    }

    @Test("a project that is not JSON, or not an object, or lacks the reference")
    func badDocument() throws {
        let dir = try makeProject()
        try Data("{\"reference\": ".utf8).write(to: dir.appendingPathComponent("p.zoetrope.json"))
        try expectFailure(dir, ["p.zoetrope.json", "not valid JSON"])
        try Data("[1, 2]".utf8).write(to: dir.appendingPathComponent("p.zoetrope.json"))
        try expectFailure(dir, ["p.zoetrope.json", "object"])
        try Data("{\"poses\": \"ds/clip_00000/poses\"}".utf8).write(to: dir.appendingPathComponent("p.zoetrope.json"))
        try expectFailure(dir, ["p.zoetrope.json", "\"reference\" is missing"])
    }
}
