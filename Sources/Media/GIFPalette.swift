import Imaging

/// One palette of at most 256 colours for a whole clip, and the mapping of pixels onto it.
///
/// When the clip has 256 colours or fewer they become the palette exactly (so such clips round-trip losslessly);
/// otherwise median cut over a 5-bit-per-channel histogram of every pixel of every frame.
/// Matches: Heckbert's median cut (1982): split the box with the largest (pixel count × longest side) along its
/// longest side at the pixel-weighted median; each palette entry is the mean colour of its box.
/// Limitations: distances are plain Euclidean in sRGB (no perceptual weighting).
package struct GIFPalette: Sendable {
    /// The colours, at most 256.
    package var colors: [RGB]
    /// True when every colour of the clip is in the palette.
    package var isExact: Bool

    /// Builds the palette of `frames`.
    package static func build(frames: [RGBImage], maxColors: Int = 256) -> GIFPalette {
        if let exact = exactColors(frames: frames, limit: maxColors) {
            return GIFPalette(colors: exact.isEmpty ? [RGB(0, 0, 0)] : exact, isExact: true)
        }
        return GIFPalette(colors: medianCut(frames: frames, maxColors: maxColors), isExact: false)
    }

    /// The distinct colours of the clip in first-seen order, or nil when there are more than `limit`.
    static func exactColors(frames: [RGBImage], limit: Int) -> [RGB]? {
        var seen = [UInt64](repeating: 0, count: (1 << 24) / 64)
        var colors: [RGB] = []
        for frame in frames {
            let n = frame.width * frame.height
            let overflow: Bool = frame.pixels.withUnsafeBufferPointer { p in
                for i in 0..<n {
                    let key = Int(p[3 * i]) << 16 | Int(p[3 * i + 1]) << 8 | Int(p[3 * i + 2])
                    let bit = UInt64(1) << UInt64(key & 63)
                    if seen[key >> 6] & bit == 0 {
                        seen[key >> 6] |= bit
                        colors.append(RGB(p[3 * i], p[3 * i + 1], p[3 * i + 2]))
                        if colors.count > limit { return true }
                    }
                }
                return false
            }
            if overflow { return nil }
        }
        return colors
    }

    /// One median-cut box: the histogram bins it holds.
    struct Box {
        var bins: [Int]
        var count: Int
        var axis: Int
        var range: Int
    }

    /// Median cut over the 32×32×32 histogram.
    static func medianCut(frames: [RGBImage], maxColors: Int) -> [RGB] {
        let binCount = 1 << 15
        var count = [Int](repeating: 0, count: binCount)
        var sum = [Int](repeating: 0, count: 3 * binCount)
        for frame in frames {
            let n = frame.width * frame.height
            frame.pixels.withUnsafeBufferPointer { p in
                for i in 0..<n {
                    let r = Int(p[3 * i]), g = Int(p[3 * i + 1]), b = Int(p[3 * i + 2])
                    let bin = (r >> 3) << 10 | (g >> 3) << 5 | (b >> 3)
                    count[bin] += 1
                    sum[3 * bin] += r; sum[3 * bin + 1] += g; sum[3 * bin + 2] += b
                }
            }
        }
        func component(_ bin: Int, _ axis: Int) -> Int { (bin >> (10 - 5 * axis)) & 31 }
        func makeBox(_ bins: [Int]) -> Box {
            var lo = [31, 31, 31], hi = [0, 0, 0], total = 0
            for bin in bins {
                total += count[bin]
                for a in 0..<3 { let c = component(bin, a); lo[a] = min(lo[a], c); hi[a] = max(hi[a], c) }
            }
            let ranges = (0..<3).map { hi[$0] - lo[$0] }
            let axis = ranges.firstIndex(of: ranges.max() ?? 0) ?? 0
            return Box(bins: bins, count: total, axis: axis, range: ranges[axis])
        }
        var boxes = [makeBox((0..<binCount).filter { count[$0] > 0 })]
        while boxes.count < maxColors {
            // The box with the largest count × longest side that can still be split.
            var best = -1, bestScore = 0
            for (i, box) in boxes.enumerated() where box.bins.count > 1 && box.range > 0 {
                let score = box.count * box.range
                if score > bestScore { bestScore = score; best = i }
            }
            if best < 0 { break }
            let box = boxes[best]
            let sorted = box.bins.sorted { component($0, box.axis) < component($1, box.axis) }
            var accumulated = 0, cut = 1
            for (i, bin) in sorted.enumerated() {
                accumulated += count[bin]
                if 2 * accumulated >= box.count { cut = i + 1; break }
            }
            cut = max(1, min(sorted.count - 1, cut))
            boxes[best] = makeBox(Array(sorted[..<cut]))
            boxes.append(makeBox(Array(sorted[cut...])))
        }
        return boxes.map { box in
            var s = [0, 0, 0]
            for bin in box.bins { for a in 0..<3 { s[a] += sum[3 * bin + a] } }
            let n = max(1, box.count)
            return RGB(UInt8((s[0] + n / 2) / n), UInt8((s[1] + n / 2) / n), UInt8((s[2] + n / 2) / n))
        }
    }
}

