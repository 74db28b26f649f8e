import Imaging

/// A sparse histogram of colours on a 64×64×64 grid (6 bits per channel): for every occupied cell, the pixel count,
/// the channel sums (so a cell's mean is the mean of its real pixels, not the cell centre) and the sum of squares.
///
/// Median cut and k-means work on these cells instead of on pixels: a 256×256 photograph has ~10⁴ occupied cells
/// against 6.5·10⁴ pixels. A cell also remembers whether it holds one exact colour, so an image of ≤ 256 colours gets
/// exactly its own colours as palette.
struct ColorHistogram {
    /// Cells per axis.
    static let side = 64
    /// Cell key of a colour: `(r >> 2) << 12 | (g >> 2) << 6 | b >> 2`.
    @inline(__always)
    static func key(_ r: Int, _ g: Int, _ b: Int) -> Int { (r >> 2) << 12 | (g >> 2) << 6 | (b >> 2) }

    /// Cell key → entry index, or -1.
    private var slot: [Int32]
    /// Occupied cell keys, in order of first appearance.
    private(set) var keys: [Int32] = []
    /// Per entry: pixel count.
    private(set) var counts: [Int] = []
    /// Per entry: sums of R, G, B and of `r² + g² + b²`.
    private(set) var sumR: [Int] = [], sumG: [Int] = [], sumB: [Int] = [], sumSquares: [Int] = []
    /// Per entry: the first exact colour seen (`r << 16 | g << 8 | b`) and whether any other colour shares the cell.
    private(set) var firstColor: [Int32] = [], isMixed: [Bool] = []

    init() {
        slot = [Int32](repeating: -1, count: Self.side * Self.side * Self.side)
    }

    /// Number of occupied cells.
    var count: Int { keys.count }

    /// Adds every `stride`-th pixel of `image`.
    mutating func add(_ image: RGBImage, stride: Int = 1) {
        let n = image.width * image.height
        guard n > 0 else { return }
        let step = max(1, stride)
        image.pixels.withUnsafeBufferPointer { px in
            var i = 0
            while i < n {
                let r = Int(px[3 * i]), g = Int(px[3 * i + 1]), b = Int(px[3 * i + 2])
                let key = Self.key(r, g, b)
                var e = Int(slot[key])
                let color = Int32(r << 16 | g << 8 | b)
                if e < 0 {
                    e = keys.count
                    slot[key] = Int32(e)
                    keys.append(Int32(key)); counts.append(0)
                    sumR.append(0); sumG.append(0); sumB.append(0); sumSquares.append(0)
                    firstColor.append(color); isMixed.append(false)
                } else if firstColor[e] != color {
                    isMixed[e] = true
                }
                counts[e] += 1
                sumR[e] += r; sumG[e] += g; sumB[e] += b
                sumSquares[e] += r * r + g * g + b * b
                i += step
            }
        }
    }

    /// The exact colours of the image when every cell holds one colour and there are at most `limit` of them.
    func exactColors(limit: Int) -> [RGB]? {
        guard count <= limit, !isMixed.contains(true) else { return nil }
        return firstColor.map { RGB(UInt8($0 >> 16 & 255), UInt8($0 >> 8 & 255), UInt8($0 & 255)) }
    }
}
