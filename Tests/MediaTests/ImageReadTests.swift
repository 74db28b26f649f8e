import Foundation
import Imaging
import Media
import Testing

/// One decode fixture from `Fixtures/manifest.json` (written by tools/reference/media_fixtures.py).
struct DecodeFixture: Sendable, CustomStringConvertible {
    var file: String
    var expected: String
    var width: Int
    var height: Int
    var bitDepth: Int
    var colorType: String
    var interlaced: Bool
    var background: [Int]
    var hasAlpha: Bool
    var description: String { "\(file) over \(background)" }

    static let all: [DecodeFixture] = {
        let url = MediaTestSupport.fixtures.appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: url),
              let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return list.compactMap { o in
            guard let file = o["file"] as? String, let expected = o["expected"] as? String,
                  let width = o["width"] as? Int, let height = o["height"] as? Int,
                  let bitDepth = o["bitDepth"] as? Int, let colorType = o["colorType"] as? String,
                  let interlaced = o["interlaced"] as? Bool, let background = o["background"] as? [Int],
                  let hasAlpha = o["hasAlpha"] as? Bool else { return nil }
            return DecodeFixture(file: file, expected: expected, width: width, height: height, bitDepth: bitDepth,
                                 colorType: colorType, interlaced: interlaced, background: background, hasAlpha: hasAlpha)
        }
    }()
}

@Suite("Reading PNG, JPEG and WebP")
struct ImageReadTests {
    @Test("The manifest lists every colour type")
    func manifestIsComplete() {
        // 14 PNG cases + 5 JPEG/WebP cases; an empty manifest would make the parameterised tests vacuous.
        #expect(DecodeFixture.all.count == 19)
        #expect(Set(DecodeFixture.all.map(\.colorType)).isSuperset(of: ["grey", "grey+alpha", "rgb", "rgba", "palette"]))
    }

    /// Expected pixels: PNG from the numpy source arrays (exact), JPEG/WebP from Pillow's decode.
    /// Regenerate: /work/venv/bin/python tools/reference/media_fixtures.py
    @Test("Decoded pixels match the reference", arguments: DecodeFixture.all)
    func decodesLikeReference(_ fixture: DecodeFixture) throws {
        let url = MediaTestSupport.fixtures.appendingPathComponent(fixture.file)
        let bg = fixture.background
        let image = try ImageFile.read(url, background: RGB(UInt8(bg[0]), UInt8(bg[1]), UInt8(bg[2])))
        let expected = try [UInt8](Data(contentsOf: MediaTestSupport.fixtures.appendingPathComponent(fixture.expected)))
        #expect(image.width == fixture.width && image.height == fixture.height)
        try #require(image.pixels.count == expected.count)
        let lossy = fixture.file.hasSuffix(".jpg") || fixture.file.hasSuffix("lossy.webp")
        if lossy {
            // libavcodec and libjpeg/libwebp differ in IDCT rounding and chroma upsampling: not bit-exact.
            let psnr = Pixels.psnr(image.pixels, expected)
            print("\(fixture.file): PSNR \(String(format: "%.2f", psnr)) dB against Pillow")
            #expect(psnr > 40, "\(fixture.file): PSNR \(psnr) dB against Pillow")
        } else {
            let differing = zip(image.pixels, expected).filter { $0 != $1 }.count
            #expect(differing == 0, "\(fixture.file): \(differing) of \(expected.count) bytes differ")
        }
    }

    @Test("Probe reports the header", arguments: DecodeFixture.all)
    func probeMatchesHeader(_ fixture: DecodeFixture) throws {
        let info = try ImageFile.probe(MediaTestSupport.fixtures.appendingPathComponent(fixture.file))
        #expect(info.width == fixture.width && info.height == fixture.height)
        #expect(info.bitDepth == fixture.bitDepth)
        #expect(info.colorType.rawValue == fixture.colorType)
        #expect(info.hasAlpha == fixture.hasAlpha)
        #expect(info.isInterlaced == fixture.interlaced)
        let expectedFormat: ImageFormat = fixture.file.hasSuffix(".png") ? .png : fixture.file.hasSuffix(".jpg") ? .jpeg : .webp
        #expect(info.format == expectedFormat)
    }

    @Test("Format comes from the bytes, not the name")
    func formatByMagic() throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let jpegNamedPNG = dir.appendingPathComponent("actually-jpeg.png")
        try FileManager.default.copyItem(at: MediaTestSupport.fixtures.appendingPathComponent("photo.jpg"), to: jpegNamedPNG)
        #expect(try ImageFile.probe(jpegNamedPNG).format == .jpeg)
        #expect(try ImageFile.read(jpegNamedPNG).width == 64)
    }

    @Test("Size limit is configurable and checked from the header")
    func configurableLimit() throws {
        let url = MediaTestSupport.fixtures.appendingPathComponent("rgb8.png")   // 17×13
        #expect(throws: MediaError.self) { try ImageFile.read(url, limits: ImageLimits(maxWidth: 16, maxHeight: 100)) }
        #expect(throws: MediaError.self) { try ImageFile.read(url, limits: ImageLimits(maxWidth: 100, maxHeight: 12)) }
        #expect(try ImageFile.read(url, limits: ImageLimits(maxWidth: 17, maxHeight: 13)).width == 17)
        let jpeg = MediaTestSupport.fixtures.appendingPathComponent("photo.jpg")     // 64×48
        #expect(throws: MediaError.self) { try ImageFile.read(jpeg, limits: ImageLimits(maxWidth: 63, maxHeight: 100)) }
        let webp = MediaTestSupport.fixtures.appendingPathComponent("photo-lossy.webp")
        #expect(throws: MediaError.self) { try ImageFile.read(webp, limits: ImageLimits(maxWidth: 100, maxHeight: 47)) }
    }

    @Test("PNG written by PNGWriter decodes identically with ffmpeg", .enabled(if: Tools.haveFFmpeg))
    func pngWriterRoundTrip() throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = SyntheticClip.frame(index: 5, of: 48, width: 37, height: 23)
        let url = dir.appendingPathComponent("out.png")
        try PNGWriter.write(image, to: url)
        #expect(try Tools.decodeRGB(url) == Data(image.pixels))
        #expect(try ImageFile.read(url) == image)
    }
}
