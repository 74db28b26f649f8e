import Foundation
import Imaging
import Testing

/// Resampling and fit-to-square against Pillow.
///
/// Reference images: `/work/venv/bin/python tools/reference/imaging_fixtures.py` (or `make fixtures`) runs Pillow's
/// `Image.resize` (NEAREST, BILINEAR, LANCZOS), `ImageOps.fit` and `ImageOps.pad` on a 120×90 photo crop
/// (Fixtures/resize.json lists the cases). The brief allows ±1 per channel where rounding differs; our resampler
/// reproduces Pillow's fixed-point arithmetic, so the tests demand: at most 1 level anywhere, and at most 0.5 % of the
/// samples off by that 1 (in practice: none — the test prints the count). A half-pixel shift, a missing support
/// widening or a wrong tap range changes hundreds of samples by far more than 1.
@Suite struct ResamplingTests {
    static let fixture: ResizeFixture? = try? ImagingTestSupport.json(ResizeFixture.self, "resize.json")

    /// (largest per-sample difference, number of differing samples).
    static func compare(_ ours: RGBImage, _ theirs: RGBImage) -> (maxDiff: Int, differing: Int) {
        guard ours.width == theirs.width && ours.height == theirs.height else { return (255, ours.pixels.count) }
        var maxDiff = 0, differing = 0
        for (p, q) in zip(ours.pixels, theirs.pixels) where p != q {
            maxDiff = max(maxDiff, abs(Int(p) - Int(q)))
            differing += 1
        }
        return (maxDiff, differing)
    }

    static func expectClose(_ ours: RGBImage, _ theirs: RGBImage, _ label: String) -> Int {
        #expect(ours.width == theirs.width && ours.height == theirs.height,
                "\(label): \(ours.width)×\(ours.height) vs Pillow \(theirs.width)×\(theirs.height)")
        let (maxDiff, differing) = compare(ours, theirs)
        #expect(maxDiff <= 1, "\(label): max difference \(maxDiff) levels")
        #expect(differing * 200 <= theirs.pixels.count, "\(label): \(differing) samples differ")
        return differing
    }

    @Test func resizeMatchesPillow() throws {
        let fixture = try #require(Self.fixture)
        let source = try ImagingTestSupport.image(fixture.source)
        #expect(fixture.cases.count == 18)
        var differing = 0
        for c in fixture.cases {
            let filter = try #require(ResampleFilter(rawValue: c.filter))
            let expected = try ImagingTestSupport.image(c.file)
            differing += Self.expectClose(source.resized(width: c.width, height: c.height, filter: filter), expected,
                                          c.file)
        }
        print("resize vs Pillow: \(fixture.cases.count) cases, \(differing) samples differ")
    }

    @Test func fitToSquareMatchesImageOps() throws {
        let fixture = try #require(Self.fixture)
        let source = try ImagingTestSupport.image(fixture.source)
        #expect(fixture.fits.count == 7)
        var differing = 0
        for f in fixture.fits {
            let crop = f.source_crop
            let part = source.cropped(x: crop[0], y: crop[1], width: crop[2], height: crop[3])
            let mode = try #require(SquareFitMode(rawValue: f.mode))
            let filter = try #require(ResampleFilter(rawValue: f.filter))
            let fill = RGB(UInt8(f.fill[0]), UInt8(f.fill[1]), UInt8(f.fill[2]))
            let ours = part.fittedToSquare(side: f.side, mode: mode, fill: fill, filter: filter)
            differing += Self.expectClose(ours, try ImagingTestSupport.image(f.file), f.file)
        }
        print("fittedToSquare vs ImageOps.fit/pad: \(fixture.fits.count) cases, \(differing) samples differ")
    }

    /// Downscaling must widen the kernel: a 1-pixel checkerboard shrunk 4× is flat grey (antialiased) with bilinear
    /// and Lanczos, never a sampled checkerboard or a stripe pattern.
    @Test func downscalingAntialiases() {
        var board = RGBImage(width: 64, height: 64)
        for y in 0..<64 { for x in 0..<64 where (x + y) % 2 == 0 { board[x, y] = RGB(255, 255, 255) } }
        for filter in [ResampleFilter.bilinear, .lanczos3] {
            let small = board.resized(width: 16, height: 16, filter: filter)
            // Interior pixels (the border renormalises over fewer taps): all 127 or 128.
            for y in 2..<14 { for x in 2..<14 { #expect(abs(Int(small[x, y].r) - 128) <= 1, "\(filter) at \(x),\(y)") } }
        }
    }

    /// Properties any correct filter keeps: a constant image stays constant (weights sum to one, also at the edges);
    /// identity size returns the image unchanged.
    @Test func constantsAndIdentity() {
        let flat = RGBImage(width: 37, height: 23, fill: RGB(200, 13, 77))
        for filter in ResampleFilter.allCases {
            for (w, h) in [(5, 4), (37, 23), (100, 61), (1, 1), (200, 3)] {
                let out = flat.resized(width: w, height: h, filter: filter)
                #expect(out == RGBImage(width: w, height: h, fill: RGB(200, 13, 77)), "\(filter) \(w)×\(h)")
            }
            let noise = ImagingTestSupport.noiseImage(width: 19, height: 11, seed: 7)
            #expect(noise.resized(width: 19, height: 11, filter: filter) == noise)
        }
    }

    @Test func upscaledIsIntegerNearest() {
        let image = ImagingTestSupport.noiseImage(width: 13, height: 7, seed: 3)
        for factor in [2, 3, 4, 8] {
            let big = image.upscaled(by: factor)
            #expect(big.width == 13 * factor && big.height == 7 * factor)
            var ok = true
            for y in 0..<big.height { for x in 0..<big.width where big[x, y] != image[x / factor, y / factor] { ok = false } }
            #expect(ok, "factor \(factor): every output pixel is its block's source pixel")
            #expect(big == image.resized(width: 13 * factor, height: 7 * factor, filter: .nearest))
        }
        #expect(image.upscaled(by: 1) == image)
        #expect(image.upscaled(by: 0) == image)
        #expect(image.upscaled(by: -3) == image)
        #expect(RGBImage(width: 0, height: 5).upscaled(by: 2) == RGBImage(width: 0, height: 10))
    }

    @Test func degenerateSizesDoNotTrap() {
        let image = ImagingTestSupport.noiseImage(width: 9, height: 6, seed: 5)
        for filter in ResampleFilter.allCases {
            #expect(image.resized(width: 0, height: 4, filter: filter) == RGBImage(width: 0, height: 4))
            #expect(image.resized(width: -3, height: -1, filter: filter) == RGBImage(width: 0, height: 0))
            #expect(RGBImage(width: 0, height: 0).resized(width: 4, height: 3, filter: filter) == RGBImage(width: 4, height: 3))
            // Extreme ratios: 9 → 1 and 1 → 500.
            #expect(image.resized(width: 1, height: 1, filter: filter).width == 1)
            let tall = image.resized(width: 1, height: 500, filter: filter)
            #expect(tall.width == 1 && tall.height == 500)
        }
    }
}
