import Foundation
import Imaging
import Preview
import Testing

@Suite struct HalfBlockRendererTests {
    /// Parses half-block output back into pixels: each `▀` cell gives the current foreground (top pixel) and
    /// background (bottom pixel); `CSI 49 m` means no bottom pixel.
    static func decode(_ text: String, width: Int, height: Int, palette: (Int) -> RGB) -> RGBImage? {
        var image = RGBImage(width: width, height: height)
        var fg = RGB(0, 0, 0), bg: RGB? = nil
        var row = 0, x = 0
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            if s == "\u{1B}" {
                var j = i + 2, body = ""
                while j < scalars.count, !("A"..."z").contains(scalars[j]) { body.unicodeScalars.append(scalars[j]); j += 1 }
                let final = scalars[j]
                let p = body.split(separator: ";").compactMap { Int($0) }
                if final == "m" {
                    if p == [49] { bg = nil } else if p.count == 5, p[0] == 38 { fg = RGB(UInt8(p[2]), UInt8(p[3]), UInt8(p[4])) }
                    else if p.count == 5, p[0] == 48 { bg = RGB(UInt8(p[2]), UInt8(p[3]), UInt8(p[4])) }
                    else if p.count == 3, p[0] == 38 { fg = palette(p[2]) }
                    else if p.count == 3, p[0] == 48 { bg = palette(p[2]) }
                } else if final == "H" {
                    row = p[0] - 1; x = 0
                }
                i = j + 1
            } else if s == "\n" {
                row += 1; x = 0; i += 1
            } else if s == "▀" {
                guard x < width, 2 * row < height else { return nil }
                image[x, 2 * row] = fg
                if 2 * row + 1 < height { guard let bg else { return nil }; image[x, 2 * row + 1] = bg }
                x += 1; i += 1
            } else { return nil }
        }
        return image
    }

    @Test func trueColorIsLossless() throws {
        let photo = try PreviewTestSupport.photo("chelsea")
        let image = ImageScaler.resize(photo, width: 41, height: 31)  // odd height: last row has no bottom pixel
        let text = HalfBlockRenderer.render(image, mode: .trueColor)
        #expect(Self.decode(text, width: 41, height: 31) { _ in RGB(0, 0, 0) } == image)
        #expect(text.components(separatedBy: "\n").count == 16)
        #expect(text.hasSuffix("\u{1B}[0m"))
    }

    @Test func originPositionsEveryRow() {
        let image = SixelEncoderTests.paletteImage(width: 5, height: 6)
        let text = HalfBlockRenderer.render(image, mode: .trueColor, at: CellPosition(row: 4, column: 7))
        #expect(text.hasPrefix("\u{1B}[4;7H"))
        #expect(text.contains("\u{1B}[5;7H") && text.contains("\u{1B}[6;7H") && !text.contains("\u{1B}[7;7H"))
        #expect(!text.contains("\n"))
        #expect(Self.decode(text.replacingOccurrences(of: "\u{1B}[4;7H", with: "\u{1B}[1;1H")
                                .replacingOccurrences(of: "\u{1B}[5;7H", with: "\u{1B}[2;1H")
                                .replacingOccurrences(of: "\u{1B}[6;7H", with: "\u{1B}[3;1H"),
                            width: 5, height: 6) { _ in RGB(0, 0, 0) } == image)
    }

    /// Every 256-colour code is the brute-force nearest of entries 16...255 (squared RGB distance).
    @Test func palette256PicksTheNearestEntry() throws {
        let photo = try PreviewTestSupport.photo("astronaut")
        let image = ImageScaler.resize(photo, width: 64, height: 64)
        let text = HalfBlockRenderer.render(image, mode: .palette256)
        let levels = [0, 95, 135, 175, 215, 255]
        func entry(_ i: Int) -> RGB {
            if i >= 232 { let v = UInt8(8 + 10 * (i - 232)); return RGB(v, v, v) }
            return RGB(UInt8(levels[(i - 16) / 36]), UInt8(levels[(i - 16) / 6 % 6]), UInt8(levels[(i - 16) % 6]))
        }
        let decoded = try #require(Self.decode(text, width: 64, height: 64, palette: entry))
        var worse = 0
        for y in 0..<64 {
            for x in 0..<64 {
                let c = image[x, y]
                func d(_ e: RGB) -> Int {
                    let dr = Int(c.r) - Int(e.r), dg = Int(c.g) - Int(e.g), db = Int(c.b) - Int(e.b)
                    return dr * dr + dg * dg + db * db
                }
                let best = (16...255).map { d(entry($0)) }.min() ?? 0
                if d(decoded[x, y]) != best { worse += 1 }
            }
        }
        #expect(worse == 0)
    }

    @Test func asciiRampFollowsBrightness() {
        var image = RGBImage(width: 10, height: 4)
        for x in 0..<10 { for y in 0..<4 { let v = UInt8(x * 255 / 9); image[x, y] = RGB(v, v, v) } }
        let text = HalfBlockRenderer.render(image, mode: .ascii)
        #expect(text == " .:-=+*#%@\n .:-=+*#%@")
        #expect(HalfBlockRenderer.render(RGBImage(width: 0, height: 0), mode: .ascii).isEmpty)
    }
}
