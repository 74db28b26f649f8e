import Foundation
import Imaging
import Preview
import Testing

/// The encoder judged by a decoder nobody here wrote: libsixel's `sixel2png` (plus ImageMagick to read its PNG).
@Suite struct SixelEncoderTests {
    /// A deterministic image whose channels are multiples of 51 (they survive sixel's percent scale exactly):
    /// 216 colours in blocks, stripes and noise, at a size that is not a multiple of six rows.
    static func paletteImage(width: Int = 97, height: Int = 53) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let noise = Int(state >> 33)
                let level: (Int) -> UInt8 = { UInt8(51 * ($0 % 6)) }
                image[x, y] = x < width / 2
                    ? RGB(level(x / 8), level(y / 9), level((x + y) / 7))
                    : RGB(level(noise), level(noise >> 3), level(noise >> 6))
            }
        }
        return image
    }

    @Test(arguments: Dithering.allCases)
    func paletteImageRoundTripsExactly(dithering: Dithering) throws {
        guard PreviewTestSupport.hasDecoder else { print("skipped: sixel2png/convert not installed"); return }
        let image = Self.paletteImage()
        var options = SixelOptions()
        options.dithering = dithering
        let sixel = try SixelEncoder(options: options).encode(image)
        let decoded = try PreviewTestSupport.decodeSixel(sixel)
        #expect(decoded.width == image.width && decoded.height == image.height)
        #expect(decoded == image, "decoded differs: PSNR \(PreviewTestSupport.psnr(decoded, image)) dB")
    }

    @Test func onePixelAndOddSizesRoundTrip() throws {
        guard PreviewTestSupport.hasDecoder else { print("skipped: sixel2png/convert not installed"); return }
        for (w, h) in [(1, 1), (1, 7), (13, 1), (6, 6), (7, 12)] {
            let image = Self.paletteImage(width: w, height: h)
            let decoded = try PreviewTestSupport.decodeSixel(try SixelEncoder().encode(image))
            #expect(decoded == image, "\(w)×\(h)")
        }
    }

    @Test func emptyImageIsOneClearError() {
        for (w, h) in [(0, 0), (0, 5), (5, 0)] {
            #expect(throws: PreviewError.emptyImage(width: w, height: h)) {
                try SixelEncoder().encode(RGBImage(width: w, height: h))
            }
        }
    }

    /// Integer upscaling: the decode at scale 4 is the decode at scale 1 with every pixel repeated 4×4.
    @Test func integerUpscaleRepeatsPixels() throws {
        guard PreviewTestSupport.hasDecoder else { print("skipped: sixel2png/convert not installed"); return }
        let photo = try PreviewTestSupport.photo("coffee")
        // 64×64 by taking every fourth pixel.
        var small = RGBImage(width: 64, height: 64)
        for y in 0..<64 { for x in 0..<64 { small[x, y] = photo[4 * x, 4 * y] } }
        let encoder = SixelEncoder()
        let palette = SixelPalette.adaptive(for: small)
        let one = try PreviewTestSupport.decodeSixel(try encoder.encode(small, palette: palette))
        encoder.options.scale = 4
        let sixel = try encoder.encode(small, palette: palette)
        let four = try PreviewTestSupport.decodeSixel(sixel)
        #expect(four.width == 256 && four.height == 256)
        var expected = RGBImage(width: 256, height: 256)
        for y in 0..<256 { for x in 0..<256 { expected[x, y] = one[x / 4, y / 4] } }
        #expect(four == expected)
        #expect(String(decoding: sixel.prefix(40), as: UTF8.self).contains("\"1;1;256;256"))
    }

    /// Stream structure a sloppy encoder breaks: raster attributes first, only used registers defined (and every
    /// selected register defined), no `-` after the last band, valid data bytes only.
    @Test func streamStructure() throws {
        let image = Self.paletteImage(width: 40, height: 25)
        // Use a 256-colour palette of which the image needs only some entries.
        var colors: [RGB] = []
        for i in 0..<216 {
            let r = UInt8(51 * (i % 6)), g = UInt8(51 * (i / 6 % 6)), b = UInt8(51 * (i / 36))
            colors.append(RGB(r, g, b))
        }
        for i in 0..<40 { colors.append(RGB(UInt8(3 + i), 7, 9)) }
        let sixel = try SixelEncoder().encode(image, palette: SixelPalette(colors: colors))
        let text = String(decoding: sixel, as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}P0;0;0q\"1;1;40;25#"))
        #expect(text.hasSuffix("\u{1B}\\"))
        let body = text.dropFirst("\u{1B}P0;0;0q\"1;1;40;25".count).dropLast(2)
        #expect(body.last != "-")
        #expect(body.filter { $0 == "-" }.count == 4)  // 25 rows = 5 bands
        // Split definitions (#n;2;r;g;b) from selections (#n followed by data).
        var defined = Set<Int>(), selected = Set<Int>()
        let scalars = Array(body.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "#" {
                var j = i + 1, n = 0
                while j < scalars.count, ("0"..."9").contains(scalars[j]) {
                    n = n * 10 + Int(scalars[j].value - 48); j += 1
                }
                if j < scalars.count && scalars[j] == ";" {
                    defined.insert(n)
                    while j < scalars.count && scalars[j] != "#" { j += 1 }
                } else { selected.insert(n) }
                i = j
            } else {
                let v = scalars[i].value
                #expect((0x3F...0x7E).contains(v) || "!$-0123456789".unicodeScalars.contains(scalars[i]))
                i += 1
            }
        }
        #expect(defined == selected)
        #expect(defined.count <= 216)
        #expect(!defined.contains { $0 >= 216 })
    }

    /// Transparency: P2 = 1 in the header, and no register paints the transparent pixels (columns 0..<10).
    @Test func transparentColorIsNotPainted() throws {
        var image = Self.paletteImage(width: 30, height: 18)
        let key = RGB(10, 200, 10)  // not a multiple of 51, so only the block below has it
        for y in 0..<18 { for x in 0..<10 { image[x, y] = key } }
        var options = SixelOptions()
        options.transparentColor = key
        let sixel = try SixelEncoder(options: options).encode(image)
        let text = String(decoding: sixel, as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}P0;1;0q\"1;1;30;18"))
        // Expand every colour's run-length data and check its first 10 columns paint nothing ("?").
        let body = text[text.index(text.startIndex, offsetBy: 15)...].dropLast(2)
        var colourRows = 0
        for band in body.split(separator: "-") {
            for colour in band.split(separator: "$") {
                guard let lastDefinition = colour.lastIndex(of: "#") else { continue }
                let data = colour[lastDefinition...].drop { $0 == "#" || $0.isNumber }
                var columns: [Character] = [], repeatCount = ""
                for ch in data {
                    if ch == "!" { repeatCount = "" } else if ch.isNumber { repeatCount.append(ch) } else {
                        columns += Array(repeating: ch, count: Int(repeatCount) ?? 1); repeatCount = ""
                    }
                }
                colourRows += 1
                #expect(columns.prefix(10).allSatisfy { $0 == "?" } && columns.count > 10, "\(colour)")
            }
        }
        #expect(colourRows > 3)
        guard PreviewTestSupport.hasDecoder else { return }
        let decoded = try PreviewTestSupport.decodeSixel(sixel)
        for y in 0..<18 { for x in 10..<30 { #expect(decoded[x, y] == image[x, y]) } }
    }
}