/// Maps colours to palette indices: exact nearest (squared Euclidean, lowest index on ties) with a lazily filled 2²⁴
/// cache, searching only the candidates of the colour's 16×16×16 cell.
///
/// Matches: Heckbert's locally sorted search (1982): an entry can be nearest to some colour of a cell only if its
/// distance to the cell is at most the smallest over all entries of their distance to the cell's farthest corner.
package struct GIFColorMapper {
    let palette: [RGB]
    private var cache: [UInt16]
    private var candidates: [[UInt8]?]

    /// A mapper for `palette`.
    package init(palette: [RGB]) {
        self.palette = palette
        self.cache = [UInt16](repeating: .max, count: 1 << 24)
        self.candidates = [[UInt8]?](repeating: nil, count: 4096)
    }

    /// The palette entries that can be nearest to a colour in cell (cr, cg, cb) of side 16.
    private func cellCandidates(_ cell: Int) -> [UInt8] {
        let lo = [(cell >> 8) * 16, ((cell >> 4) & 15) * 16, (cell & 15) * 16]
        var minDistance = [Int](repeating: 0, count: palette.count)
        var bound = Int.max
        for (i, c) in palette.enumerated() {
            var near = 0, far = 0
            for (axis, v) in [Int(c.r), Int(c.g), Int(c.b)].enumerated() {
                let a = lo[axis], b = lo[axis] + 15
                let dNear = v < a ? a - v : (v > b ? v - b : 0)
                let dFar = max(abs(v - a), abs(v - b))
                near += dNear * dNear
                far += dFar * dFar
            }
            minDistance[i] = near
            bound = min(bound, far)
        }
        return palette.indices.filter { minDistance[$0] <= bound }.map { UInt8($0) }
    }

    /// The index of the palette colour nearest to (r, g, b).
    @inline(__always)
    package mutating func index(_ r: Int, _ g: Int, _ b: Int) -> Int {
        let key = r << 16 | g << 8 | b
        let cached = cache[key]
        if cached != .max { return Int(cached) }
        let cell = (r >> 4) << 8 | (g >> 4) << 4 | (b >> 4)
        if candidates[cell] == nil { candidates[cell] = cellCandidates(cell) }
        var best = 0, bestDistance = Int.max
        for i in candidates[cell] ?? [] {
            let c = palette[Int(i)]
            let dr = Int(c.r) - r, dg = Int(c.g) - g, db = Int(c.b) - b
            let d = dr * dr + dg * dg + db * db
            if d < bestDistance { bestDistance = d; best = Int(i) }
        }
        cache[key] = UInt16(best)
        return best
    }

    /// Palette indices of `frame`, nearest colour per pixel, or with Floyd–Steinberg error diffusion when `dither`.
    ///
    /// Floyd–Steinberg (1976): the error `e = v − palette[i]` goes 7/16 right, 3/16 below-left, 5/16 below,
    /// 1/16 below-right. Errors are kept ×16 in integers.
    package mutating func indices(of frame: RGBImage, dither: Bool) -> [UInt8] {
        let w = frame.width, h = frame.height
        var out = [UInt8](repeating: 0, count: w * h)
        if !dither {
            frame.pixels.withUnsafeBufferPointer { p in
                for i in 0..<(w * h) {
                    out[i] = UInt8(index(Int(p[3 * i]), Int(p[3 * i + 1]), Int(p[3 * i + 2])))
                }
            }
            return out
        }
        // Error rows with one guard cell on each side, 3 channels interleaved.
        var current = [Int](repeating: 0, count: 3 * (w + 2))
        var next = [Int](repeating: 0, count: 3 * (w + 2))
        for y in 0..<h {
            for i in 0..<next.count { next[i] = 0 }
            for x in 0..<w {
                let p = 3 * (y * w + x)
                let e = 3 * (x + 1)
                // v = source + diffused error / 16, rounded half away from zero, clamped.
                @inline(__always) func level(_ c: Int) -> Int {
                    let err = current[e + c]
                    return max(0, min(255, Int(frame.pixels[p + c]) + (err + (err >= 0 ? 8 : -8)) / 16))
                }
                let r = level(0), g = level(1), b = level(2)
                let k = index(r, g, b)
                out[y * w + x] = UInt8(k)
                let chosen = palette[k]
                let er = r - Int(chosen.r), eg = g - Int(chosen.g), eb = b - Int(chosen.b)
                current[e + 3] += er * 7; current[e + 4] += eg * 7; current[e + 5] += eb * 7
                next[e - 3] += er * 3; next[e - 2] += eg * 3; next[e - 1] += eb * 3
                next[e] += er * 5; next[e + 1] += eg * 5; next[e + 2] += eb * 5
                next[e + 3] += er; next[e + 4] += eg; next[e + 5] += eb
            }
            swap(&current, &next)
        }
        return out
    }
}
