import Engine
import Foundation
import Testing

/// Every engine operation against PyTorch, forward and backward.
///
/// Reference values: `python tools/torch/make_op_fixtures.py` (float64 PyTorch on float32 inputs; `make parity`
/// regenerates them and reruns these tests). Criterion: max |error| ≤ 1e-4·max |reference| per tensor.
@Suite struct OpParityTests {
    struct Case: @unchecked Sendable, CustomStringConvertible {
        let key: String, op: String, params: [String: Any], inputs: [String]
        var description: String { key }
    }

    static let file: SafetensorsFile? = try? SafetensorsFile(path: EngineTestSupport.fixtures.appendingPathComponent("ops.safetensors").path)

    static let cases: [Case] = {
        guard let file, let text = file.metadataValue("cases"),
              let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else { return [] }
        return list.map { Case(key: $0["key"] as! String, op: $0["op"] as! String,
                               params: $0["params"] as? [String: Any] ?? [:], inputs: $0["inputs"] as! [String]) }
    }()

    /// (forward, backward) relative errors of one case: max|a − b| / max|b|, worst over the case's tensors.
    static func errors(_ c: Case) throws -> (Float, Float) {
        let file = try #require(file)
        let tape = Tape()
        var inputs: [String: Tensor] = [:]
        for name in c.inputs {
            let t = try file.tensor("\(c.key).in.\(name)")
            tape.watch(t)
            inputs[name] = t
        }
        let y = OpRunner.run(op: c.op, params: c.params, inputs: inputs)
        let ref = try file.tensor("\(c.key).y")
        #expect(y.count == ref.count, "\(c.key): output shape \(y.shape), reference \(ref.shape)")
        let forward = relativeError(y, ref)
        let gy = try file.tensor("\(c.key).gy")
        tape.backward(y, seed: Tensor(shape: y.shape, values: gy.values))
        var backward: Float = 0
        for name in c.inputs {
            let refGrad = try file.tensor("\(c.key).grad.\(name)")
            if name == "mask" || name == "t" && c.op != "timestep_embedding" { continue }
            guard let g = inputs[name]?.grad else {
                // No gradient reached the input: only fine when the reference gradient is zero.
                backward = max(backward, refGrad.values.map(abs).max() ?? 0 > 0 ? 1 : 0)
                continue
            }
            let e = relativeError(g, refGrad)
            if e > 1e-4 { print("\(c.key) grad \(name): rel err \(e), first values \(g.values.prefix(4)) vs \(refGrad.values.prefix(4))") }
            backward = max(backward, e)
        }
        return (forward, backward)
    }

    static func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.count == b.count else { return .infinity }
        var maxErr: Float = 0, maxRef: Float = 0
        for i in 0..<a.count {
            maxErr = max(maxErr, abs(a.data[i] - b.data[i]))
            maxRef = max(maxRef, abs(b.data[i]))
            if a.data[i].isNaN { return .infinity }
        }
        // A reference that is analytically zero (e.g. dγ of a 1-channel layer norm) comes out of float64 as
        // ~1e-15 noise; such tensors are compared absolutely.
        return maxRef < 1e-10 ? maxErr * 1e4 : maxErr / maxRef
    }

    @Test func fixtureIsPresent() throws {
        #expect(Self.cases.count >= 90, "ops.safetensors missing or incomplete; run python tools/torch/make_op_fixtures.py")
    }

    @Test(arguments: cases) func parity(_ c: Case) throws {
        let (f, b) = try Self.errors(c)
        #expect(f <= 1e-4, "\(c.key) forward: max rel err \(f)")
        #expect(b <= 1e-4, "\(c.key) backward: max rel err \(b)")
    }

    /// Prints the per-operation table (worst case over shapes) for the report: `swift test --filter parityTable`.
    @Test func parityTable() throws {
        var table: [String: (Float, Float, Int)] = [:]
        var order: [String] = []
        for c in Self.cases {
            let (f, b) = try Self.errors(c)
            if table[c.op] == nil { order.append(c.op) }
            let prev = table[c.op] ?? (0, 0, 0)
            table[c.op] = (max(prev.0, f), max(prev.1, b), prev.2 + 1)
        }
        var lines = ["op                   cases  fwd max rel err  bwd max rel err"]
        for op in order {
            let (f, b, n) = table[op]!
            lines.append(op.padding(toLength: 20, withPad: " ", startingAt: 0) + " \(n)".padding(toLength: 7, withPad: " ", startingAt: 0)
                         + String(format: "%.2e", f).padding(toLength: 17, withPad: " ", startingAt: 0) + String(format: "%.2e", b))
        }
        print(lines.joined(separator: "\n"))
    }
}
