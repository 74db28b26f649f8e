import Imaging

/// A sparse histogram of colours on a grid of 2^bits levels per channel: for every occupied cell, the pixel count,
/// the channel sums (so a cell's mean is the mean of its real pixels, not the cell centre) and the sum of squares.
///
/// Median cut and k-means work on these cells instead of on pixels: a 256×256 photograph has a few thousand occupied
/// 32³ cells against 6.5·10⁴ pixels. A cell also remembers whether it holds one exact colour, so an image of ≤ 256
/// colours gets exactly its own colours as palette. Storage is raw memory, kept and reset between images.
package final class ColorHistogram {
    /// Bits per channel of the grid used by palettes (measured choice: docs/decisions/preview.md).
    nonisolated(unsafe) package static var defaultBits = 5

    /// One occupied cell (32 bytes, one cache line holds two).
    struct Entry {
        /// Pixels counted.
        var count: Int32
        /// Sums of R, G, B.
        var sumR: Int32, sumG: Int32, sumB: Int32
        /// Sum of `r² + g² + b²`.
        var sumSquares: Int64
        /// The first exact colour seen, `r << 16 | g << 8 | b`.
        var firstColor: Int32
        /// Non-zero when another colour shares the cell.
        var isMixed: Int32
    }

    /// Bits per channel of this histogram's grid.
    let bits: Int
    /// Cells per axis.
    var side: Int { 1 << bits }
    /// Cell key → entry index, or -1.
    private let slot: UnsafeMutablePointer<Int32>
    /// Occupied cells' keys, in order of first appearance.
    private(set) var keys: UnsafeMutablePointer<Int32>
    /// Occupied cells' statistics, parallel to `keys`.
    private(set) var entries: UnsafeMutablePointer<Entry>
    /// Number of occupied cells.
    private(set) var count = 0
    private var capacity: Int

    /// An empty histogram; it grows to hold any number of samples.
    init(bits: Int = ColorHistogram.defaultBits) {
        self.bits = bits
        let cells = 1 << (3 * bits)
        slot = .allocate(capacity: cells)
        slot.initialize(repeating: -1, count: cells)
        capacity = 4096
        keys = .allocate(capacity: capacity)
        entries = .allocate(capacity: capacity)
    }

    deinit { slot.deallocate(); keys.deallocate(); entries.deallocate() }

    /// Empties the histogram (touches only the occupied cells).
    func reset() {
        for e in 0..<count { slot[Int(keys[e])] = -1 }
        count = 0
    }

    private func reserve(_ needed: Int) {
        let cells = 1 << (3 * bits)
        let wanted = min(cells, needed)
        guard wanted > capacity else { return }
        let newKeys = UnsafeMutablePointer<Int32>.allocate(capacity: wanted)
        let newEntries = UnsafeMutablePointer<Entry>.allocate(capacity: wanted)
        newKeys.update(from: keys, count: count)
        newEntries.update(from: entries, count: count)
        keys.deallocate(); entries.deallocate()
        keys = newKeys; entries = newEntries; capacity = wanted
    }

    /// Adds every `stride`-th pixel of `image`.
    func add(_ image: RGBImage, stride: Int = 1) {
        let n = image.width * image.height
        guard n > 0 else { return }
        let step = max(1, stride)
        reserve(count + (n + step - 1) / step)
        let slot = slot, keys = keys, entries = entries
        image.pixels.withUnsafeBufferPointer { buffer in
            guard let px = buffer.baseAddress else { return }
            var used = count
            let drop = 8 - bits, b1 = bits, b2 = 2 * bits
            var i = 0
            while i < n {
                let r = Int32(px[3 * i]), g = Int32(px[3 * i + 1]), b = Int32(px[3 * i + 2])
                let key = Int((r >> drop) << b2 | (g >> drop) << b1 | (b >> drop))
                let color = r << 16 | g << 8 | b
                var e = Int(slot[key])
                if e < 0 {
                    e = used
                    used += 1
                    slot[key] = Int32(e)
                    keys[e] = Int32(key)
                    entries[e] = Entry(count: 0, sumR: 0, sumG: 0, sumB: 0, sumSquares: 0, firstColor: color, isMixed: 0)
                }
                let p = entries + e
                if p.pointee.firstColor != color { p.pointee.isMixed = 1 }
                p.pointee.count += 1
                p.pointee.sumR += r; p.pointee.sumG += g; p.pointee.sumB += b
                p.pointee.sumSquares += Int64(r * r + g * g + b * b)
                i += step
            }
            count = used
        }
    }

    /// The exact colours of the image when every cell holds one colour and there are at most `limit` of them.
    func exactColors(limit: Int) -> [RGB]? {
        guard count <= limit else { return nil }
        for e in 0..<count where entries[e].isMixed != 0 { return nil }
        return (0..<count).map {
            let c = entries[$0].firstColor
            return RGB(UInt8(c >> 16 & 255), UInt8(c >> 8 & 255), UInt8(c & 255))
        }
    }
}
