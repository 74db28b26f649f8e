import Imaging

extension SixelPalette {
    /// A palette made for one image: its own colours when it has at most `maxColors` of them, else median cut on a
    /// 32³ histogram followed by `refinementPasses` rounds of k-means (docs/decisions/preview.md has the measurements
    /// behind this choice).
    public static func adaptive(for image: RGBImage, maxColors: Int = 256, refinementPasses: Int = 1) -> SixelPalette {
        shared(for: [image], maxColors: maxColors, refinementPasses: refinementPasses)
    }

    /// One palette for a whole clip, from the histogram of all its frames (large clips are sampled: about 2²⁰ pixels
    /// in all), so every frame maps into the same registers and playback does not flicker.
    public static func shared(for frames: [RGBImage], maxColors: Int = 256, refinementPasses: Int = 1) -> SixelPalette {
        let limit = max(1, min(256, maxColors))
        let total = frames.reduce(0) { $0 + $1.width * $1.height }
        let stride = max(1, total / (1 << 20))
        let histogram = ColorHistogram()
        for frame in frames { histogram.add(frame, stride: stride) }
        return make(from: histogram, maxColors: limit, refinementPasses: refinementPasses)
    }

    /// Median cut (+ k-means) on a filled histogram, or its exact colours when there are few enough.
    static func make(from histogram: ColorHistogram, maxColors limit: Int, refinementPasses: Int) -> SixelPalette {
        if histogram.count == 0 { return SixelPalette(colors: [RGB(0, 0, 0)]) }
        if let exact = histogram.exactColors(limit: limit) { return SixelPalette(colors: exact) }
        var centres = medianCut(histogram, maxColors: limit)
        if refinementPasses > 0 { centres = kMeans(histogram, centres: centres, passes: refinementPasses) }
        return SixelPalette(colors: centres)
    }

    // MARK: - Median cut

    /// A box of histogram cells: `order[start..<end]`, with its weight and sums.
    private struct Box {
        var start: Int, end: Int
        var weight: Double, sumR: Double, sumG: Double, sumB: Double, sumSquares: Double
        /// Sum of squared distances to the box mean: `Σ|c|² − |Σc|²/w`.
        var error: Double { weight > 0 ? sumSquares - (sumR * sumR + sumG * sumG + sumB * sumB) / weight : 0 }
        var isSplittable: Bool
    }

    /// Splits the box with the largest squared error until there are `maxColors` boxes, each cut on the axis and at
    /// the plane that removes most error (maximise `|S₁|²/w₁ + |S₂|²/w₂` over the planes of each axis, as in
    /// Wu 1991). Returns each box's mean colour.
    /// Matches: Heckbert's median cut with Wu's variance-minimising cut. Limitations: histogram cells are atoms.
    static func medianCut(_ h: ColorHistogram, maxColors: Int) -> [RGB] {
        let n = h.count
        let order = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        defer { order.deallocate() }
        for i in 0..<n { order[i] = Int32(i) }
        let side = h.side, bits = h.bits, mask = Int32(side - 1)
        let bins = UnsafeMutablePointer<Double>.allocate(capacity: 4 * side)
        defer { bins.deallocate() }
        func makeBox(_ start: Int, _ end: Int) -> Box {
            var w = 0, r = 0, g = 0, b = 0, q = 0
            for i in start..<end {
                let e = h.entries[Int(order[i])]
                w += Int(e.count); r += Int(e.sumR); g += Int(e.sumG); b += Int(e.sumB); q += Int(e.sumSquares)
            }
            return Box(start: start, end: end, weight: Double(w), sumR: Double(r), sumG: Double(g), sumB: Double(b),
                       sumSquares: Double(q), isSplittable: end - start > 1)
        }
        var boxes = [makeBox(0, n)]
        boxes.reserveCapacity(maxColors)
        while boxes.count < maxColors {
            // The splittable box with the largest error.
            var pick = -1, worst = 0.0
            for i in boxes.indices where boxes[i].isSplittable {
                let e = boxes[i].error
                if e > worst { worst = e; pick = i }
            }
            guard pick >= 0 else { break }
            let box = boxes[pick]
            var bestGain = -Double.infinity, bestAxis = -1, bestPlane = 0
            for axis in 0..<3 {
                let shift = Int32((2 - axis) * bits)
                bins.initialize(repeating: 0, count: 4 * side)
                for i in box.start..<box.end {
                    let index = Int(order[i])
                    let e = h.entries[index]
                    let k = Int((h.keys[index] >> shift) & mask)
                    bins[4 * k] += Double(e.count); bins[4 * k + 1] += Double(e.sumR)
                    bins[4 * k + 2] += Double(e.sumG); bins[4 * k + 3] += Double(e.sumB)
                }
                var w1 = 0.0, r1 = 0.0, g1 = 0.0, b1 = 0.0
                for k in 0..<(side - 1) {
                    w1 += bins[4 * k]; r1 += bins[4 * k + 1]; g1 += bins[4 * k + 2]; b1 += bins[4 * k + 3]
                    let w2 = box.weight - w1
                    guard w1 > 0, w2 > 0 else { continue }
                    let r2 = box.sumR - r1, g2 = box.sumG - g1, b2 = box.sumB - b1
                    let gain = (r1 * r1 + g1 * g1 + b1 * b1) / w1 + (r2 * r2 + g2 * g2 + b2 * b2) / w2
                    if gain > bestGain { bestGain = gain; bestAxis = axis; bestPlane = k }
                }
            }
            guard bestAxis >= 0 else { boxes[pick].isSplittable = false; continue }
            // Partition: cells with coordinate <= plane first.
            let shift = Int32((2 - bestAxis) * bits), plane = Int32(bestPlane)
            var i = box.start, j = box.end - 1
            while i <= j {
                if (h.keys[Int(order[i])] >> shift) & mask <= plane { i += 1 } else {
                    let t = order[i]; order[i] = order[j]; order[j] = t; j -= 1
                }
            }
            boxes[pick] = makeBox(box.start, i)
            boxes.append(makeBox(i, box.end))
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
        var means = [Int32](repeating: 0, count: 3 * n)
        for i in 0..<n {
            let e = h.entries[i], w = e.count
            means[3 * i] = (e.sumR + w / 2) / w
            means[3 * i + 1] = (e.sumG + w / 2) / w
            means[3 * i + 2] = (e.sumB + w / 2) / w
        }
        let k = centres.count
        var acc = [Int](repeating: 0, count: 4 * k)
        for _ in 0..<passes {
            let search = NearestColorSearch(colors: centres.map { (Int($0.r), Int($0.g), Int($0.b)) })
            for j in 0..<(4 * k) { acc[j] = 0 }
            for i in 0..<n {
                let j = search.nearest(Int(means[3 * i]), Int(means[3 * i + 1]), Int(means[3 * i + 2]))
                let e = h.entries[i]
                acc[4 * j] += Int(e.count); acc[4 * j + 1] += Int(e.sumR)
                acc[4 * j + 2] += Int(e.sumG); acc[4 * j + 3] += Int(e.sumB)
            }
            for j in 0..<k where acc[4 * j] > 0 {
                let w = acc[4 * j], half = w / 2
                centres[j] = RGB(UInt8((acc[4 * j + 1] + half) / w), UInt8((acc[4 * j + 2] + half) / w),
                                 UInt8((acc[4 * j + 3] + half) / w))
            }
        }
        return centres
    }
}
