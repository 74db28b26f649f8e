import Dancers
import Engine
import Foundation
import Imaging

/// Accumulated scores of one method over the evaluated frames.
struct EvalScores {
    /// Per-frame values, averaged at the end (PSNR is averaged in dB, per frame, as video papers report it).
    var psnr: [Double] = [], ssim: [Double] = [], l1: [Double] = []
    var facePSNR: [Double] = [], faceSSIM: [Double] = [], faceL1: [Double] = []
    var handPSNR: [Double] = [], handL1: [Double] = []
    var fastHandPSNR: [Double] = [], fastHandL1: [Double] = []
    var flicker: [Double] = []

    /// Hand speed (pixels per frame on a 64-pixel frame) above which a frame counts as fast motion.
    static let fastSpeed: Float = 4
    /// Side of SSIM's Gaussian window (scikit-image's `gaussian_weights=True` default).
    static let ssimWindow = 11

    mutating func add(result: [RGBImage], truth: [RGBImage], frames: [DancerFrame], size: Int) throws {
        for (i, (g, t)) in zip(result, truth).enumerated() {
            psnr.append(min(99, try ImageMetrics.psnr(g, t)))
            ssim.append(try ImageMetrics.ssim(g, t))
            l1.append(try ImageMetrics.l1(g, t))
            let pose = frames[i].pose
            let face = ConditionMaps.faceMask(pose, width: size, height: size)
            if face.contains(where: { $0 > 0 }) {
                facePSNR.append(min(99, try ImageMetrics.psnr(g, t, mask: face)))
                faceL1.append(try ImageMetrics.l1(g, t, mask: face))
                if let box = ConditionMaps.faceBox(pose, width: size, height: size), size >= Self.ssimWindow {
                    // SSIM needs an 11×11 window: grow the face box to at least that, kept inside the frame.
                    func span(_ lo: Float, _ hi: Float) -> (Int, Int) {
                        let len = max(Self.ssimWindow, Int((hi - lo).rounded(.up)))
                        let start = min(max(0, Int(((lo + hi) / 2).rounded()) - len / 2), size - min(len, size))
                        return (start, min(len, size))
                    }
                    let (x0, w) = span(box.x0, box.x1), (y0, h) = span(box.y0, box.y1)
                    faceSSIM.append(try ImageMetrics.ssim(g, t, region: PixelRect(x: x0, y: y0, width: w, height: h)))
                }
            }
            let hands = ConditionMaps.handMask(pose, width: size, height: size)
            if hands.contains(where: { $0 > 0 }) {
                let p = min(99, try ImageMetrics.psnr(g, t, mask: hands)), e = try ImageMetrics.l1(g, t, mask: hands)
                handPSNR.append(p)
                handL1.append(e)
                let speed = (frames[i].handSpeed.max() ?? 0) * 64 / Float(size)
                if speed >= Self.fastSpeed {
                    fastHandPSNR.append(p)
                    fastHandL1.append(e)
                }
            }
            if i > 0 {
                // Flicker: mean |Δ generated − Δ truth| between consecutive frames, on the [0, 1] scale.
                let a0 = result[i - 1].pixels, a1 = g.pixels, b0 = truth[i - 1].pixels, b1 = t.pixels
                var sum = 0.0
                for k in 0..<a1.count {
                    sum += abs((Double(a1[k]) - Double(a0[k])) - (Double(b1[k]) - Double(b0[k])))
                }
                flicker.append(sum / Double(a1.count) / 255)
            }
        }
    }

    static func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }
}

/// A fixed, seeded random convolutional feature extractor (3 strided 3×3 convolutions with SiLU, global average
/// pooling of each level: 16 + 32 + 64 features). Untrained on purpose: the same for every model, so the Fréchet
/// distance over its features is a reproducible proxy for how far two sets of frames are apart.
final class RandomFeatureNetwork {
    let convs: [Conv2dLayer]

    init(seed: UInt64) {
        var rng = Philox(seed: seed)
        convs = [Conv2dLayer(3, 16, kernel: 3, stride: 2, padding: 1, rng: &rng),
                 Conv2dLayer(16, 32, kernel: 3, stride: 2, padding: 1, rng: &rng),
                 Conv2dLayer(32, 64, kernel: 3, stride: 2, padding: 1, rng: &rng)]
    }

    func callAsFunction(_ image: RGBImage) -> [Double] {
        var h = Tensor(shape: [1, 3, image.height, image.width], values: image.planarFloats())
        var out: [Double] = []
        for conv in convs {
            h = conv(h).silu()
            let c = h.shape[1], n = h.shape[2] * h.shape[3]
            for ch in 0..<c {
                var s = 0.0
                for i in 0..<n { s += Double(h.data[ch * n + i]) }
                out.append(s / Double(n))
            }
        }
        return out
    }
}

