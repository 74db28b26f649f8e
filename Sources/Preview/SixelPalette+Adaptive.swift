import Imaging

extension SixelPalette {
    /// A palette made for one image: its own colours when it has at most `maxColors` of them, else median cut on a
    /// 64³ histogram followed by `refinementPasses` rounds of k-means (see docs/decisions/preview.md for the measured
    /// choice).
    public static func adaptive(for image: RGBImage, maxColors: Int = 256, refinementPasses: Int = 1) -> SixelPalette {
        shared(for: [image], maxColors: maxColors, refinementPasses: refinementPasses)
    }

    /// One palette for a whole clip, from the histogram of all its frames (large clips are sampled: about 2²⁰ pixels
    /// in all), so every frame maps into the same registers and playback does not flicker.
    public static func shared(for frames: [RGBImage], maxColors: Int = 256, refinementPasses: Int = 1) -> SixelPalette {
        let limit = max(1, min(256, maxColors))
        var histogram = ColorHistogram()
        let total = frames.reduce(0) { $0 + $1.width * $1.height }
        let stride = max(1, total / (1 << 20))
        for frame in frames { histogram.add(frame, stride: stride) }
        if histogram.count == 0 { return SixelPalette(colors: [RGB(0, 0, 0)]) }
        if let exact = histogram.exactColors(limit: limit) { return SixelPalette(colors: exact) }
        var centres = medianCut(histogram, maxColors: limit)
        if refinementPasses > 0 { centres = kMeans(histogram, centres: centres, passes: refinementPasses) }
        return SixelPalette(colors: centres)
    }

    // MARK: - Median cut

    /// A box of histogram cells: `entries[start..<end]` of the permutation, with its weight and sums.
    private struct Box {
        var start: Int, end: Int
        var weight: Double, sumR: Double, sumG: Double, sumB: Double, sumSquares: Double
        /// Sum of squared distances to the box mean: `Σ|c|² − |Σc|²/w`.
        var error: Double { weight > 0 ? sumSquares - (sumR * sumR + sumG * sumG + sumB * sumB) / weight : 0 }
    }

    /// Splits the box with the largest squared error until there are `maxColors` boxes, each cut on the axis and at
    /// the plane that removes most error (`maximise |S₁|²/w₁ + |S₂|²/w₂` over 64 planes per axis, as in Wu 1991).
    /// Returns each box's mean colour.
    /// Matches: Heckbert's median cut with Wu's variance-minimising cut; Limitations: cells (4³ levels) are atoms.
    static func medianCut(_ h: ColorHistogram, maxColors: Int) -> [RGB] {
        let n = h.count
        var order = Array(0..<n)
        let coords: [[Int]] = (0..<3).map { axis in h.keys.map { Int($0) >> (12 - 6 * axis) & 63 } }
        func makeBox(_ start: Int, _ end: Int) -> Box {
            var b = Box(start: start, end: end, weight: 0, sumR: 0, sumG: 0, sumB: 0, sumSquares: 0)
            for i in start..<end {
                let e = order[i]
                b.weight += Double(h.counts[e]); b.sumR += Double(h.sumR[e])
                b.sumG += Double(h.sumG[e]); b.sumB += Double(h.sumB[e]); b.sumSquares += Double(h.sumSquares[e])
            }
            return b
        }
        var boxes = [makeBox(0, n)]
        var splittable = [n > 1]
        var binW = [Double](repeating: 0, count: 64), binR = binW, binG = binW, binB = binW
        while boxes.count < maxColors {
            // The splittable box with the largest error.
            var pick = -1, worst = 0.0
            for (i, b) in boxes.enumerated() where splittable[i] && b.error > worst { worst = b.error; pick = i }
            guard pick >= 0 else { break }
            let box = boxes[pick]
            var bestGain = -Double.infinity, bestAxis = -1, bestPlane = 0
            for axis in 0..<3 {
                for k in 0..<64 { binW[k] = 0; binR[k] = 0; binG[k] = 0; binB[k] = 0 }
                for i in box.start..<box.end {
                    let e = order[i], k = coords[axis][e]
                    binW[k] += Double(h.counts[e]); binR[k] += Double(h.sumR[e])
                    binG[k] += Double(h.sumG[e]); binB[k] += Double(h.sumB[e])
                }
                var w1 = 0.0, r1 = 0.0, g1 = 0.0, b1 = 0.0
                for k in 0..<63 {
                    w1 += binW[k]; r1 += binR[k]; g1 += binG[k]; b1 += binB[k]
                    let w2 = box.weight - w1
                    guard w1 > 0, w2 > 0 else { continue }
                    let r2 = box.sumR - r1, g2 = box.sumG - g1, b2 = box.sumB - b1
                    let gain = (r1 * r1 + g1 * g1 + b1 * b1) / w1 + (r2 * r2 + g2 * g2 + b2 * b2) / w2
                    if gain > bestGain { bestGain = gain; bestAxis = axis; bestPlane = k }
                }
            }
            guard bestAxis >= 0 else { splittable[pick] = false; continue }
            // Partition entries: coordinate <= plane first.
            var i = box.start, j = box.end - 1
            let c = coords[bestAxis]
            while i <= j {
                if c[order[i]] <= bestPlane { i += 1 } else { order.swapAt(i, j); j -= 1 }
            }
            boxes[pick] = makeBox(box.start, i)
            splittable[pick] = i - box.start > 1
            boxes.append(makeBox(i, box.end))
            splittable.append(box.end - i > 1)
        }
        return boxes.map { b in
            RGB(UInt8(min(255, max(0, (b.sumR / b.weight).rounded()))),
                UInt8(min(255, max(0, (b.sumG / b.weight).rounded()))),
                UInt8(min(255, max(0, (b.sumB / b.weight).rounded()))))
        }
    }

    // MARK: - k-means

    /// Lloyd iterations over histogram cells (each at its mean colour, weighted by its pixel count): assign each cell
    /// to the nearest centre, move each centre to the weighted mean of its cells. A centre that loses all cells stays.
    static func kMeans(_ h: ColorHistogram, centres start: [RGB], passes: Int) -> [RGB] {
        var centres = start
        let n = h.count
        var meanR = [Int](repeating: 0, count: n), meanG = meanR, meanB = meanR
        for e in 0..<n {
            let w = h.counts[e]
            meanR[e] = (h.sumR[e] + w / 2) / w; meanG[e] = (h.sumG[e] + w / 2) / w; meanB[e] = (h.sumB[e] + w / 2) / w
        }
        for _ in 0..<passes {
            let search = NearestColorSearch(colors: centres.map { (Int($0.r), Int($0.g), Int($0.b)) })
            var w = [Int](repeating: 0, count: centres.count), sr = w, sg = w, sb = w
            for e in 0..<n {
                let j = search.nearest(meanR[e], meanG[e], meanB[e])
                w[j] += h.counts[e]; sr[j] += h.sumR[e]; sg[j] += h.sumG[e]; sb[j] += h.sumB[e]
            }
            for j in centres.indices where w[j] > 0 {
                let half = w[j] / 2
                centres[j] = RGB(UInt8((sr[j] + half) / w[j]), UInt8((sg[j] + half) / w[j]), UInt8((sb[j] + half) / w[j]))
            }
        }
        return centres
    }
}
