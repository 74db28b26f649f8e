import Imaging

extension SixelEncoder {
    /// Writes the sixel stream for an index image (`width × height`, upscaled by `options.scale` on output).
    ///
    /// Per band of six output rows (output row `y` shows source row `y / scale`; rows showing the same source row are
    /// merged into one bit mask), the band's pixels are bucketed by colour, column by column, into sorted
    /// `(x, bits)` entries (each colour owns a segment of `width` entries: 4·256·width bytes of scratch); each colour present is then written as one run-length coded row: gaps become `?` runs,
    /// equal neighbours merge, and every run of source columns is multiplied by `scale`. Trailing empty columns are
    /// not written. Work is proportional to pixels plus output, not to colours × width.
    package func emit(indices: [UInt16], width w: Int, height h: Int, palette: SixelPalette) -> [UInt8] {
        let scale = options.scale
        let outW = w * scale, outH = h * scale
        let colors = palette.colors
        let k = colors.count
        var used = [Bool](repeating: false, count: k)
        for c in indices where c != Self.transparentIndex { used[Int(c)] = true }

        var out = ByteWriter(capacity: 64 + 20 * k + 2 * w * h + outH)
        // Header: ESC P 0;P2;0 q — P2 = 1 leaves unpainted pixels transparent — then raster attributes.
        let transparent = options.transparentColor != nil
        out.put("\u{1B}P0;\(transparent ? 1 : 0);0q\"1;1;\(outW);\(outH)")
        for j in 0..<k where used[j] {
            let c = colors[j]
            out.put("#\(j);2;\(SixelPalette.percent(c.r));\(SixelPalette.percent(c.g));\(SixelPalette.percent(c.b))")
        }

        // Per colour: a segment of `w` entries (one per column at most) starting at `colour · w`, its fill position,
        // and the last column seen (-1: not in this band yet).
        let fill = UnsafeMutablePointer<Int32>.allocate(capacity: k)
        let lastX = UnsafeMutablePointer<Int32>.allocate(capacity: k)
        let list = UnsafeMutablePointer<Int32>.allocate(capacity: k)
        let entries = UnsafeMutablePointer<UInt32>.allocate(capacity: k * w + 1)
        defer { fill.deallocate(); lastX.deallocate(); list.deallocate(); entries.deallocate() }
        for c in 0..<k { fill[c] = Int32(c * w); lastX[c] = -1 }
        let transparentIndex = Self.transparentIndex
        let bands = (outH + 5) / 6
        indices.withUnsafeBufferPointer { buffer in
            guard let idx = buffer.baseAddress else { return }
            let rowBase = UnsafeMutablePointer<Int>.allocate(capacity: 6)
            let rowBits = UnsafeMutablePointer<UInt32>.allocate(capacity: 6)
            defer { rowBase.deallocate(); rowBits.deallocate() }
            for band in 0..<bands {
                // Distinct source rows of this band and their bit masks.
                var rows = 0
                let y0 = band * 6
                for r in 0..<min(6, outH - y0) {
                    let base = (y0 + r) / scale * w
                    if rows > 0 && rowBase[rows - 1] == base { rowBits[rows - 1] |= 1 << UInt32(r) } else {
                        rowBase[rows] = base; rowBits[rows] = 1 << UInt32(r); rows += 1
                    }
                }
                // Bucket column by column, so each colour's entries come out sorted by x; list colours on first sight.
                var listCount = 0, total = 0
                for x in 0..<w {
                    let x32 = Int32(x)
                    for r in 0..<rows {
                        let c = idx[rowBase[r] + x]
                        if c == transparentIndex { continue }
                        let ci = Int(c)
                        let last = lastX[ci]
                        if last < 0 { list[listCount] = Int32(ci); listCount += 1 }
                        // Branch-free: extend this column's entry, or start a new one (dithered colours change
                        // unpredictably from pixel to pixel).
                        let same = last == x32
                        let position = Int(fill[ci]) - (same ? 1 : 0)
                        let previous = entries[position]
                        entries[position] = (same ? previous : UInt32(x) << 8) | rowBits[r]
                        fill[ci] = Int32(position + 1)
                        lastX[ci] = x32
                        total += same ? 0 : 1
                    }
                }
                // Write: per colour "#n" then runs; "$" between colours, "-" between bands.
                out.reserve(total * 24 + listCount * 6 + 2)
                for li in 0..<listCount {
                    let ci = Int(list[li])
                    let segmentStart = ci * w, segmentEnd = Int(fill[ci])
                    fill[ci] = Int32(segmentStart)
                    lastX[ci] = -1
                    out.put(0x23)  // '#'
                    out.putNumber(ci)
                    var cursor: UInt32 = 0, pendingBits: UInt32 = 0, pending = 0
                    for e in segmentStart..<segmentEnd {
                        let v = entries[e]
                        let x = v >> 8, bits = v & 63
                        if x == cursor && bits == pendingBits && pending > 0 {
                            pending += 1
                        } else {
                            if pending > 0 { Self.putRun(&out, bits: UInt8(pendingBits), count: pending * scale) }
                            if x > cursor { Self.putRun(&out, bits: 0, count: Int(x - cursor) * scale) }
                            pendingBits = bits; pending = 1
                        }
                        cursor = x + 1
                    }
                    if pending > 0 { Self.putRun(&out, bits: UInt8(pendingBits), count: pending * scale) }
                    if li + 1 < listCount { out.put(0x24) }  // '$'
                }
                if band + 1 < bands { out.put(0x2D) }  // '-'
            }
        }
        out.put("\u{1B}\\")
        return out.bytes()
    }

    /// One run of `count` identical sixel characters: `!count c` when that is shorter, else the characters.
    @inline(__always)
    static func putRun(_ out: inout ByteWriter, bits: UInt8, count: Int) {
        let ch = 0x3F &+ bits
        if count > 3 {
            out.put(0x21)  // '!'
            out.putNumber(count)
            out.put(ch)
        } else {
            for _ in 0..<count { out.put(ch) }
        }
    }
}