/// Ground truth above, result below, one column per frame.
enum ContactSheetRow {
    static func make(truth: [RGBImage], result: [RGBImage]) -> RGBImage {
        let w = truth[0].width, h = truth[0].height
        var sheet = RGBImage(width: w * truth.count, height: 2 * h)
        for (row, images) in [truth, result].enumerated() {
            for (i, img) in images.enumerated() {
                for y in 0..<h {
                    for x in 0..<w {
                        sheet[i * w + x, row * h + y] = img[x, y]
                    }
                }
            }
        }
        return sheet
    }
}

/// The evaluation table, as markdown and JSON.
struct EvalReport {
    let checkpoint: String
    let clips: Int
    let frames: Int
    let steps: Int
    let guidance: Double
    let sampler: String
    let referenceNoise: Double
    let methods: [String]
    let scores: [EvalScores]
    let fd: [Double?]

    private var columns: [(String, (EvalScores) -> [Double])] {
        [("PSNR dB", \.psnr), ("SSIM", \.ssim), ("L1", \.l1), ("face PSNR", \.facePSNR), ("face SSIM", \.faceSSIM),
         ("face L1", \.faceL1), ("hand PSNR", \.handPSNR), ("hand L1", \.handL1), ("fast-hand PSNR", \.fastHandPSNR),
         ("fast-hand L1", \.fastHandL1), ("flicker", \.flicker)]
    }

    var markdown: String {
        var s = "Held-out Dancers (test split): \(clips) clips × \(frames) frames, \(steps) \(sampler) steps, guidance \(guidance), start noise \(referenceNoise); checkpoint `\(checkpoint)`\n\n"
        s += "| method | " + columns.map(\.0).joined(separator: " | ") + " | FD (proxy) |\n"
        s += "|---|" + columns.map { _ in "---:" }.joined(separator: "|") + "|---:|\n"
        for (m, name) in methods.enumerated() {
            let cells = columns.map { c -> String in
                guard let v = EvalScores.mean(c.1(scores[m])) else { return "–" }
                return c.0.contains("PSNR") ? String(format: "%.2f", v) : String(format: "%.4f", v)
            }
            s += "| \(name) | " + cells.joined(separator: " | ") + " | " + (fd[m].map { String(format: "%.3f", $0) } ?? "–") + " |\n"
        }
        s += "\nFast-hand frames: hand speed ≥ \(EvalScores.fastSpeed) px/frame at 64 px. Flicker: mean |Δgenerated − Δtruth| between consecutive frames. FD (proxy): Fréchet distance of seeded random-conv features, not FVD.\n"
        return s
    }

    var json: String {
        var methodsJSON: [(String, JSONValue)] = []
        for (m, name) in methods.enumerated() {
            var fields: [(String, JSONValue)] = columns.map { c in
                (c.0, EvalScores.mean(c.1(scores[m])).map { JSONValue.number($0) } ?? .null)
            }
            fields.append(("FD (proxy)", fd[m].map { JSONValue.number($0) } ?? .null))
            methodsJSON.append((name, .object(fields)))
        }
        return JSONValue.object([
            ("checkpoint", .string(checkpoint)), ("clips", .number(Double(clips))), ("frames", .number(Double(frames))),
            ("steps", .number(Double(steps))), ("guidance", .number(guidance)),
            ("sampler", .string(sampler)), ("referenceNoise", .number(referenceNoise)), ("methods", .object(methodsJSON)),
        ]).serialized() + "\n"
    }
}

