import Foundation

// MARK: - Public API

extension RGBImage {
    /// This image resampled to `width × height` with `filter`. O(output pixels × filter taps).
    ///
    /// Separable: two 1-D passes (horizontal then vertical, or the reverse as below), each skipped when that axis keeps
    /// its size. Pixel centres sit at half-integers; output pixel `i` samples the source around `(i + 0.5) · in / out`.
    /// When downscaling, the kernel is widened by `in / out` (antialiasing). Weights are normalised per output pixel,
    /// so edges renormalise instead of fading to black.
    ///
    /// Matches: Pillow 13's `Image.resize((width, height), NEAREST | BILINEAR | LANCZOS)` for RGB, byte for byte — the
    /// same double-precision weights, 22-bit fixed-point accumulation with rounding, 8-bit intermediate image between
    /// the passes, the same pass order (vertical first when the height shrinks by more than twice as many pixels as the
    /// width, else horizontal first), and for nearest the same accumulated source coordinate
    /// (`Tests/ImagingTests/ResamplingTests`).
    /// Limitations: no Pillow `reducing_gap` pre-reduction; no box/Hamming/bicubic filters. Pillow before 13 always
    /// ran the horizontal pass first, so on vertical-first shapes it differs from this by 1–2 levels on a few samples.
    ///
    /// Clamps, never throws: a non-positive `width` or `height` gives an empty image of `max(0, ·)` size; resampling an
    /// empty image to a non-empty size gives black. (The output must still fit in memory.)
    public func resized(width: Int, height: Int, filter: ResampleFilter) -> RGBImage {
        resampled(width: width, height: height, filter: filter,
                  box: SourceBox(x0: 0, y0: 0, x1: Float(self.width), y1: Float(self.height)))
    }

    /// Each pixel repeated into a `factor × factor` block (integer nearest-neighbour upscaling). O(output pixels).
    ///
    /// Same result as `resized(width: width * factor, height: height * factor, filter: .nearest)`, only faster.
    /// A factor below 1 counts as 1 (an unchanged copy).
    public func upscaled(by factor: Int) -> RGBImage {
        let f = max(factor, 1)
        if f == 1 { return self }
        let outWidth = width * f, outHeight = height * f
        if isEmpty { return RGBImage(width: outWidth, height: outHeight) }
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        let outRow = outWidth * 3
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                for y in 0..<height {
                    // Build the first of the f output rows for source row y, then copy it f - 1 times.
                    let first = d + y * f * outRow
                    var o = 0
                    for x in 0..<width {
                        let r = s[(y * width + x) * 3], g = s[(y * width + x) * 3 + 1], b = s[(y * width + x) * 3 + 2]
                        for _ in 0..<f {
                            first[o] = r; first[o + 1] = g; first[o + 2] = b
                            o += 3
                        }
                    }
                    for k in 1..<f {
                        (first + k * outRow).update(from: first, count: outRow)
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: out)
    }
}

// MARK: - Resampling a source box (shared with fittedToSquare)

/// A source rectangle in continuous pixel coordinates, stored as `Float` like Pillow's `box` argument.
struct SourceBox: Equatable {
    var x0: Float
    var y0: Float
    var x1: Float
    var y1: Float
}

/// Pillow's fixed-point precision for 8-bit resampling: 32 bits − 8 for the value − 2 for overshoot and sign.
private let precisionBits: Int32 = 22

extension RGBImage {
    /// The `box` region of this image resampled to `width × height` (Pillow's `resize(size, filter, box=box)`).
    func resampled(width outWidth: Int, height outHeight: Int, filter: ResampleFilter, box: SourceBox) -> RGBImage {
        let outWidth = max(outWidth, 0), outHeight = max(outHeight, 0)
        if outWidth == 0 || outHeight == 0 { return RGBImage(width: outWidth, height: outHeight) }
        if isEmpty { return RGBImage(width: outWidth, height: outHeight) }
        let fullBox = SourceBox(x0: 0, y0: 0, x1: Float(width), y1: Float(height))
        if outWidth == width && outHeight == height && box == fullBox { return self }
        if filter == .nearest { return nearestScaled(width: outWidth, height: outHeight, box: box) }

        // need_horizontal / need_vertical: an axis is resampled when its size or its box differs from the source's.
        let needHorizontal = outWidth != width || box.x0 != 0 || box.x1 != Float(outWidth)
        let needVertical = outHeight != height || box.y0 != 0 || box.y1 != Float(outHeight)
        let vertical = ResampleTaps(inSize: height, in0: box.y0, in1: box.y1, outSize: outHeight, filter: filter)
        let horizontal = ResampleTaps(inSize: width, in0: box.x0, in1: box.x1, outSize: outWidth, filter: filter)

        var current: [UInt8]
        if needHorizontal && needVertical && outHeight < height && height - outHeight > 2 * (width - outWidth) {
            // Pillow ≥ 13 runs the vertical pass first when the height shrinks by more than twice as many pixels as
            // the width (python-pillow/Pillow#9549). The 8-bit intermediate makes the order visible (±1–2 levels).
            current = Self.verticalPass(pixels, width: width, rowOffset: 0, taps: vertical)
            current = Self.horizontalPass(current, width: width, rows: 0..<outHeight, taps: horizontal)
        } else {
            current = pixels
            var currentWidth = width
            var rowOffset = 0
            if needHorizontal {
                // Only the source rows the vertical pass will read.
                let firstRow = vertical.starts[0]
                let lastRow = vertical.starts[outHeight - 1] + vertical.counts[outHeight - 1]
                current = Self.horizontalPass(pixels, width: width, rows: firstRow..<max(lastRow, firstRow),
                                              taps: horizontal)
                currentWidth = outWidth
                rowOffset = firstRow
            }
            if needVertical {
                current = Self.verticalPass(current, width: currentWidth, rowOffset: rowOffset, taps: vertical)
            }
        }
        // Always true (without a vertical pass the taps read every row); checked rather than trusted.
        guard current.count == outWidth * outHeight * 3 else { return RGBImage(width: outWidth, height: outHeight) }
        return RGBImage(width: outWidth, height: outHeight, pixels: current)
    }

