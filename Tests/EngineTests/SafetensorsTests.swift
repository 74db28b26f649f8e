import Engine
import Foundation
import Testing

/// Interoperability with Python's `safetensors` both ways, and rejection of malformed or hostile files.
@Suite struct SafetensorsTests {
    static let interop = EngineTestSupport.fixtures.appendingPathComponent("interop.safetensors").path

    /// The formula of `tools/torch/make_safetensors_fixture.py`, in float32 as PyTorch evaluates it.
    static func formula(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        let half = Float(n) / 2
        let t = Tensor(shape: shape)
        for i in 0..<n {
            let fi = Float(i)
            t.data[i] = (fi - half) * Float(0.37) + Float(0.001) * fi * fi
        }
        return t
    }

    static let items: [(String, [Int], SafetensorsDType)] = [
        ("down.0.res.1.norm1.weight", [5], .f32), ("down.0.conv.weight", [4, 3, 3, 3], .f32),
        ("mid.attn.to_q.weight", [6, 7], .f16), ("up.1.proj.bias", [3], .bf16), ("scalar", [], .f32),
        ("empty", [0, 4], .f32), ("big.bf16", [2, 33], .bf16),
    ]
    static let config = #"{"channels": [32, 64], "attention": true, "name": "tiny \"quoted\" \u00fc"}"#

    /// Written by `python tools/torch/make_safetensors_fixture.py`: names, dtypes, shapes, values and metadata.
    @Test func readsPythonFile() throws {
        let file = try SafetensorsFile(path: Self.interop)
        #expect(file.metadataValue("zoetrope.config") == Self.config)
        #expect(file.entries.count == Self.items.count)
        for (name, shape, dtype) in Self.items {
            let e = try #require(file.entry(name))
            #expect(e.dtype == dtype && e.shape == shape, "\(name)")
            let got = try file.tensor(name).values
            // PyTorch rounded the float32 values to the stored dtype; Float16/bfloat16 rounding must agree exactly.
            let want = Self.formula(shape).values.map { v -> Float in
                switch dtype {
                case .f16: return Float(Float16(v))
                case .bf16: return Float(bitPattern: UInt32(Self.bf16(v)) << 16)
                default: return v
                }
            }
            #expect(got == want, "\(name)")
        }
    }

