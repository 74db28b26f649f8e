import Imaging

/// Turns an `RGBImage` into sixel bytes (`ESC P … ESC \`), ready to be written to a terminal by the caller.
///
/// The encoder keeps scratch buffers and the inverse colour map of the last palette it used, so encoding many frames
/// with one shared palette only pays for mapping and output. Use one encoder per thread.
///
/// Output: `ESC P 0;P2;0 q`, raster attributes `"1;1;W;H`, then one `#n;2;R;G;B` definition per register the image
/// uses, then bands of six rows: per colour `#n` and its run-length coded columns (`!n` for runs of four or more),
/// `$` between colours, `-` between bands and none after the last.
public final class SixelEncoder {
    /// The settings used by ``encode(_:)`` and ``encode(_:palette:)``.
    public var options: SixelOptions

    private var inverseMap: InverseColorMap?
    private var inverseMapPalette: SixelPalette?
    private var scratchHistogram: ColorHistogram?

    /// An encoder with the given settings.
    public init(options: SixelOptions = SixelOptions()) {
        self.options = options
    }

    /// Encodes with a palette made for this image (``SixelPalette/adaptive(for:maxColors:refinementPasses:)``).
    public func encode(_ image: RGBImage) throws -> [UInt8] {
        try options.validate()
        guard !image.isEmpty else { throw PreviewError.emptyImage(width: image.width, height: image.height) }
        // The encoder's own histogram is reset, not reallocated, between images.
        let histogram: ColorHistogram
        if let kept = scratchHistogram, kept.bits == ColorHistogram.defaultBits { histogram = kept; kept.reset() } else {
            histogram = ColorHistogram()
            scratchHistogram = histogram
        }
        histogram.add(image)
        let palette = SixelPalette.make(from: histogram, maxColors: options.maxColors,
                                        refinementPasses: options.refinementPasses)
        return try encode(image, palette: palette)
    }

    /// Encodes with a given palette, e.g. one shared by a whole clip.
    public func encode(_ image: RGBImage, palette: SixelPalette) throws -> [UInt8] {
        try options.validate()
        guard !image.isEmpty else { throw PreviewError.emptyImage(width: image.width, height: image.height) }
        let indices = paletteIndices(image, palette: palette)
        return emit(indices: indices, width: image.width, height: image.height, palette: palette)
    }

    // MARK: - Mapping

    /// Marks a pixel left unpainted in the index image.
    package static let transparentIndex: UInt16 = 0xFFFF

    /// The palette index of every pixel after dithering (``transparentIndex`` for the transparent colour).
    package func paletteIndices(_ image: RGBImage, palette: SixelPalette) -> [UInt16] {
        let map: InverseColorMap
        if let cached = inverseMap, inverseMapPalette == palette { map = cached } else {
            map = InverseColorMap(palette: palette)
            inverseMap = map
            inverseMapPalette = palette
        }
        let w = image.width, h = image.height
        var out = [UInt16](repeating: 0, count: w * h)
        let key: Int = options.transparentColor.map { Int($0.r) << 16 | Int($0.g) << 8 | Int($0.b) } ?? -1
        let colors = palette.colors
        image.pixels.withUnsafeBufferPointer { pixelBuffer in
            out.withUnsafeMutableBufferPointer { outBuffer in
                guard let px = pixelBuffer.baseAddress, let dst = outBuffer.baseAddress else { return }
                switch options.dithering {
                case .none:
                    for i in 0..<(w * h) {
                        let r = Int(px[3 * i]), g = Int(px[3 * i + 1]), b = Int(px[3 * i + 2])
                        if key >= 0 && r << 16 | g << 8 | b == key { dst[i] = Self.transparentIndex; continue }
                        dst[i] = UInt16(map.lookup(r, g, b))
                    }
                case .ordered:
                    // Offset = ((bayer(x, y) + ½) / 64 − ½) · spacing / 2, where spacing = 255 / ∛colours is the step
                    // of a uniform palette of this size. Cube root by Newton's method.
                    let n = Double(colors.count)
                    var root = max(1, n / 3)
                    for _ in 0..<40 { root -= (root * root * root - n) / (3 * root * root) }
                    let spacing = 255.0 / max(1, root)
                    var offsets = [Int](repeating: 0, count: 64)
                    for k in 0..<64 { offsets[k] = Int(((Double(Self.bayer8[k]) + 0.5) / 64 - 0.5) * spacing * 0.5) }
                    for y in 0..<h {
                        for x in 0..<w {
                            let i = y * w + x
                            let r = Int(px[3 * i]), g = Int(px[3 * i + 1]), b = Int(px[3 * i + 2])
                            if key >= 0 && r << 16 | g << 8 | b == key { dst[i] = Self.transparentIndex; continue }
                            let o = offsets[(y & 7) << 3 | (x & 7)]
                            dst[i] = UInt16(map.lookup(clamp(r + o), clamp(g + o), clamp(b + o)))
                        }
                    }
                case .floydSteinberg:
                    floydSteinberg(px, dst, width: w, height: h, colors: colors, transparentKey: key, map: map)
                }
            }
        }
        return out
    }

