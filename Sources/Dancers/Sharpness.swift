/// The sharpness cue of HIA's motion-blur condition: normalised variance of the Laplacian on a hand crop.
///
/// raw = Var(∇²Y) / (Var(Y) + ε) over the crop's interior, Y = luma (0.299 R + 0.587 G + 0.114 B in [0, 1]),
/// ∇² the 4-neighbour Laplacian. Dividing by Var(Y) makes the measure independent of the crop's contrast, so a
/// dark sleeve and a bright palm compare. cue = min(1, raw / reference): 1 = as sharp as an unblurred hand.
/// Limitations: tiny crops (under 3×3 interior pixels) are reported as sharp (cue 1) — too small to tell.
public enum Sharpness {
    /// `raw` of an unblurred hand; cue 1 at or above it. Measured: median raw over sharp Dancers hand crops
    /// (`zoetrope synth --subframes 1 --seed 5`, 16 clips × 16 frames) is 4.85 at 64 px and 3.32 at 128 px.
    public static let reference: Float = 4.0

    /// Raw normalised Laplacian variance of `image` inside the box [x0, x1) × [y0, y1) (clipped to the image);
    /// nil when the clipped box has fewer than 3×3 interior pixels.
    public static func measure(_ image: RGBImageView, x0: Int, y0: Int, x1: Int, y1: Int) -> Float? {
        let ax = max(0, x0), ay = max(0, y0), bx = min(image.width, x1), by = min(image.height, y1)
        guard bx - ax >= 5, by - ay >= 5 else { return nil }
        let w = bx - ax, h = by - ay
        var luma = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let (r, g, b) = image.rgb(ax + x, ay + y)
                luma[y * w + x] = 0.299 * r + 0.587 * g + 0.114 * b
            }
        }
        var sum: Double = 0, sum2: Double = 0, lsum: Double = 0, lsum2: Double = 0
        var n: Double = 0
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                let c = luma[y * w + x]
                let lap = luma[y * w + x - 1] + luma[y * w + x + 1] + luma[(y - 1) * w + x] + luma[(y + 1) * w + x] - 4 * c
                sum += Double(c); sum2 += Double(c * c)
                lsum += Double(lap); lsum2 += Double(lap * lap)
                n += 1
            }
        }
        let varY = sum2 / n - (sum / n) * (sum / n)
        let varL = lsum2 / n - (lsum / n) * (lsum / n)
        return Float(varL / (varY + 1e-4))
    }

    /// Mean squared Laplacian of luma over interior pixels of the box where `mask` (row-major, W·H) is non-zero;
    /// nil when fewer than 4 such pixels. Used for the synthetic cue, where the hand's own pixels are known.
    public static func laplacianEnergy(_ image: RGBImageView, x0: Int, y0: Int, x1: Int, y1: Int, mask: [UInt8]) -> Float? {
        let ax = max(1, x0), ay = max(1, y0), bx = min(image.width - 1, x1), by = min(image.height - 1, y1)
        guard bx > ax, by > ay else { return nil }
        func luma(_ x: Int, _ y: Int) -> Float {
            let (r, g, b) = image.rgb(x, y)
            return 0.299 * r + 0.587 * g + 0.114 * b
        }
        var sum: Float = 0, n = 0
        for y in ay..<by {
            for x in ax..<bx where mask[y * image.width + x] != 0 {
                let lap = luma(x - 1, y) + luma(x + 1, y) + luma(x, y - 1) + luma(x, y + 1) - 4 * luma(x, y)
                sum += lap * lap; n += 1
            }
        }
        return n >= 4 ? sum / Float(n) : nil
    }

    /// Raw normalised Laplacian variance over the hand's own pixels as keypoints give them: pixels within
    /// `0.15·size + 1` px of a bone of the 21-point hand (size = larger side of the points' box); nil when the hand
    /// has fewer than 5 points or the region fewer than 9 measurable pixels. For real data, where no mask exists.
    /// `normalised: false` returns the plain mean squared Laplacian (contrast-dependent).
    public static func measure(_ image: RGBImageView, hand: [Keypoint], normalised: Bool = true) -> Float? {
        let pts = hand.map { $0.isPresent && $0.x.isFinite && $0.y.isFinite ? SIMD2<Float>($0.x, $0.y) : nil }
        guard hand.count == Pose.handCount, pts.compactMap({ $0 }).count >= 5, let box = handBox(hand) else { return nil }
        let present = pts.compactMap { $0 }
        var lo = present[0], hi = present[0]
        for p in present { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        let r = 0.15 * max(hi.x - lo.x, hi.y - lo.y) + 1
        let bones = Skeleton.handEdges.compactMap { e -> (SIMD2<Float>, SIMD2<Float>)? in
            guard let a = pts[e.0], let b = pts[e.1] else { return nil }
            return (a, b)
        }
        let ax = max(1, box.x0), ay = max(1, box.y0), bx = min(image.width - 1, box.x1), by = min(image.height - 1, box.y1)
        guard bx > ax, by > ay else { return nil }
        func luma(_ x: Int, _ y: Int) -> Double {
            let (cr, cg, cb) = image.rgb(x, y)
            return Double(0.299 * cr + 0.587 * cg + 0.114 * cb)
        }
        var sum = 0.0, sum2 = 0.0, lsum = 0.0, lsum2 = 0.0, n = 0.0
        for y in ay..<by {
            for x in ax..<bx {
                let p = SIMD2<Float>(Float(x) + 0.5, Float(y) + 0.5)
                var near = false
                for (a, b) in bones {
                    let ba = b - a, pa = p - a
                    let t = min(1, max(0, (pa * ba).sum() / max(1e-6, (ba * ba).sum())))
                    let q = pa - ba * t
                    if (q * q).sum() <= r * r { near = true; break }
                }
                guard near else { continue }
                let c = luma(x, y)
                let lap = luma(x - 1, y) + luma(x + 1, y) + luma(x, y - 1) + luma(x, y + 1) - 4 * c
                sum += c; sum2 += c * c; lsum += lap; lsum2 += lap * lap; n += 1
            }
        }
        guard n >= 9 else { return nil }
        let varY = sum2 / n - (sum / n) * (sum / n), varL = lsum2 / n - (lsum / n) * (lsum / n)
        return normalised ? Float(varL / (varY + 1e-4)) : Float(lsum2 / n)
    }

    /// The cue in [0, 1] from a raw measure: min(1, raw / reference); 1 when the crop was too small to measure.
    public static func cue(raw: Float?) -> Float {
        guard let raw else { return 1 }
        return min(1, max(0, raw / reference))
    }

    /// The cue of a synthetic frame, where the same crop of the unblurred instant is known:
    /// min(1, raw_blurred / raw_sharp). Falls back to `cue(raw:)` when the sharp crop cannot be measured.
    public static func cue(raw: Float?, sharp: Float?) -> Float {
        guard let raw, let sharp, sharp > 1e-6 else { return cue(raw: raw) }
        return min(1, max(0, raw / sharp))
    }

    /// The crop around a hand: the bounding box of its present points grown by `max(2, 0.35·size)` pixels.
    public static func handBox(_ hand: [Keypoint]) -> (x0: Int, y0: Int, x1: Int, y1: Int)? {
        let present = hand.filter { $0.isPresent && $0.x.isFinite && $0.y.isFinite }
        guard present.count >= 2 else { return nil }
        var lx = Float.infinity, ly = Float.infinity, hx = -Float.infinity, hy = -Float.infinity
        for p in present { lx = min(lx, p.x); ly = min(ly, p.y); hx = max(hx, p.x); hy = max(hy, p.y) }
        let m = max(2, 0.35 * max(hx - lx, hy - ly))
        return (Int((lx - m).rounded(.down)), Int((ly - m).rounded(.down)), Int((hx + m).rounded(.up)) + 1,
                Int((hy + m).rounded(.up)) + 1)
    }
}

/// Read access to RGB pixels as floats in [0, 1], for measures that run on bytes or float buffers alike.
public struct RGBImageView {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    let sample: (Int, Int) -> (Float, Float, Float)
    /// The colour at (x, y) in [0, 1].
    @inline(__always) func rgb(_ x: Int, _ y: Int) -> (Float, Float, Float) { sample(x, y) }

    /// A view of interleaved 8-bit RGB bytes.
    public init(width: Int, height: Int, bytes: [UInt8]) {
        self.width = width; self.height = height
        sample = { x, y in
            let i = 3 * (y * width + x)
            return (Float(bytes[i]) / 255, Float(bytes[i + 1]) / 255, Float(bytes[i + 2]) / 255)
        }
    }
}
