import Engine
import Foundation
import Media
import Testing

@Suite("Project document")
struct ProjectDocumentTests {
    func write(_ text: String, name: String = "p.zoetrope.json") throws -> URL {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test("save then load gives the same document, every field changed from its default")
    func roundTrip() throws {
        var doc = ProjectDocument(reference: "ref.png", poses: "poses/")
        doc.model = "models/m.safetensors"
        doc.seed = UInt64.max  // beyond Int64: must survive exactly
        doc.steps = 31; doc.sampler = "euler-a"; doc.frames = 48; doc.fps = 24
        doc.guidance.reference = 2.5; doc.guidance.pose = 1.25; doc.guidance.prompt = 7; doc.guidance.rampStart = 0.3
        doc.guidance.rescale = 0.7; doc.referenceNoise = 0.85; doc.shutter = 0.2
        doc.context.length = 12; doc.context.overlap = 3; doc.context.fusion = "triangular"; doc.context.loop = true
        doc.prompts.keyframes = [.init(frame: 0, prompt: "smiling, warm light"), .init(frame: 16, prompt: "eyes \"closed\"")]
        doc.prompts.head = "a dancer"; doc.prompts.tail = "studio"; doc.prompts.interpolation = "slerp"
        doc.prompts.holdRatio = 0.25; doc.prompts.wrap = true
        doc.output.path = "out/clip.gif"; doc.output.format = "gif"; doc.output.upscale = 2
        doc.output.filter = "lanczos3"; doc.output.layout = "reference|pose|result"
        let url = try write("{}")
        try doc.save(to: url)
        let back = try ProjectDocument.load(from: url)
        #expect(back == doc)
        #expect(back.seed == UInt64.max)
        #expect(back.prompts.keyframes.map(\.frame) == [0, 16])
        // A changed field really changes the document (equality is not vacuous).
        var other = back
        other.guidance.pose = 1.5
        #expect(other != back)
    }

    @Test("unknown fields from a newer version survive load and save, at the top level and nested")
    func keepsUnknownFields() throws {
        let url = try write("""
        {"zoetrope_project": 7, "reference": "r.png", "poses": "p.json", "future_flag": {"x": [1, 2]},
         "guidance": {"pose": 1.5, "face": 0.25}, "steps": 12}
        """)
        var doc = try ProjectDocument.load(from: url)
        #expect(doc.guidance.pose == 1.5 && doc.steps == 12)
        doc.steps = 13
        try doc.save(to: url)
        let json = try JSONParser.parse(Array(try Data(contentsOf: url)))
        #expect(json["future_flag"] == .object([("x", .array([.integer(1), .integer(2)]))]))
        #expect(json["guidance"]?["face"] == .number(0.25))
        #expect(json["guidance"]?["pose"] == .number(1.5))
        #expect(json["steps"] == .integer(13))
    }

    @Test("removed keyframes stay removed after a save")
    func removedKeyframes() throws {
        let url = try write(#"{"reference": "r.png", "poses": "p", "prompts": {"map": {"0": "a", "8": "b"}}}"#)
        var doc = try ProjectDocument.load(from: url)
        doc.prompts.keyframes.removeLast()
        try doc.save(to: url)
        #expect(try ProjectDocument.load(from: url).prompts.keyframes == [.init(frame: 0, prompt: "a")])
    }

    @Test("each bad value gives one line naming the file and the field", arguments: [
        (#"{"poses": "p"}"#, "\"reference\" is missing"),
        (#"{"reference": "r", "poses": "p", "steps": "many"}"#, "\"steps\" must be a whole number from 1 to 1000, found the string \"many\""),
        (#"{"reference": "r", "poses": "p", "steps": 0}"#, "\"steps\" must be a whole number from 1 to 1000, found the number 0"),
        (#"{"reference": "r", "poses": "p", "sampler": "heun"}"#, "\"sampler\" must be one of ddim, euler, euler-a, dpmpp-2m"),
        (#"{"reference": "r", "poses": "p", "guidance": {"pose": -1}}"#, "\"guidance.pose\" must be a number from 0.0 to 50.0"),
        (#"{"reference": "r", "poses": "p", "guidance": 3}"#, "\"guidance\" must be an object, found the number 3"),
        (#"{"reference": "r", "poses": "p", "context": {"length": 8, "overlap": 8}}"#, "\"context.overlap\" (8) must be smaller"),
        (#"{"reference": "r", "poses": "p", "prompts": {"map": {"x1": "a"}}}"#, "key \"x1\" is not a frame number"),
        (#"{"reference": "r", "poses": "p", "seed": -4}"#, "\"seed\" must be a whole number from 0"),
        (#"{"reference": "r", "poses": "p",}"#, "not valid JSON at line 1, column 33: expected a quoted member name"),
        ("[1, 2]", "expected a JSON object at the top level, found an array of 2"),
    ])
    func badValues(text: String, expected: String) throws {
        let url = try write(text)
        do {
            _ = try ProjectDocument.load(from: url)
            Issue.record("loaded \(text) but should have failed")
        } catch {
            #expect(error.description.hasPrefix(url.path + ": "))
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("missing file, folder, unreadable file")
    func badFiles() throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        #expect(throws: MediaFileError(url: dir.appendingPathComponent("none.json"), message: "no such file")) {
            try ProjectDocument.load(from: dir.appendingPathComponent("none.json"))
        }
        #expect(throws: MediaFileError(url: dir, message: "is a folder, expected a project file")) {
            try ProjectDocument.load(from: dir)
        }
    }

    @Test("saving into a missing folder fails with the file's name and leaves nothing behind")
    func unwritable() throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        let url = dir.appendingPathComponent("missing/p.zoetrope.json")
        #expect(throws: MediaFileError.self) { try ProjectDocument(reference: "r", poses: "p").save(to: url) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("a save replaces the file whole and leaves no temporary file")
    func atomicSave() throws {
        let url = try write(#"{"reference": "r", "poses": "p"}"#)
        var doc = try ProjectDocument.load(from: url)
        for steps in 1...20 { doc.steps = steps; try doc.save(to: url) }
        #expect(try ProjectDocument.load(from: url).steps == 20)
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["p.zoetrope.json"])
    }

    @Test("paths resolve against the project's folder")
    func resolvesPaths() {
        let project = URL(fileURLWithPath: "/home/a/demo/demo.zoetrope.json")
        #expect(ProjectDocument.resolve("ref.png", relativeTo: project).path == "/home/a/demo/ref.png")
        #expect(ProjectDocument.resolve("../x/p.json", relativeTo: project).path == "/home/a/x/p.json")
        #expect(ProjectDocument.resolve("/abs/r.png", relativeTo: project).path == "/abs/r.png")
    }
}
