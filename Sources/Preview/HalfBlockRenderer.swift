import Imaging

/// Draws a picture with text cells: `▀` half blocks in 24-bit or 256 colours, or an ASCII brightness ramp.
///
/// Output is the escape string for a rectangle of `width` columns × `⌈height / 2⌉` rows. With an origin, every row
/// starts with `CSI row ; column H` (absolute, for a caller that owns the screen, e.g. beside ncurses); without one,
/// rows are separated by newlines so the picture prints at the cursor. Colours are set only when they change, and
/// reset (`CSI 0 m`) at the end of each row. Matches: the half-block technique of chafa and timg.
public enum HalfBlockRenderer {
    /// The upper half block, U+2580.
    static let upperHalf: [UInt8] = Array("▀".utf8)
    /// Brightness ramp from dark to bright.
    package static let ramp: [UInt8] = Array(" .:-=+*#%@".utf8)

    /// The escape string drawing `image` in `mode`, at `origin` or at the cursor.
    public static func render(_ image: RGBImage, mode: CellMode, at origin: CellPosition? = nil) -> String {
        String(decoding: renderBytes(image, mode: mode, at: origin), as: UTF8.self)
    }

    /// ``render(_:mode:at:)`` as UTF-8 bytes.
    public static func renderBytes(_ image: RGBImage, mode: CellMode, at origin: CellPosition? = nil) -> [UInt8] {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else { return [] }
        var out: [UInt8] = []
        out.reserveCapacity(w * (h + 1) / 2 * (mode == .ascii ? 1 : 40) + 16 * h)
        func put(_ text: String) { out.append(contentsOf: text.utf8) }
        let rows = (h + 1) / 2
        for row in 0..<rows {
            if let origin { put("\u{1B}[\(origin.row + row);\(origin.column)H") } else if row > 0 { put("\n") }
            var lastForeground = -1, lastBackground = -1
            for x in 0..<w {
                let top = image[x, 2 * row]
                let bottom: RGB? = 2 * row + 1 < h ? image[x, 2 * row + 1] : nil
                switch mode {
                case .trueColor:
                    let fg = Int(top.r) << 16 | Int(top.g) << 8 | Int(top.b)
                    if fg != lastForeground { put("\u{1B}[38;2;\(top.r);\(top.g);\(top.b)m"); lastForeground = fg }
                    if let bottom {
                        let bg = Int(bottom.r) << 16 | Int(bottom.g) << 8 | Int(bottom.b)
                        if bg != lastBackground {
                            put("\u{1B}[48;2;\(bottom.r);\(bottom.g);\(bottom.b)m"); lastBackground = bg
                        }
                    } else if lastBackground != -2 { put("\u{1B}[49m"); lastBackground = -2 }
                    out.append(contentsOf: upperHalf)
                case .palette256:
                    let fg = Xterm256.nearest(top)
                    if fg != lastForeground { put("\u{1B}[38;5;\(fg)m"); lastForeground = fg }
                    if let bottom {
                        let bg = Xterm256.nearest(bottom)
                        if bg != lastBackground { put("\u{1B}[48;5;\(bg)m"); lastBackground = bg }
                    } else if lastBackground != -2 { put("\u{1B}[49m"); lastBackground = -2 }
                    out.append(contentsOf: upperHalf)
                case .ascii:
                    // Rec. 601 luma of the two pixels' mean, mapped onto the ramp.
                    let a = luma(top), b = bottom.map(luma) ?? a
                    let y = (a + b) / 2
                    out.append(ramp[min(ramp.count - 1, y * ramp.count / 256)])
                }
            }
            if mode != .ascii { put("\u{1B}[0m") }
        }
        return out
    }

    /// `Y = (299 R + 587 G + 114 B) / 1000`, 0...255.
    package static func luma(_ c: RGB) -> Int { (299 * Int(c.r) + 587 * Int(c.g) + 114 * Int(c.b)) / 1000 }
}

/// The xterm 256-colour palette: 16 system colours (not used: terminals redefine them), the 6×6×6 cube 16...231 with
/// levels 0, 95, 135, 175, 215, 255, and the grey ramp 232...255 with values 8 + 10·i.
package enum Xterm256 {
    /// Cube levels.
    package static let levels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The RGB value of palette entry `index` (16...255).
    package static func color(_ index: Int) -> RGB {
        if index >= 232 { let v = UInt8(8 + 10 * (index - 232)); return RGB(v, v, v) }
        let i = index - 16
        return RGB(UInt8(levels[i / 36]), UInt8(levels[i / 6 % 6]), UInt8(levels[i % 6]))
    }

    /// The entry (16...255) nearest to `c` in squared RGB distance: the nearest cube colour (per axis) against
    /// the nearest grey.
    package static func nearest(_ c: RGB) -> Int {
        func level(_ v: UInt8) -> Int {
            var best = 0
            for i in 1..<6 where abs(levels[i] - Int(v)) < abs(levels[best] - Int(v)) { best = i }
            return best
        }
        let ri = level(c.r), gi = level(c.g), bi = level(c.b)
        let cube = 16 + 36 * ri + 6 * gi + bi
        // The best grey is the one nearest the mean; check the neighbours of the rounded guess too.
        let mean = (Int(c.r) + Int(c.g) + Int(c.b)) / 3
        let guess = max(0, min(23, (mean - 8 + 5) / 10))
        var best = cube, bestDistance = distance(c, color(cube))
        for g in max(0, guess - 1)...min(23, guess + 1) {
            let d = distance(c, color(232 + g))
            if d < bestDistance { best = 232 + g; bestDistance = d }
        }
        return best
    }

    static func distance(_ a: RGB, _ b: RGB) -> Int {
        let dr = Int(a.r) - Int(b.r), dg = Int(a.g) - Int(b.g), db = Int(a.b) - Int(b.b)
        return dr * dr + dg * dg + db * db
    }
}