    /// Floyd–Steinberg: errors are kept in sixteenths, `e = value − shown`, and pushed 7/16 → (x+1, y),
    /// 3/16 → (x−1, y+1), 5/16 → (x, y+1), 1/16 → (x+1, y+1). Rows are scanned left to right.
    private func floydSteinberg(_ px: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt16>,
                                width w: Int, height h: Int, colors: [RGB], transparentKey key: Int,
                                map: InverseColorMap) {
        // Two rows of accumulated error per channel, with one guard column each side.
        let rowLength = 3 * (w + 2)
        var cur = UnsafeMutablePointer<Int32>.allocate(capacity: rowLength)
        var nxt = UnsafeMutablePointer<Int32>.allocate(capacity: rowLength)
        let shown = UnsafeMutablePointer<Int32>.allocate(capacity: 3 * colors.count)
        defer { cur.deallocate(); nxt.deallocate(); shown.deallocate() }
        cur.initialize(repeating: 0, count: rowLength)
        for (j, c) in colors.enumerated() {
            shown[3 * j] = Int32(c.r); shown[3 * j + 1] = Int32(c.g); shown[3 * j + 2] = Int32(c.b)
        }
        for y in 0..<h {
            nxt.initialize(repeating: 0, count: rowLength)
            for x in 0..<w {
                let i = y * w + x
                let r0 = Int32(px[3 * i]), g0 = Int32(px[3 * i + 1]), b0 = Int32(px[3 * i + 2])
                if key >= 0 && Int(r0) << 16 | Int(g0) << 8 | Int(b0) == key { dst[i] = Self.transparentIndex; continue }
                let e = 3 * (x + 1)
                let r = min(255, max(0, r0 + (cur[e] + 8) >> 4))
                let g = min(255, max(0, g0 + (cur[e + 1] + 8) >> 4))
                let b = min(255, max(0, b0 + (cur[e + 2] + 8) >> 4))
                let j = map.lookup(Int(r), Int(g), Int(b))
                dst[i] = UInt16(j)
                let er = r - shown[3 * j], eg = g - shown[3 * j + 1], eb = b - shown[3 * j + 2]
                cur[e + 3] += 7 * er; cur[e + 4] += 7 * eg; cur[e + 5] += 7 * eb
                nxt[e - 3] += 3 * er; nxt[e - 2] += 3 * eg; nxt[e - 1] += 3 * eb
                nxt[e] += 5 * er; nxt[e + 1] += 5 * eg; nxt[e + 2] += 5 * eb
                nxt[e + 3] += er; nxt[e + 4] += eg; nxt[e + 5] += eb
            }
            swap(&cur, &nxt)
        }
    }

    /// The 8×8 Bayer matrix, row-major, values 0..<64.
    static let bayer8: [Int] = {
        var m = [Int](repeating: 0, count: 64)
        for y in 0..<8 {
            for x in 0..<8 {
                // Bit-reversed interleave of (x xor y) and y.
                let v = x ^ y
                var value = 0
                for bit in 0..<3 {
                    value |= ((v >> bit) & 1) << (5 - 2 * bit)
                    value |= ((y >> bit) & 1) << (4 - 2 * bit)
                }
                m[y * 8 + x] = value
            }
        }
        return m
    }()
}

@inline(__always)
private func clamp(_ v: Int) -> Int { min(255, max(0, v)) }
