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
