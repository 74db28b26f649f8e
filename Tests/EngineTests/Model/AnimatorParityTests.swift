import Engine
import Foundation
import Testing

/// The Swift network against its PyTorch mirror on the same weights and inputs.
/// Fixtures: `python tools/torch/make_model_fixtures.py` (PyTorch, float64 reference from float32 data).
@Suite("Animation network parity with PyTorch")
struct AnimatorParityTests {
    static let fixtures = EngineTestSupport.fixtures

    /// max |a − b| ≤ tol · max |b|.
    func close(_ a: Tensor, _ b: Tensor, _ tol: Float = 1e-4) -> (ok: Bool, relative: Float) {
        guard a.shape == b.shape else { return (false, .infinity) }
        var maxErr: Float = 0, maxRef: Float = 0
        for i in 0..<a.count {
            maxErr = max(maxErr, abs(a.data[i] - b.data[i]))
            maxRef = max(maxRef, abs(b.data[i]))
        }
        let rel = maxErr / max(maxRef, 1e-12)
        return (rel <= tol, rel)
    }

    @Test("full forward and every parameter's gradient match the PyTorch mirror within 1e-4 relative")
    func parity() throws {
        let net = try AnimatorNetwork.loadCheckpoint(path: Self.fixtures.appendingPathComponent("animator_tiny.safetensors").path)
        #expect(net.config == .tiny)
        let io = try SafetensorsFile(path: Self.fixtures.appendingPathComponent("animator_tiny_io.safetensors").path)
        let frames = net.config.frameWindow
        let tape = Tape()
        tape.watch(net.parameters)
        let ids = try io.tensor("ids")
        let idRows = (0..<ids.shape[0]).map { r in (0..<ids.shape[1]).map { Int(ids.data[r * ids.shape[1] + $0]) } }
        #expect(idRows[1] == net.prompt.tokenizer.tokenize("warm light").ids)
        let reference = net.reference(try io.tensor("ref_image")).mapValues { $0.repeatedInterleaved(frames) }
        let prompt = net.prompt(idRows).repeatedInterleaved(frames)
        let guidance = net.guidance(try io.tensor("conditions"))
        let v = net.unet(try io.tensor("x"), timesteps: try io.tensor("timesteps").values, frames: frames,
                         reference: reference, prompt: prompt, guidance: guidance)
        let forward = close(v, try io.tensor("v"))
        #expect(forward.ok, "forward relative error \(forward.relative)")
        tape.backward(v, seed: try io.tensor("gy"))
        var worst: (String, Float) = ("", 0)
        var compared = 0
        for (name, p) in net.namedParameters() {
            guard io.entry("grad." + name) != nil else { continue }
            let reference = try io.tensor("grad." + name)
            let g = try #require(p.grad, "\(name) has no gradient")
            let c = close(g, reference)
            if c.relative > worst.1 { worst = (name, c.relative) }
            #expect(c.ok, "gradient of \(name): relative error \(c.relative)")
            compared += 1
        }
        #expect(compared >= net.namedParameters().count - 1)  // unused rows aside, every parameter is compared
        print("animator parity: forward \(forward.relative), worst gradient \(worst.0) \(worst.1), \(compared) gradients")
    }
}
