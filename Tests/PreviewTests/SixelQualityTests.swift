import Foundation
import Imaging
import Preview
import Testing

/// Photographs (256×256 crops of scikit-image's astronaut, coffee, chelsea; tools/reference/preview_fixtures.py)
/// decoded by libsixel's sixel2png must reach at least the PSNR of img2sixel's default output (256 colours), which
/// this test produces live: `img2sixel PHOTO.ppm | sixel2png`.
@Suite struct SixelQualityTests {
    @Test(arguments: ["astronaut", "coffee", "chelsea"])
    func photoPSNRAtLeastImg2sixel(name: String) throws {
        guard PreviewTestSupport.hasDecoder, PreviewTestSupport.which("img2sixel") != nil else {
            print("skipped: img2sixel/sixel2png/convert not installed (Debian libsixel-bin, imagemagick)"); return
        }
        let path = PreviewTestSupport.fixtures.appendingPathComponent("\(name).ppm").path
        let photo = try PreviewTestSupport.photo(name)
        let peer = try PreviewTestSupport.run("img2sixel", [path])
        try #require(peer.status == 0)
        let peerPSNR = PreviewTestSupport.psnr(try PreviewTestSupport.decodeSixel(peer.stdout), photo)
        let ours = PreviewTestSupport.psnr(try PreviewTestSupport.decodeSixel(try SixelEncoder().encode(photo)), photo)
        var fsOptions = SixelOptions()
        fsOptions.dithering = .floydSteinberg
        let oursFS = PreviewTestSupport.psnr(
            try PreviewTestSupport.decodeSixel(try SixelEncoder(options: fsOptions).encode(photo)), photo)
        print("\(name): zoetrope \(ours) dB, zoetrope floyd-steinberg \(oursFS) dB, img2sixel \(peerPSNR) dB")
        #expect(ours >= peerPSNR)
        #expect(oursFS >= peerPSNR)
    }

    /// A clip's shared palette: every frame maps into the same registers, and quality stays near the adaptive one.
    @Test func sharedPaletteClip() throws {
        guard PreviewTestSupport.hasDecoder else { print("skipped: sixel2png/convert not installed"); return }
        let photo = try PreviewTestSupport.photo("astronaut")
        let frames: [RGBImage] = (0..<4).map { i in
            var f = RGBImage(width: 256, height: 256)
            for y in 0..<256 { for x in 0..<256 { f[x, y] = photo[(x + 8 * i) % 256, (y + 4 * i) % 256] } }
            return f
        }
        let palette = SixelPalette.shared(for: frames)
        #expect(palette.count == 256)
        let encoder = SixelEncoder()
        for frame in frames {
            let sixel = try encoder.encode(frame, palette: palette)
            let text = String(decoding: sixel, as: UTF8.self)
            // Every definition is the palette's entry in percent.
            for (j, c) in palette.colors.enumerated() where text.contains("#\(j);2;") {
                let p = { (v: UInt8) in (Int(v) * 100 + 127) / 255 }
                #expect(text.contains("#\(j);2;\(p(c.r));\(p(c.g));\(p(c.b))"))
            }
            let psnr = PreviewTestSupport.psnr(try PreviewTestSupport.decodeSixel(sixel), frame)
            #expect(psnr > 33)
        }
    }
}
