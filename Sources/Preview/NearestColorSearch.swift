import Imaging

/// Exact nearest palette colour (squared RGB distance) by a search sorted along one axis.
///
/// The palette is sorted by the channel with the largest spread; a query starts at its own value on that axis and
/// walks outwards both ways, stopping on a side once the axis distance alone exceeds the best distance found
/// (`(Δk)² ≥ best`). For a 256-colour photographic palette this visits a few dozen entries instead of 256.
/// Matches: the "locally sorted search" of Heckbert (1982), one axis.
final class NearestColorSearch {
    /// Sorted entries, four `Int32` each: key channel, the two other channels, original index.
    private let table: UnsafeMutablePointer<Int32>
    private let n: Int
    /// Which channel is the key (0 R, 1 G, 2 B).
    private let axis: Int

    init(colors: [(r: Int, g: Int, b: Int)]) {
        n = colors.count
        var spread = [0, 0, 0]
        let channel: (Int, (r: Int, g: Int, b: Int)) -> Int = { c, v in c == 0 ? v.r : (c == 1 ? v.g : v.b) }
        for c in 0..<3 {
            let values = colors.map { channel(c, $0) }
            spread[c] = (values.max() ?? 0) - (values.min() ?? 0)
        }
        let a = spread[1] >= spread[0] && spread[1] >= spread[2] ? 1 : (spread[0] >= spread[2] ? 0 : 2)
        axis = a
        let order = colors.indices.sorted { channel(a, colors[$0]) < channel(a, colors[$1]) }
        let o1 = a == 0 ? 1 : 0, o2 = a == 2 ? 1 : 2
        table = .allocate(capacity: 4 * max(1, n))
        for (slot, i) in order.enumerated() {
            table[4 * slot] = Int32(channel(a, colors[i]))
            table[4 * slot + 1] = Int32(channel(o1, colors[i]))
            table[4 * slot + 2] = Int32(channel(o2, colors[i]))
            table[4 * slot + 3] = Int32(i)
        }
    }

    deinit { table.deallocate() }

    /// Index (into the colours given at init) of the colour nearest to `(r, g, b)`.
    @inline(__always)
    func nearest(_ r: Int, _ g: Int, _ b: Int) -> Int {
        let q = Int32(axis == 0 ? r : (axis == 1 ? g : b))
        let q1 = Int32(axis == 0 ? g : r)
        let q2 = Int32(axis == 2 ? g : b)
        let t = table
        // Binary search: first entry with key >= q.
        var lo = 0, hi = n
        while lo < hi { let mid = (lo + hi) >> 1; if t[4 * mid] < q { lo = mid + 1 } else { hi = mid } }
        var best = Int32.max, bestAt = 0
        var up = lo, down = lo - 1
        var upOpen = up < n, downOpen = down >= 0
        while upOpen || downOpen {
            if upOpen {
                let dk = t[4 * up] - q
                if dk * dk >= best { upOpen = false } else {
                    let d1 = t[4 * up + 1] - q1, d2 = t[4 * up + 2] - q2
                    let d = dk * dk + d1 * d1 + d2 * d2
                    if d < best { best = d; bestAt = up }
                    up += 1; upOpen = up < n
                }
            }
            if downOpen {
                let dk = q - t[4 * down]
                if dk * dk >= best { downOpen = false } else {
                    let d1 = t[4 * down + 1] - q1, d2 = t[4 * down + 2] - q2
                    let d = dk * dk + d1 * d1 + d2 * d2
                    if d < best { best = d; bestAt = down }
                    down -= 1; downOpen = down >= 0
                }
            }
        }
        return Int(t[4 * bestAt + 3])
    }
}

/// A lazily filled inverse colour map on a grid of 2^bits levels per channel: cell → nearest palette index, computed
/// the first time a colour falls in the cell (for that colour) and reused for every later pixel of the cell, across
/// frames.
///
/// Cells are stored in Morton (bit-interleaved) order, `key = spread(r) << 2 | spread(g) << 1 | spread(b)`, so colours
/// that are close in RGB — as consecutive pixels of a photograph are — share cache lines; with row-major keys the
/// table lookups were the encoder's main cost (cache misses).
/// Limitations: two colours in one cell share an answer, so a pixel can get the second-nearest colour when two
/// palette entries are within a few levels of each other (the PSNR cost is in docs/decisions/preview.md).
package final class InverseColorMap {
    /// Nearest search over the palette.
    let search: NearestColorSearch
    /// Cell key → palette index (valid where the `known` bit is set): one byte per cell keeps the 6-bit table at
    /// 256 KiB, half of this machine's L2.
    private let table: UnsafeMutablePointer<UInt8>
    /// One bit per cell: has `table` been filled there.
    private let known: UnsafeMutablePointer<UInt64>
    /// Channel value → its top `bits` bits spread to every third bit position.
    private let spread: UnsafeMutablePointer<Int32>
    /// Bits per channel of the grid (measured choice: docs/decisions/preview.md).
    nonisolated(unsafe) package static var defaultBits = 6

    init(palette: SixelPalette, bits: Int = InverseColorMap.defaultBits) {
        search = NearestColorSearch(colors: palette.colors.map { (Int($0.r), Int($0.g), Int($0.b)) })
        table = .allocate(capacity: 1 << (3 * bits))
        table.initialize(repeating: 0, count: 1 << (3 * bits))
        known = .allocate(capacity: max(1, (1 << (3 * bits)) / 64))
        known.initialize(repeating: 0, count: max(1, (1 << (3 * bits)) / 64))
        spread = .allocate(capacity: 256)
        for v in 0..<256 {
            let top = v >> (8 - bits)
            var s: Int32 = 0
            for bit in 0..<bits where top >> bit & 1 == 1 { s |= 1 << Int32(3 * bit) }
            spread[v] = s
        }
    }

    deinit { table.deallocate(); known.deallocate(); spread.deallocate() }

    /// Nearest palette index for `(r, g, b)`, each in 0...255.
    @inline(__always)
    func lookup(_ r: Int, _ g: Int, _ b: Int) -> Int {
        let k = Int(spread[r] << 2 | spread[g] << 1 | spread[b])
        let cached = table[k]
        let word = known[k >> 6], bit = UInt64(1) << UInt64(k & 63)
        if word & bit != 0 { return Int(cached) }
        let found = search.nearest(r, g, b)
        table[k] = UInt8(truncatingIfNeeded: found)
        known[k >> 6] = word | bit
        return found
    }
}