    static func bf16(_ v: Float) -> UInt16 {
        let bits = v.bitPattern
        return UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// The engine's writer reproduces the Python file byte for byte (so Python reads ours exactly as its own).
    @Test func writesWhatPythonWrites() throws {
        let items = Self.items.map { SafetensorsWriter.Item(name: $0.0, tensor: Self.formula($0.1), dtype: $0.2) }
        let bytes = try SafetensorsWriter.encode(items, metadata: [("zoetrope.config", Self.config)])
        let python = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.interop)))
        #expect(bytes.count == python.count)
        #expect(bytes == python)
    }

    /// Write then read: F32 exact, F16/BF16 within their rounding; metadata kept; no temporary file left behind.
    @Test func roundTrip() throws {
        let dir = try EngineTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.safetensors").path
        var rng = Philox(seed: 11)
        let a = rng.normal([3, 5, 7]), b = rng.normal([129]), c = rng.normal([2, 2])
        try SafetensorsWriter.write([.init(name: "a", tensor: a), .init(name: "b", tensor: b, dtype: .f16),
                                     .init(name: "c", tensor: c, dtype: .bf16)],
                                    metadata: [("k", "v"), ("zoetrope.config", "{}")], to: path)
        let f = try SafetensorsFile(path: path)
        #expect(try f.tensor("a").values == a.values)
        #expect(zip(try f.tensor("b").values, b.values).allSatisfy { abs($0 - $1) <= 1e-3 * max(1, abs($1)) })
        #expect(zip(try f.tensor("c").values, c.values).allSatisfy { abs($0 - $1) <= 8e-3 * max(1, abs($1)) })
        #expect(f.metadata.map(\.key) == ["k", "zoetrope.config"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.safetensors"])
    }

    // MARK: - Malicious files

    /// A file from a header string and a data size.
    static func file(header: String, data: Int, lengthOverride: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        var out = [UInt8]()
        withUnsafeBytes(of: (lengthOverride ?? UInt64(h.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: h)
        out.append(contentsOf: [UInt8](repeating: 0, count: data))
        return out
    }

    static let malicious: [(String, [UInt8], String)] = [
        ("short", [1, 2, 3], "shorter than the 8-byte header length"),
        ("header beyond file", file(header: "{}", data: 0, lengthOverride: 1 << 40), "beyond the end of the file"),
        ("header length max", file(header: "{}", data: 0, lengthOverride: .max), "beyond the end of the file"),
        ("not JSON", file(header: "{\"a\": [1, 2,, ]}", data: 0), "not valid JSON"),
        ("binary header", [16, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 16), "not valid JSON"),
        ("not an object", file(header: "[1, 2]", data: 0), "not a JSON object"),
        ("overlapping", file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: 12), "overlap"),
        ("outside data", file(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: 8), "outside the 8-byte data buffer"),
        ("misaligned", file(header: #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#, data: 6), "not a multiple of the 4-byte element size"),
        ("span mismatch", file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 8), "but data_offsets span 8 bytes"),
        ("duplicate names", file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 4), "duplicate key \"a\""),
        ("10^12 elements", file(header: #"{"a":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,16]}}"#, data: 16), "1000000000000 elements"),
        ("overflowing shape", file(header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,16]}}"#, data: 16), "overflow"),
        ("negative dim", file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: 4), "non-negative integers"),
        ("fractional offset", file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.5]}}"#, data: 4), "outside the"),
        ("unknown dtype", file(header: #"{"a":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}}"#, data: 4), "unknown dtype"),
        ("hole", file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8), "leaving a hole"),
        ("trailing bytes", file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 12), "trailing or missing bytes"),
        ("deep nesting", file(header: String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), data: 0), "nested deeper"),
        ("metadata not strings", file(header: #"{"__metadata__":{"a":1}}"#, data: 0), "is not a string"),
        ("unterminated string", file(header: "{\"abc", data: 0), "unterminated string"),
    ]

    @Test(arguments: malicious.indices) func rejectsMaliciousFile(_ i: Int) throws {
        let (name, bytes, phrase) = Self.malicious[i]
        let dir = try EngineTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad.safetensors").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try SafetensorsFile(path: path)
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.description.hasPrefix("checkpoint \(path): "), "\(name): \(error)")
            #expect(error.description.contains(phrase), "\(name): \(error)")
        }
        // End to end: one line on stderr, exit status 1, no crash.
        let result = try runZoetrope(["inspect", "weights", path])
        #expect(result.status == 1, "\(name): exit status \(result.status)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains(phrase) == true, "\(name): stderr \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// 20 000 random mutations of a valid file (bytes flipped, truncated, extended): the parser only ever returns
    /// entries or throws. (A libFuzzer target for the same entry point is future work.)
    @Test func mutationsNeverCrash() throws {
        let valid = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.interop)))
        var rng = Philox(seed: 99)
        var accepted = 0
        for round in 0..<20_000 {
            var bytes = valid
            let (w0, w1, w2, w3) = rng.words(UInt64(round))
            switch w0 % 4 {
            case 0: for k in 0..<Int(w1 % 4 + 1) { bytes[Int((w2 &+ UInt32(k) &* 7919) % UInt32(min(bytes.count, 700)))] ^= UInt8(truncatingIfNeeded: w3 >> (k * 8)) | 1 }
            case 1: bytes.removeLast(Int(w1 % UInt32(bytes.count)))
            case 2: bytes[Int(w1 % 8)] = UInt8(truncatingIfNeeded: w2)
            default: bytes.insert(UInt8(truncatingIfNeeded: w2), at: Int(w1 % UInt32(min(bytes.count, 700))))
            }
            let ok: Bool = bytes.withUnsafeBytes { raw in (try? SafetensorsFile.parseHeader(raw)) != nil }
            if ok { accepted += 1 }
        }
        #expect(accepted < 20_000)
    }

    @Test func inspectListsEveryTensor() throws {
        let r = try runZoetrope(["inspect", "weights", Self.interop, "--json"])
        #expect(r.status == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let tensors = try #require(doc["tensors"] as? [[String: Any]])
        #expect(tensors.count == Self.items.count)
        #expect((doc["metadata"] as? [String: String])?["zoetrope.config"] == Self.config)
        for (name, shape, dtype) in Self.items {
            let t = tensors.first { $0["name"] as? String == name }
            #expect(t?["dtype"] as? String == dtype.rawValue)
            #expect((t?["shape"] as? [Int]) == shape)
        }
        let text = try runZoetrope(["inspect", "weights", Self.interop])
        #expect(text.status == 0 && text.stdout.contains("mid.attn.to_q.weight") && text.stdout.contains("F16      [6, 7]"))
    }
}

/// Runs the built `zoetrope` binary (`ZOETROPE_BIN`, else `.build/release/zoetrope`).
func runZoetrope(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let bin = ProcessInfo.processInfo.environment["ZOETROPE_BIN"]
        ?? EngineTestSupport.repositoryRoot.appendingPathComponent(".build/release/zoetrope").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: bin)
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationReason == .exit, "zoetrope \(arguments) died from a signal")
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