    /// Nearest neighbour: output column `x` reads source column `⌊x0 + (x + 0.5) · s⌋`, `s = (x1 - x0) / out`, the
    /// coordinate accumulated by repeated addition exactly like Pillow's `ImagingScaleAffine` (so ties at exact
    /// integers fall the same way). Coordinates outside the source give black, as in Pillow.
    private func nearestScaled(width outWidth: Int, height outHeight: Int, box: SourceBox) -> RGBImage {
        let scaleX = Double(box.x1 - box.x0) / Double(outWidth)
        let scaleY = Double(box.y1 - box.y0) / Double(outHeight)
        var columns = [Int](repeating: -1, count: outWidth)
        var xo = Double(box.x0) + scaleX * 0.5
        for x in 0..<outWidth {
            let xin = xo < 0 ? -1 : Int(xo)
            if xin >= 0 && xin < width { columns[x] = xin }
            xo += scaleX
        }
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var yo = Double(box.y0) + scaleY * 0.5
                for y in 0..<outHeight {
                    let yin = yo < 0 ? -1 : Int(yo)
                    yo += scaleY
                    guard yin >= 0 && yin < height else { continue }
                    let srcRow = yin * width * 3, dstRow = y * outWidth * 3
                    for x in 0..<outWidth where columns[x] >= 0 {
                        let s = srcRow + columns[x] * 3, d = dstRow + x * 3
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: out)
    }

    /// Resamples each row in `rows` of an interleaved RGB image from `width` to `taps.outSize` columns.
    private static func horizontalPass(_ input: [UInt8], width: Int, rows: Range<Int>, taps: ResampleTaps) -> [UInt8] {
        let outWidth = taps.outSize, ksize = taps.ksize
        var out = [UInt8](repeating: 0, count: outWidth * rows.count * 3)
        let half: Int32 = 1 << (precisionBits - 1)
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                taps.weights.withUnsafeBufferPointer { kk in
                    taps.starts.withUnsafeBufferPointer { starts in
                        taps.counts.withUnsafeBufferPointer { counts in
                            for (row, y) in rows.enumerated() {
                                let srcRow = y * width * 3, dstRow = row * outWidth * 3
                                for xx in 0..<outWidth {
                                    let xmin = starts[xx], n = counts[xx], k = xx * ksize
                                    var s0 = half, s1 = half, s2 = half
                                    var p = srcRow + xmin * 3
                                    for t in 0..<n {
                                        let w = kk[k + t]
                                        s0 &+= Int32(src[p]) &* w
                                        s1 &+= Int32(src[p + 1]) &* w
                                        s2 &+= Int32(src[p + 2]) &* w
                                        p += 3
                                    }
                                    dst[dstRow + xx * 3] = clip8(s0)
                                    dst[dstRow + xx * 3 + 1] = clip8(s1)
                                    dst[dstRow + xx * 3 + 2] = clip8(s2)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Resamples the columns of an interleaved RGB image (`width` wide, whose row 0 is source row `rowOffset`) to
    /// `taps.outSize` rows. Accumulates whole rows at once, which vectorises.
    private static func verticalPass(_ input: [UInt8], width: Int, rowOffset: Int, taps: ResampleTaps) -> [UInt8] {
        let outHeight = taps.outSize, ksize = taps.ksize, rowBytes = width * 3
        var out = [UInt8](repeating: 0, count: rowBytes * outHeight)
        var accumulator = [Int32](repeating: 0, count: rowBytes)
        let half: Int32 = 1 << (precisionBits - 1)
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                accumulator.withUnsafeMutableBufferPointer { acc in
                    for yy in 0..<outHeight {
                        for i in 0..<rowBytes { acc[i] = half }
                        let ymin = taps.starts[yy] - rowOffset, n = taps.counts[yy], k = yy * ksize
                        for t in 0..<n {
                            let w = taps.weights[k + t]
                            let row = (ymin + t) * rowBytes
                            guard row >= 0 && row + rowBytes <= src.count else { continue }
                            for i in 0..<rowBytes { acc[i] &+= Int32(src[row + i]) &* w }
                        }
                        let o = yy * rowBytes
                        for i in 0..<rowBytes { dst[o + i] = clip8(acc[i]) }
                    }
                }
            }
        }
        return out
    }
}

/// Fixed-point sum → byte: `clamp(sum >> 22, 0, 255)`.
@inline(__always)
private func clip8(_ sum: Int32) -> UInt8 {
    let v = sum >> precisionBits
    return v < 0 ? 0 : (v > 255 ? 255 : UInt8(truncatingIfNeeded: v))
}

/// The per-output-pixel taps of one axis: for output `i`, source indices `starts[i] ..< starts[i] + counts[i]` with
/// fixed-point weights `weights[i * ksize ..< i * ksize + counts[i]]` (22 fractional bits, each row summing to ≈ 2²²).
///
/// Formulas (Pillow's `precompute_coeffs`): `scale = (in1 - in0) / out`, `fs = max(scale, 1)`, `support = S · fs`;
/// `centre = in0 + (i + 0.5) · scale`; taps `j ∈ [⌊centre - support + 0.5⌋, ⌊centre + support + 0.5⌋) ∩ [0, in)`;
/// `w_j = K((j - centre + 0.5) / fs)`, normalised to sum 1, then `round(w · 2²²)` away from zero.
struct ResampleTaps {
    let outSize: Int
    let ksize: Int
    var starts: [Int]
    var counts: [Int]
    var weights: [Int32]

    init(inSize: Int, in0: Float, in1: Float, outSize: Int, filter: ResampleFilter) {
        self.outSize = outSize
        let scale = Double(in1 - in0) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let ksize = Int(support.rounded(.up)) * 2 + 1
        self.ksize = ksize
        starts = [Int](repeating: 0, count: outSize)
        counts = [Int](repeating: 0, count: outSize)
        weights = [Int32](repeating: 0, count: outSize * ksize)
        let ss = 1 / filterScale
        var k = [Double](repeating: 0, count: ksize)
        for i in 0..<outSize {
            let centre = Double(in0) + (Double(i) + 0.5) * scale
            // C's (int) cast truncates toward zero; the clamp to 0 makes that equal to floor here.
            let xmin = max(Int(centre - support + 0.5), 0)
            let xmax = min(Int(centre + support + 0.5), inSize)
            let n = min(max(xmax - xmin, 0), ksize)
            var total = 0.0
            for t in 0..<n {
                let w = filter.weight((Double(t + xmin) - centre + 0.5) * ss)
                k[t] = w
                total += w
            }
            for t in 0..<n {
                let w = total != 0 ? k[t] / total : k[t]
                let fixed = w < 0 ? -0.5 + w * Double(1 << precisionBits) : 0.5 + w * Double(1 << precisionBits)
                // (int) truncation, as in C; the clamp only guards against a degenerate (near-zero) weight sum.
                weights[i * ksize + t] = fixed.isFinite ? Int32(min(max(fixed, -1e9), 1e9)) : 0
            }
            starts[i] = xmin
            counts[i] = n
        }
    }
}
