import Imaging

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
