import Foundation
import Testing

/// `zoetrope synth` end to end: same seed → byte-identical folders; bad arguments → one clear line.
@Suite struct SynthCommandTests {
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["ZOETROPE_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return EndToEndTestSupport.repositoryRoot.appendingPathComponent(".build/release/zoetrope")
    }

    static func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static func files(_ root: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = e?.nextObject() as? URL {
            if (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
                out[String(url.path.dropFirst(root.path.count))] = try Data(contentsOf: url)
            }
        }
        return out
    }

    @Test func sameSeedWritesIdenticalBytes() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            Issue.record("zoetrope binary not found at \(Self.binary.path); build it first (make test does)")
            return
        }
        let tmp = try EndToEndTestSupport.makeTemporaryDirectory()
        let args = ["synth", "--identities", "3", "--clips", "4", "--frames", "3", "--size", "32", "--seed", "11"]
        for name in ["a", "b"] {
            let r = try Self.run(args + ["--out", tmp.appendingPathComponent(name).path])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = try Self.files(tmp.appendingPathComponent("a")), b = try Self.files(tmp.appendingPathComponent("b"))
        #expect(a.count == 2 + 4 * (1 + 3 * 6))
        #expect(a == b)
        #expect(a["/clip_00000/poses/0000_keypoints.json"] != nil && a["/captions.jsonl"] != nil)
        let c = try Self.run(["synth", "--identities", "3", "--clips", "4", "--frames", "3", "--size", "32", "--seed", "12",
                              "--out", tmp.appendingPathComponent("c").path])
        #expect(c.status == 0)
        #expect(try Self.files(tmp.appendingPathComponent("c"))["/clip_00000/frames/0000.png"] != a["/clip_00000/frames/0000.png"])
        // Refuses to write into a non-empty folder.
        let again = try Self.run(args + ["--out", tmp.appendingPathComponent("a").path])
        #expect(again.status != 0 && again.stderr.contains("folder exists and is not empty"))
        let bad = try Self.run(["synth", "--out", tmp.appendingPathComponent("d").path, "--size", "4"])
        #expect(bad.status != 0 && bad.stderr.contains("frame size 4×4 is out of range"))
    }
}
