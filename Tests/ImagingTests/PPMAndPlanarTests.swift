import Foundation
import Imaging
import Testing

/// The PPM reader/writer and the planar float conversion.
@Suite struct PPMAndPlanarTests {
    @Test func ppmRoundTrips() throws {
        let image = ImagingTestSupport.noiseImage(width: 7, height: 5, seed: 9)
        let data = image.ppmData()
        #expect(data.prefix(11) == Data("P6\n7 5\n255\n".utf8))
        #expect(data.count == 11 + 7 * 5 * 3)
        #expect(try RGBImage(ppm: data) == image)
        // Through a file, and from a Data slice with a non-zero start index.
        let dir = try ImagingTestSupport.makeTemporaryDirectory()
        let url = dir.appendingPathComponent("x.ppm")
        try data.write(to: url)
        #expect(try RGBImage(contentsOfPPM: url) == image)
        let padded = Data([0, 0, 0]) + data
        #expect(try RGBImage(ppm: padded.dropFirst(3)) == image)
    }

    /// The fixtures were written by the Python script (numpy bytes), so reading them checks the reader against an
    /// independent writer; the header lists the size the script used.
    @Test func readsFixturesWrittenByPython() throws {
        let image = try ImagingTestSupport.image("resize_source.ppm")
        #expect(image.width == 120 && image.height == 90)
    }

    @Test func ppmHeaderVariants() throws {
        // Comments and arbitrary whitespace in the header.
        let body: [UInt8] = [1, 2, 3, 4, 5, 6]
        let commented = Data("P6 # made by hand\n2\t1 # size\n255\n".utf8) + Data(body)
        #expect(try RGBImage(ppm: commented) == RGBImage(width: 2, height: 1, pixels: body))
        // maxval 15: rescaled to 0...255 (15 → 255, 1 → 17); a sample above maxval is clamped.
        let small = Data("P6\n2 1\n15\n".utf8) + Data([15, 1, 0, 7, 200, 15])
        #expect(try RGBImage(ppm: small).pixels == [255, 17, 0, 119, 255, 255])
        // 16-bit samples, big-endian.
        let wide = Data("P6\n1 1\n65535\n".utf8) + Data([0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00])
        #expect(try RGBImage(ppm: wide).pixels == [255, 128, 0])
        // Extra bytes after the image are ignored.
        #expect(try RGBImage(ppm: commented + Data([9, 9])) == RGBImage(width: 2, height: 1, pixels: body))
    }

    @Test func malformedPPMThrowsOneClearLine() throws {
        let cases: [(String, Data, String)] = [
            ("empty", Data(), "not a PPM file"),
            ("png", Data([0x89, 0x50, 0x4E, 0x47]), "not a PPM file"),
            ("ascii", Data("P3\n1 1\n255\n0 0 0\n".utf8), "ASCII PPM (P3)"),
            ("grey", Data("P5\n1 1\n255\n\0".utf8), "PBM/PGM"),
            ("truncated", Data("P6\n4 4\n255\n".utf8) + Data(count: 10), "needs 48 bytes of pixels, found 10"),
            ("no maxval", Data("P6\n4 4\n".utf8), "header ends before its maxval"),
            ("letters", Data("P6\nfour 4\n255\n".utf8), "header width is not a number"),
            ("zero", Data("P6\n0 4\n255\n".utf8), "must be ≥ 1"),
            ("maxval", Data("P6\n1 1\n70000\n".utf8) + Data(count: 6), "maxval 70000"),
            ("huge", Data("P6\n999999999 999999999\n255\n".utf8), "limit"),
            ("digits", Data("P6\n99999999999999999999999 1\n255\n".utf8), "too many digits"),
            ("no gap", Data("P6\n1 1\n255".utf8), "whitespace before pixels"),
        ]
        for (name, data, fragment) in cases {
            do {
                _ = try RGBImage(ppm: data, source: "case \(name).ppm")
                Issue.record("\(name): expected an error")
            } catch let error as ImagingError {
                let message = error.description
                #expect(message.hasPrefix("case \(name).ppm: "), "\(name): \(message)")
                #expect(message.contains(fragment), "\(name): \(message)")
                #expect(!message.contains("\n"))
            }
        }
        // A missing file names the path.
        let missing = URL(fileURLWithPath: "/nonexistent/zoetrope/none.ppm")
        #expect(throws: ImagingError.self) { try RGBImage(contentsOfPPM: missing) }
    }

    /// bytes → planar floats → bytes is the identity for every byte value, and the float layout is channel-major.
    @Test func planarRoundTripIsExact() {
        var all = RGBImage(width: 256, height: 3)
        for x in 0..<256 { all[x, 0] = RGB(UInt8(x), UInt8(255 - x), UInt8(x / 2)); all[x, 2] = RGB(UInt8(x), 0, 255) }
        let planar = all.planarFloats()
        #expect(planar.count == 3 * 256 * 3)
        #expect(RGBImage(planar: planar, width: 256, height: 3) == all)
        // Channel-major: R plane first. Endpoints map to exactly -1 and 1.
        #expect(planar[0] == -1 && planar[255] == 1)
        #expect(planar[768] == 1 && planar[768 + 255] == -1)
        // Out-of-range floats clamp.
        #expect(RGBImage(planar: [Float](repeating: 3, count: 3) , width: 1, height: 1) == RGBImage(width: 1, height: 1, fill: RGB(255, 255, 255)))
        #expect(RGBImage(planar: [Float](repeating: -3, count: 3), width: 1, height: 1) == RGBImage(width: 1, height: 1))
        let noise = ImagingTestSupport.noiseImage(width: 31, height: 17, seed: 99)
        #expect(RGBImage(planar: noise.planarFloats(), width: 31, height: 17) == noise)
    }
}
