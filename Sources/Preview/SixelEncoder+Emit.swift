import Imaging

extension SixelEncoder {
    /// Writes the sixel stream for an index image (`width × height`, upscaled by `options.scale` on output).
    ///
    /// Per band of six output rows, every pixel sets bit `row` of `bits[colour][x]` (source columns; output row `y`
    /// reads source row `y / scale`); then each colour present in the band is written as one run-length coded row of
    /// sixel characters (`0x3F + bits`), runs of source columns multiplied by `scale`. Trailing empty columns of a
    /// colour are not written. Scanning clears the bits, so the table is zero again for the next band.
    func emit(indices: [UInt16], width w: Int, height h: Int, palette: SixelPalette) -> [UInt8] {
        let scale = options.scale
        let outW = w * scale, outH = h * scale
        let colors = palette.colors
        let k = colors.count
        var used = [Bool](repeating: false, count: k)
        for c in indices where c != Self.transparentIndex { used[Int(c)] = true }

        var out = ByteWriter(capacity: 64 + 20 * k + outH / 6 * (k * 8 + 2) + w * h * 2)
        // Header: ESC P 0;P2;0 q — P2 = 1 leaves unpainted pixels transparent.
        let transparent = options.transparentColor != nil
        out.put("\u{1B}P0;\(transparent ? 1 : 0);0q\"1;1;\(outW);\(outH)")
        for j in 0..<k where used[j] {
            let c = colors[j]
            out.put("#\(j);2;\(SixelPalette.percent(c.r));\(SixelPalette.percent(c.g));\(SixelPalette.percent(c.b))")
        }

        if bits.count < k * w { bits = [UInt8](repeating: 0, count: k * w) }
        var bandColors = [Int](repeating: 0, count: k)
        var inBand = [Bool](repeating: false, count: k)
        let bands = (outH + 5) / 6
        indices.withUnsafeBufferPointer { idx in
            bits.withUnsafeMutableBufferPointer { bitTable in
                bandColors.withUnsafeMutableBufferPointer { list in
                    inBand.withUnsafeMutableBufferPointer { seen in
                        for band in 0..<bands {
                            // Gather.
                            var listCount = 0
                            let y0 = band * 6
                            for r in 0..<min(6, outH - y0) {
                                let sourceRow = (y0 + r) / scale
                                let bit = UInt8(1 << r)
                                let rowBase = sourceRow * w
                                for x in 0..<w {
                                    let c = idx[rowBase + x]
                                    if c == Self.transparentIndex { continue }
                                    let ci = Int(c)
                                    if !seen[ci] { seen[ci] = true; list[listCount] = ci; listCount += 1 }
                                    bitTable[ci * w + x] |= bit
                                }
                            }
                            // Emit: per colour, worst case 1 + 3 + w·(1 + 20) bytes plus separators.
                            out.reserve(listCount * (w * 6 + 8) + 2)
                            for li in 0..<listCount {
                                let ci = list[li]
                                seen[ci] = false
                                out.put(0x23)  // '#'
                                out.putNumber(ci)
                                let rowStart = ci * w
                                var previous = bitTable[rowStart]
                                bitTable[rowStart] = 0
                                var run = 1
                                for x in 1..<max(1, w) {
                                    let v = bitTable[rowStart + x]
                                    bitTable[rowStart + x] = 0
                                    if v == previous { run += 1; continue }
                                    Self.putRun(&out, bits: previous, count: run * scale)
                                    previous = v; run = 1
                                }
                                if previous != 0 { Self.putRun(&out, bits: previous, count: run * scale) }
                                if li + 1 < listCount { out.put(0x24) }  // '$'
                            }
                            if band + 1 < bands { out.put(0x2D) }  // '-'
                        }
                    }
                }
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
