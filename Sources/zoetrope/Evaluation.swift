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

/// Fréchet distance between Gaussian fits of two feature sets:
/// `‖μ₁ − μ₂‖² + tr C₁ + tr C₂ − 2 tr √(√C₁ C₂ √C₁)` (the FID formula, computed with symmetric eigendecompositions).
enum FrechetDistance {
    static func between(_ a: [[Double]], _ b: [[Double]]) -> Double? {
        guard a.count >= 2, b.count >= 2, let d = a.first?.count, d > 0 else { return nil }
        let (m1, c1) = stats(a, d), (m2, c2) = stats(b, d)
        var dist = 0.0
        for i in 0..<d { dist += (m1[i] - m2[i]) * (m1[i] - m2[i]) + c1[i * d + i] + c2[i * d + i] }
        let (w1, v1) = eigen(c1, d)
        // √C₁ = V diag(√λ) Vᵀ
        var s1 = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { var s = 0.0; for k in 0..<d { s += v1[i * d + k] * max(0, w1[k]).squareRoot() * v1[j * d + k] }; s1[i * d + j] = s } }
        let m = multiply(multiply(s1, c2, d), s1, d)
        let (w, _) = eigen(m, d)
        dist -= 2 * w.reduce(0) { $0 + max(0, $1).squareRoot() }
        return max(0, dist)
    }

    static func stats(_ x: [[Double]], _ d: Int) -> ([Double], [Double]) {
        let n = Double(x.count)
        var mean = [Double](repeating: 0, count: d)
        for v in x { for i in 0..<d { mean[i] += v[i] / n } }
        var cov = [Double](repeating: 0, count: d * d)
        for v in x { for i in 0..<d { for j in 0..<d { cov[i * d + j] += (v[i] - mean[i]) * (v[j] - mean[j]) / (n - 1) } } }
        return (mean, cov)
    }

    static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for k in 0..<d { let x = a[i * d + k]; if x == 0 { continue }; for j in 0..<d { c[i * d + j] += x * b[k * d + j] } } }
        return c
    }

    /// Cyclic Jacobi eigendecomposition of a symmetric matrix: eigenvalues and eigenvectors (columns of V).
    static func eigen(_ matrix: [Double], _ d: Int) -> ([Double], [Double]) {
        var a = matrix
        for i in 0..<d { for j in (i + 1)..<max(i + 1, d) { let s = (a[i * d + j] + a[j * d + i]) / 2; a[i * d + j] = s; a[j * d + i] = s } }
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        for _ in 0..<60 {
            var off = 0.0
            for i in 0..<d { for j in 0..<d where i != j { off += a[i * d + j] * a[i * d + j] } }
            if off < 1e-22 { break }
            for p in 0..<d {
                for q in (p + 1)..<max(p + 1, d) where abs(a[p * d + q]) > 1e-300 {
                    let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<d {
                        let akp = a[k * d + p], akq = a[k * d + q]
                        a[k * d + p] = c * akp - s * akq
                        a[k * d + q] = s * akp + c * akq
                    }
                    for k in 0..<d {
                        let apk = a[p * d + k], aqk = a[q * d + k]
                        a[p * d + k] = c * apk - s * aqk
                        a[q * d + k] = s * apk + c * aqk
                    }
                    for k in 0..<d {
                        let vkp = v[k * d + p], vkq = v[k * d + q]
                        v[k * d + p] = c * vkp - s * vkq
                        v[k * d + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<d).map { a[$0 * d + $0] }, v)
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
    let methods: [String]
    let scores: [EvalScores]
    let fd: [Double?]

    private var columns: [(String, (EvalScores) -> [Double])] {
        [("PSNR dB", \.psnr), ("SSIM", \.ssim), ("L1", \.l1), ("face PSNR", \.facePSNR), ("face SSIM", \.faceSSIM),
         ("face L1", \.faceL1), ("hand PSNR", \.handPSNR), ("hand L1", \.handL1), ("fast-hand PSNR", \.fastHandPSNR),
         ("fast-hand L1", \.fastHandL1), ("flicker", \.flicker)]
    }

    var markdown: String {
        var s = "Held-out Dancers (test split): \(clips) clips × \(frames) frames, \(steps) steps, guidance \(guidance); checkpoint `\(checkpoint)`\n\n"
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
            ("steps", .number(Double(steps))), ("guidance", .number(guidance)), ("methods", .object(methodsJSON)),
        ]).serialized() + "\n"
    }
}