/// One-step denoising on held-out clips: noise the ground truth to x_t, let the model predict v with every condition,
/// and score x̂0 = √ᾱ x_t − √(1−ᾱ) v̂ against the truth, per timestep. A model that trained well scores high at small t
/// and degrades smoothly; it shows whether sampling or the network is at fault when generated clips look wrong.
enum DenoisingCheck {
    static func run(network: AnimatorNetwork, dancers: DancerGenerator, clips: Int, frames: Int, referenceOffset: Int) throws -> String {
        let c = network.config, s = c.imageSize, n = s * s
        let abar = (network.noise ?? SamplerConfig()).noiseSchedule.alphasCumprod
        var lines = ["| t | √ᾱ | v MSE | x̂0 PSNR dB |", "|---:|---:|---:|---:|"]
        for t in [50, 250, 500, 750, 900, 999] {
            var mse = 0.0, psnr = 0.0, count = 0
            for k in 0..<clips {
                let clip = dancers.clip(k)
                let window = Array(clip.frames[0..<min(frames, c.frameWindow)])
                let f = window.count
                let reference = dancers.clip(k + referenceOffset).frames[frames / 2].image
                let x0 = window.flatMap { $0.image.planarFloats() }
                var rng = Philox(seed: UInt64(1000 + k))
                let eps = rng.normal([x0.count]).values
                let alpha = abar[t].squareRoot(), sigma = (1 - abar[t]).squareRoot()
                let xt = zip(x0, eps).map { alpha * $0 + sigma * $1 }
                let cues = window.map(\.sharpness)
                let conditions = ConditionMaps.clip(poses: window.map(\.pose), cues: cues, size: s)
                let refTokens = network.reference(Tensor(shape: [1, 3, s, s], values: reference.planarFloats()))
                var tokens: [Int: Tensor] = [:]
                for (l, tk) in refTokens { tokens[l] = tk.repeatedRows(f) }
                let ids = window.map { network.prompt.tokenizer.tokenize(promptCaption($0)).ids }
                let v = network.unet(Tensor(shape: [f, 3, s, s], values: xt), timesteps: [Float](repeating: Float(t), count: f), frames: f,
                                     reference: tokens, prompt: network.prompt(ids),
                                     guidance: network.guidance(Tensor(shape: [f, c.conditionChannels, s, s], values: conditions))).values
                for r in 0..<f {
                    var e = 0.0
                    var x0hat = [Float](repeating: 0, count: 3 * n)
                    for i in 0..<(3 * n) {
                        let j = r * 3 * n + i
                        let target = alpha * eps[j] - sigma * x0[j]
                        e += Double((v[j] - target) * (v[j] - target))
                        x0hat[i] = alpha * xt[j] - sigma * v[j]
                    }
                    mse += e / Double(3 * n)
                    let truth = Array(x0[(r * 3 * n)..<((r + 1) * 3 * n)])
                    psnr += min(99, try ImageMetrics.psnr(x0hat, truth, width: s, height: s))
                    count += 1
                }
            }
            lines.append("| \(t) | \(String(format: "%.4f", Double(abar[t].squareRoot()))) | \(String(format: "%.4f", mse / Double(count))) | \(String(format: "%.2f", psnr / Double(count))) |")
        }
        // A plain DDIM loop (η = 0, 20 trailing steps) written out here, as a cross-check of the sampling path.
        var loopPSNR = 0.0, loopCount = 0
        for k in 0..<clips {
            let clip = dancers.clip(k)
            let window = Array(clip.frames[0..<min(frames, c.frameWindow)])
            let f = window.count
            let reference = dancers.clip(k + referenceOffset).frames[frames / 2].image
            let refTokens = network.reference(Tensor(shape: [1, 3, s, s], values: reference.planarFloats()))
            var tokens: [Int: Tensor] = [:]
            for (l, tk) in refTokens { tokens[l] = tk.repeatedRows(f) }
            let prompt = network.prompt(window.map { network.prompt.tokenizer.tokenize(promptCaption($0)).ids })
            let conditions = ConditionMaps.clip(poses: window.map(\.pose), cues: window.map(\.sharpness), size: s)
            let guidance = network.guidance(Tensor(shape: [f, c.conditionChannels, s, s], values: conditions))
            var rng = Philox(seed: UInt64(77 + k))
            var x = rng.normal([f * 3 * n]).values
            let steps = stride(from: 999, through: 0, by: -50).map { $0 }
            var x0 = x
            for (i, t) in steps.enumerated() {
                let v = network.unet(Tensor(shape: [f, 3, s, s], values: x), timesteps: [Float](repeating: Float(t), count: f), frames: f,
                                     reference: tokens, prompt: prompt, guidance: guidance).values
                let a = abar[t].squareRoot(), sg = (1 - abar[t]).squareRoot()
                let next = i + 1 < steps.count ? abar[steps[i + 1]] : 1
                let an = next.squareRoot(), sn = (1 - next).squareRoot()
                for j in 0..<x.count {
                    x0[j] = a * x[j] - sg * v[j]
                    let eps = sg * x[j] + a * v[j]
                    x[j] = an * x0[j] + sn * eps
                }
            }
            for r in 0..<f {
                let truth = window[r].image.planarFloats()
                loopPSNR += min(99, try ImageMetrics.psnr(Array(x0[(r * 3 * n)..<((r + 1) * 3 * n)]), truth, width: s, height: s))
                loopCount += 1
            }
        }
        lines.append("")
        lines.append("DDIM, 20 steps, written out (no guidance): x̂0 PSNR \(String(format: "%.2f", loopPSNR / Double(max(1, loopCount)))) dB")
        return "One-step denoising (every condition, no guidance):\n\n" + lines.joined(separator: "\n") + "\n"
    }
}
