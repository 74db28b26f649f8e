import Engine
import Foundation
import Testing

/// AdamW, clipping and schedules against PyTorch/diffusers (`python tools/torch/make_optim_fixtures.py`);
/// EMA, the module tree and gradient accumulation by their defining properties.
@Suite struct TrainingTests {
    static let file = try? SafetensorsFile(path: EngineTestSupport.fixtures.appendingPathComponent("optim.safetensors").path)

    static func maxRelErr(_ a: [Float], _ b: [Float]) -> Float {
        let e = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        return e / max(b.map(abs).max() ?? 0, 1e-12)
    }

    @Test func adamWWithClippingMatchesTorch() throws {
        let f = try #require(Self.file)
        let hp = try #require(try JSONSerialization.jsonObject(with: Data(f.metadataValue("hyper")!.utf8)) as? [String: Double])
        let params = try (0..<3).map { try f.tensor("p\($0).init") }
        var c = AdamW.Configuration()
        c.learningRate = Float(hp["lr"]!); c.beta1 = Float(hp["beta1"]!); c.beta2 = Float(hp["beta2"]!)
        c.eps = Float(hp["eps"]!); c.weightDecay = Float(hp["weight_decay"]!)
        let opt = AdamW(parameters: params, configuration: c)
        for s in 0..<Int(hp["steps"]!) {
            opt.zeroGrad()
            for (i, p) in params.enumerated() { p.grad = try f.tensor("p\(i).grad\(s)") }
            let norm = clipGradientNorm(params, maxNorm: Float(hp["max_norm"]!))
            #expect(abs(norm - (try f.tensor("norm\(s)").data[0])) <= 1e-5 * norm)
            opt.step()
            for (i, p) in params.enumerated() {
                let e = Self.maxRelErr(p.values, try f.tensor("p\(i).after\(s)").values)
                #expect(e <= 1e-5, "step \(s) p\(i): rel err \(e)")
            }
        }
    }

    @Test func schedulesMatchDiffusers() throws {
        let f = try #require(Self.file)
        let sch = try #require(try JSONSerialization.jsonObject(with: Data(f.metadataValue("schedules")!.utf8)) as? [String: [Double]])
        let cases: [(String, LearningRateSchedule)] = [("constant_warmup_5", .constantWithWarmup(warmup: 5)),
                                                      ("cosine_warmup_4_total_25", .cosineWithWarmup(warmup: 4, total: 25))]
        for (key, schedule) in cases {
            let ref = try #require(sch[key])
            for (step, want) in ref.enumerated() {
                #expect(abs(Double(schedule.multiplier(at: step)) - want) <= 1e-6, "\(key) step \(step)")
            }
        }
    }

    /// With decay d and a parameter held at constant c, the average after n updates is c + (e₀ − c)·Πd.
    @Test func emaConvergesGeometrically() {
        let p = Tensor(shape: [2], values: [0, 10])
        let ema = EMA(parameters: [p], decay: 0.9, warmup: false)
        p.data[0] = 1; p.data[1] = 0
        for _ in 0..<5 { ema.update() }
        let k = Float(pow(0.9, 5.0))
        #expect(abs(ema.shadow[0].data[0] - (1 - k)) < 1e-6)
        #expect(abs(ema.shadow[0].data[1] - 10 * k) < 1e-5)
        let warm = EMA(parameters: [p], decay: 0.999)
        #expect(warm.currentDecay == 0.1)
        ema.copyToParameters()
        #expect(p.data[1] == ema.shadow[0].data[1])
    }

    final class Block: Module {
        let norm1: GroupNormLayer, conv: Conv2dLayer
        init(rng: inout Philox) {
            norm1 = GroupNormLayer(groups: 2, channels: 4)
            conv = Conv2dLayer(4, 4, kernel: 3, padding: 1, rng: &rng)
            super.init()
            register("norm1", norm1)
            register("conv", conv)
        }
        func callAsFunction(_ x: Tensor) -> Tensor { conv(norm1(x).silu()) }
    }

    final class Net: Module {
        let blocks: [Block]
        let head: LinearLayer
        init(rng: inout Philox) {
            blocks = (0..<2).map { _ in Block(rng: &rng) }
            head = LinearLayer(4, 3, rng: &rng)
            super.init()
            let down = register("down", Module())
            for (i, b) in blocks.enumerated() { down.register("\(i)", b) }
            register("head", head)
        }
        func callAsFunction(_ x: Tensor) -> Tensor {
            var h = x
            for b in blocks { h = b(h) }
            return head(h.mean(axis: 3).mean(axis: 2))
        }
    }

    @Test func moduleTreeNamesSaveAndLoad() throws {
        var rng = Philox(seed: 1)
        let net = Net(rng: &rng)
        #expect(net.namedParameters().map(\.name) == [
            "down.0.norm1.weight", "down.0.norm1.bias", "down.0.conv.weight", "down.0.conv.bias",
            "down.1.norm1.weight", "down.1.norm1.bias", "down.1.conv.weight", "down.1.conv.bias",
            "head.weight", "head.bias"])
        #expect(net.parameterCount == 2 * (4 + 4 + 144 + 4) + 12 + 3)
        let dir = try EngineTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("net.safetensors").path
        try net.save(to: path, metadata: [("zoetrope.config", #"{"blocks":2}"#)])
        var rng2 = Philox(seed: 2)
        let other = Net(rng: &rng2)
        #expect(other.parameters[2].values != net.parameters[2].values)
        let file = try SafetensorsFile(path: path)
        try other.load(from: file)
        for (a, b) in zip(net.parameters, other.parameters) { #expect(a.values == b.values) }
        #expect(file.metadataValue("zoetrope.config") == #"{"blocks":2}"#)
        // A model of another shape is refused with a clear message.
        final class Small: Module { override init() { super.init(); register("head.weight", Tensor.zeros([2])) } }
        #expect(throws: SafetensorsError.self) { try Small().load(from: file) }
    }

    /// Gradients of two half-batches accumulated equal the gradient of the mean over the whole batch (× 2).
    @Test func gradientAccumulationMatchesFullBatch() {
        var rng = Philox(seed: 4)
        let net = Net(rng: &rng)
        let x = rng.normal([4, 4, 6, 6]), target = rng.normal([4, 3])
        let tape = Tape()
        tape.watch(net.parameters)
        tape.backward(mseLoss(net(x), target))
        let full = net.parameters.map { $0.grad!.values }
        for p in net.parameters { p.zeroGrad() }
        for half in 0..<2 {
            let t = Tape()
            t.watch(net.parameters)
            let xs = x.split([2, 2], axis: 0)[half].detached(), ts = target.split([2, 2], axis: 0)[half].detached()
            t.backward(mseLoss(net(xs), ts) * 0.5)
        }
        for (p, f) in zip(net.parameters, full) {
            #expect(zip(p.grad!.values, f).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        }
    }
}
