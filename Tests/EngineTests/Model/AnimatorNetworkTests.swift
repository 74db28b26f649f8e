import Engine
import Foundation
import Testing

@Suite("Animation network")
struct AnimatorNetworkTests {
    /// Inputs for the tiny configuration: 2 clips × F frames.
    func inputs(_ net: AnimatorNetwork, clips: Int = 2, seed: UInt64 = 7) -> (x: Tensor, ref: [Int: Tensor], prompt: Tensor, guidance: [Tensor]) {
        let c = net.config, f = c.frameWindow, s = c.imageSize
        var rng = Philox(seed: seed)
        let x = rng.normal([clips * f, 3, s, s])
        let refImage = rng.normal([clips, 3, s, s])
        let ref = net.reference(refImage).mapValues { $0.repeatedInterleaved(f) }
        let ids = (0..<clips).map { net.prompt.tokenizer.tokenize($0 == 0 ? "smiling" : "warm light").ids }
        let prompt = net.prompt(ids).repeatedInterleaved(f)
        let guidance = net.guidance(rng.normal([clips * f, c.conditionChannels, s, s]))
        return (x, ref, prompt, guidance)
    }

    @Test("forward gives a v-prediction of the input's shape, deterministic for a seed")
    func forwardShape() throws {
        let net = try AnimatorNetwork(config: .tiny, seed: 1)
        let (x, ref, prompt, guidance) = inputs(net)
        let ts = [Float](repeating: 500, count: x.shape[0])
        let v = net.unet(x, timesteps: ts, frames: net.config.frameWindow, reference: ref, prompt: prompt, guidance: guidance)
        #expect(v.shape == x.shape)
        #expect(v.values.allSatisfy { $0.isFinite })
        let net2 = try AnimatorNetwork(config: .tiny, seed: 1)
        let (x2, ref2, prompt2, guidance2) = inputs(net2)
        let v2 = net2.unet(x2, timesteps: ts, frames: net.config.frameWindow, reference: ref2, prompt: prompt2, guidance: guidance2)
        #expect(v.values == v2.values)
    }

    @Test("zero-initialised branches: temporal layers and guidance start as identity")
    func zeroInitialised() throws {
        var image = AnimatorConfig.tiny
        image.hasTemporal = false
        let video = try AnimatorNetwork(config: .tiny, seed: 3)
        let still = try AnimatorNetwork(config: image, seed: 3)
        // Copy the image model's weights into the video model's shared parameters.
        let stillParams = Dictionary(uniqueKeysWithValues: still.namedParameters().map { ($0.name, $0.tensor) })
        var copied = 0
        for (name, t) in video.namedParameters() {
            if let s = stillParams[name], s.shape == t.shape { t.data.update(from: s.data, count: t.count); copied += 1 }
        }
        #expect(copied == stillParams.count)
        let (x, ref, prompt, guidance) = inputs(video)
        let ts = [Float](repeating: 250, count: x.shape[0])
        let f = video.config.frameWindow
        let a = video.unet(x, timesteps: ts, frames: f, reference: ref, prompt: prompt, guidance: guidance)
        let b = still.unet(x, timesteps: ts, frames: f, reference: ref, prompt: prompt, guidance: guidance)
        let c = still.unet(x, timesteps: ts, frames: f, reference: ref, prompt: prompt, guidance: nil)
        let maxDiff = zip(a.values, b.values).map { abs($0 - $1) }.max() ?? 0
        #expect(maxDiff < 1e-5)
        #expect(zip(b.values, c.values).map { abs($0 - $1) }.max() ?? 1 < 1e-6)
    }

    @Test("every parameter receives a gradient; the reference and prompt change the output")
    func gradientsReachEveryParameter() throws {
        let net = try AnimatorNetwork(config: .tiny, seed: 5)
        // Give the zero-initialised projections some weight so gradients flow through every branch.
        var rng = Philox(seed: 11)
        for (name, t) in net.namedParameters() where name.hasSuffix("projOut.weight") || name.contains(".zero.") {
            let r = rng.normal(t.shape)
            for i in 0..<t.count { t.data[i] = 0.1 * r.data[i] }
        }
        let tape = Tape()
        tape.watch(net.parameters)
        let (x, ref, prompt, guidance) = inputs(net)
        let v = net.unet(x, timesteps: [Float](repeating: 100, count: x.shape[0]), frames: net.config.frameWindow,
                         reference: ref, prompt: prompt, guidance: guidance)
        let loss = mseLoss(v, x)
        tape.backward(loss)
        let missing = net.namedParameters().filter { p in
            guard let g = p.tensor.grad else { return true }
            return !g.values.contains { $0 != 0 }
        }.map(\.name)
        // Unused token embeddings (words absent from the prompts) rightly get no gradient.
        #expect(missing.allSatisfy { $0 == "prompt.tokens" }, "no gradient: \(missing)")
    }

    @Test("checkpoint round trip keeps every tensor and the configuration")
    func checkpointRoundTrip() throws {
        let net = try AnimatorNetwork(config: .tiny, seed: 9)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zt-net-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("m.safetensors").path
        try net.saveCheckpoint(to: path)
        let other = try AnimatorNetwork.loadCheckpoint(path: path)
        #expect(other.config == net.config)
        for (a, b) in zip(net.namedParameters(), other.namedParameters()) {
            #expect(a.name == b.name && a.tensor.values == b.tensor.values)
        }
    }

    @Test("bad checkpoints: another architecture, missing tensor, wrong shape — one line naming the file")
    func badCheckpoints() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zt-net-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let net = try AnimatorNetwork(config: .tiny, seed: 9)
        let plain = dir.appendingPathComponent("plain.safetensors").path
        try net.save(to: plain)   // no architecture metadata
        let other = dir.appendingPathComponent("other.safetensors").path
        try net.save(to: other, metadata: [("zoetrope.architecture", "sd15-unet")])
        let partial = dir.appendingPathComponent("partial.safetensors").path
        let json = String(decoding: try JSONEncoder().encode(net.config), as: UTF8.self)
        try SafetensorsWriter.write(net.namedParameters().dropLast().map { .init(name: $0.name, tensor: $0.tensor, dtype: .f32) },
                                    metadata: [("zoetrope.architecture", AnimatorNetwork.architecture), ("zoetrope.config", json)],
                                    to: partial)
        var wider = AnimatorConfig.tiny
        wider.channels = [8, 24]
        let reshaped = dir.appendingPathComponent("reshaped.safetensors").path
        let widerJSON = String(decoding: try JSONEncoder().encode(wider), as: UTF8.self)
        try net.save(to: reshaped, metadata: [("zoetrope.architecture", AnimatorNetwork.architecture), ("zoetrope.config", widerJSON)])
        let cases: [(String, String)] = [
            (plain, "not a Zoetrope animation model"),
            (other, "architecture \"sd15-unet\" is not supported"),
            (partial, "missing parameter \"prompt.norm.bias\""),
            (reshaped, "has shape"),
        ]
        for (path, expected) in cases {
            do {
                _ = try AnimatorNetwork.loadCheckpoint(path: path)
                Issue.record("\(path) loaded")
            } catch {
                #expect(error.description.contains(path) && error.description.contains(expected), "\(error.description)")
            }
        }
    }
}
