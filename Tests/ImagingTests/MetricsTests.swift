import Foundation
import Imaging
import Testing

/// L1 / PSNR / SSIM against scikit-image on real photographs and their distortions.
///
/// Reference values: `/work/venv/bin/python tools/reference/imaging_fixtures.py` (or `make fixtures`), which writes
/// Fixtures/metrics.json from numpy (L1), `skimage.metrics.peak_signal_noise_ratio(data_range=1)` and
/// `skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
/// data_range=1, channel_axis=2)`. Acceptance bounds are 0.01 dB and 1e-4; both implementations compute in double
/// precision, so the tests hold them to ~1e-9, far tighter, and a window or border crop off by one pixel fails.
@Suite struct MetricsTests {
    static let fixture: MetricsFixture? = try? ImagingTestSupport.json(MetricsFixture.self, "metrics.json")

    static let l1Tolerance = 1e-12
    static let psnrTolerance = 1e-9   // dB
    static let ssimTolerance = 1e-9

    @Test func wholeFramesMatchScikitImage() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.pairs.count >= 9)
        var worst = (l1: 0.0, psnr: 0.0, ssim: 0.0)
        for pair in fixture.pairs {
            let a = try ImagingTestSupport.image(pair.reference), b = try ImagingTestSupport.image(pair.distorted)
            let l1 = try ImageMetrics.l1(a, b), psnr = try ImageMetrics.psnr(a, b), ssim = try ImageMetrics.ssim(a, b)
            #expect(abs(l1 - pair.l1) <= Self.l1Tolerance, "\(pair.distorted) L1 \(l1) vs skimage \(pair.l1)")
            #expect(abs(psnr - pair.psnr) <= Self.psnrTolerance, "\(pair.distorted) PSNR \(psnr) vs \(pair.psnr)")
            #expect(abs(ssim - pair.ssim) <= Self.ssimTolerance, "\(pair.distorted) SSIM \(ssim) vs \(pair.ssim)")
            worst = (max(worst.l1, abs(l1 - pair.l1)), max(worst.psnr, abs(psnr - pair.psnr)),
                     max(worst.ssim, abs(ssim - pair.ssim)))
        }
        print("metrics vs scikit-image, \(fixture.pairs.count) photo pairs: worst |ΔL1| \(worst.l1), "
              + "|ΔPSNR| \(worst.psnr) dB, |ΔSSIM| \(worst.ssim)")
    }

    /// Small regions (down to 11×11, which leaves a single SSIM pixel) weigh the reflect border and the 5-pixel crop
    /// heavily; `ssim(_:_:region:)` must equal skimage on the cropped arrays.
    @Test func regionsMatchScikitImage() throws {
        let fixture = try #require(Self.fixture)
        var worst = 0.0
        for region in fixture.regions {
            let a = try ImagingTestSupport.image(region.reference), b = try ImagingTestSupport.image(region.distorted)
            let rect = PixelRect(x: region.x, y: region.y, width: region.width, height: region.height)
            let ssim = try ImageMetrics.ssim(a, b, region: rect)
            let ca = a.cropped(to: rect), cb = b.cropped(to: rect)
            let l1 = try ImageMetrics.l1(ca, cb), psnr = try ImageMetrics.psnr(ca, cb)
            let label = "\(region.distorted) \(rect)"
            #expect(abs(ssim - region.ssim) <= Self.ssimTolerance, "\(label) SSIM \(ssim) vs \(region.ssim)")
            #expect(abs(l1 - region.l1) <= Self.l1Tolerance, "\(label) L1 \(l1) vs \(region.l1)")
            #expect(abs(psnr - region.psnr) <= Self.psnrTolerance, "\(label) PSNR \(psnr) vs \(region.psnr)")
            worst = max(worst, abs(ssim - region.ssim))
        }
        print("region SSIM vs scikit-image, \(fixture.regions.count) regions: worst |ΔSSIM| \(worst)")
    }

    /// The full SSIM map (every pixel, borders included) on a 16×13 crop, against skimage's `full=True` output.
    @Test func ssimMapMatchesScikitImageIncludingBorders() throws {
        let fixture = try #require(Self.fixture)
        let m = fixture.ssim_map
        let rect = PixelRect(x: m.x, y: m.y, width: m.width, height: m.height)
        let a = try ImagingTestSupport.image(m.reference).cropped(to: rect)
        let b = try ImagingTestSupport.image(m.distorted).cropped(to: rect)
        let maps = try ImageMetrics.ssimMaps(UnitPlanes(a), UnitPlanes(b))
        #expect(m.map_hwc.count == m.width * m.height * 3)
        var worst = 0.0
        for y in 0..<m.height {
            for x in 0..<m.width {
                for c in 0..<3 {
                    worst = max(worst, abs(maps[c][y * m.width + x] - m.map_hwc[(y * m.width + x) * 3 + c]))
                }
            }
        }
        #expect(worst <= 1e-12, "worst per-pixel SSIM map difference \(worst)")
        #expect(abs(try ImageMetrics.ssim(a, b) - m.ssim) <= Self.ssimTolerance)
    }

    @Test func gaussianKernelIsScipys() throws {
        let fixture = try #require(Self.fixture)
        #expect(ImageMetrics.ssimKernel.count == 11)
        #expect(fixture.gaussian_kernel.count == 11)
        for (ours, scipy) in zip(ImageMetrics.ssimKernel, fixture.gaussian_kernel) {
            #expect(abs(ours - scipy) <= 1e-15)
        }
    }

    /// The tolerance is meaningful: a kernel radius or a border crop off by one moves SSIM on the reference regions by
    /// far more than `ssimTolerance` (and, on the 11×11 region, by more than the 1e-4 acceptance bound).
    @Test func offByOneWindowOrCropIsCaught() throws {
        let fixture = try #require(Self.fixture)
        var smallest = (radius4: Double.infinity, radius6: Double.infinity, crop4: Double.infinity,
                        crop6: Double.infinity)
        var largest = 0.0
        for region in fixture.regions where region.width >= 13 && region.height >= 13 {
            let rect = PixelRect(x: region.x, y: region.y, width: region.width, height: region.height)
            let a = UnitPlanes(try ImagingTestSupport.image(region.reference).cropped(to: rect))
            let b = UnitPlanes(try ImagingTestSupport.image(region.distorted).cropped(to: rect))
            let r4 = try ImageMetrics.ssim(a, b, "ssim", kernel: ImageMetrics.gaussianKernel(sigma: 1.5, radius: 4))
            let r6 = try ImageMetrics.ssim(a, b, "ssim", kernel: ImageMetrics.gaussianKernel(sigma: 1.5, radius: 6))
            let c4 = try ImageMetrics.ssim(a, b, "ssim", borderCrop: 4)
            let c6 = try ImageMetrics.ssim(a, b, "ssim", borderCrop: 6)
            smallest = (min(smallest.radius4, abs(r4 - region.ssim)), min(smallest.radius6, abs(r6 - region.ssim)),
                        min(smallest.crop4, abs(c4 - region.ssim)), min(smallest.crop6, abs(c6 - region.ssim)))
            largest = max(largest, abs(c4 - region.ssim), abs(c6 - region.ssim))
        }
        print("off-by-one sensitivity (smallest |ΔSSIM| over regions): \(smallest); largest crop error \(largest)")
        #expect(smallest.radius4 > 100 * Self.ssimTolerance)
        #expect(smallest.radius6 > 100 * Self.ssimTolerance)
        #expect(smallest.crop4 > 100 * Self.ssimTolerance)
        #expect(smallest.crop6 > 100 * Self.ssimTolerance)
        #expect(largest > 1e-4)
    }

    /// Masked L1 / PSNR against numpy's weighted means (a hard disk mask and a soft ramp mask).
    @Test func maskedMetricsMatchNumpy() throws {
        let fixture = try #require(Self.fixture)
        for entry in fixture.masked {
            let a = try ImagingTestSupport.image(entry.reference), b = try ImagingTestSupport.image(entry.distorted)
            let l1: Double, psnr: Double
            if entry.mask == "disk" {
                let cx = try #require(entry.cx), cy = try #require(entry.cy), r = try #require(entry.r)
                // Pixel (x, y) is in when its centre lies in the disk.
                var mask = [Bool](repeating: false, count: a.width * a.height)
                for y in 0..<a.height {
                    for x in 0..<a.width {
                        let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                        mask[y * a.width + x] = dx * dx + dy * dy <= r * r
                    }
                }
                l1 = try ImageMetrics.l1(a, b, mask: mask)
                psnr = try ImageMetrics.psnr(a, b, mask: mask)
                // A Boolean mask is the plain metric of the selected pixels: compare with the float form too.
                let weights = mask.map { $0 ? Float(1) : 0 }
                #expect(abs(try ImageMetrics.l1(a, b, mask: weights) - l1) <= 1e-15)
            } else {
                // w(x, y) = (x + y) / (w + h − 2), computed in Float like the script's float32 mask.
                var mask = [Float](repeating: 0, count: a.width * a.height)
                for y in 0..<a.height {
                    for x in 0..<a.width { mask[y * a.width + x] = Float(x + y) / Float(a.width + a.height - 2) }
                }
                l1 = try ImageMetrics.l1(a, b, mask: mask)
                psnr = try ImageMetrics.psnr(a, b, mask: mask)
            }
            #expect(abs(l1 - entry.l1) <= Self.l1Tolerance, "\(entry.distorted) \(entry.mask) L1 \(l1) vs \(entry.l1)")
            #expect(abs(psnr - entry.psnr) <= Self.psnrTolerance, "\(entry.distorted) \(entry.mask) PSNR")
        }
    }

    /// The planar float overloads (the engine's `3×H×W` in [-1, 1]) agree with the byte versions.
    @Test func planarFloatOverloadsAgreeWithBytes() throws {
        let fixture = try #require(Self.fixture)
        let pair = fixture.pairs[0]
        let a = try ImagingTestSupport.image(pair.reference), b = try ImagingTestSupport.image(pair.distorted)
        let fa = a.planarFloats(), fb = b.planarFloats()
        // byte / 127.5 − 1 in Float, then (f + 1) / 2, differs from byte / 255 by float rounding only (~1e-7).
        #expect(abs(try ImageMetrics.l1(fa, fb, width: a.width, height: a.height) - pair.l1) < 1e-6)
        #expect(abs(try ImageMetrics.psnr(fa, fb, width: a.width, height: a.height) - pair.psnr) < 1e-4)
        #expect(abs(try ImageMetrics.ssim(fa, fb, width: a.width, height: a.height) - pair.ssim) < 1e-6)
        let rect = PixelRect(x: 100, y: 80, width: 40, height: 30)
        let region = try #require(fixture.regions.first {
            $0.distorted == pair.distorted && $0.x == 100 && $0.y == 80 && $0.width == 40
        })
        #expect(abs(try ImageMetrics.ssim(fa, fb, width: a.width, height: a.height, region: rect) - region.ssim) < 1e-6)
        let ones = [Float](repeating: 1, count: a.width * a.height)
        #expect(abs(try ImageMetrics.l1(fa, fb, width: a.width, height: a.height, mask: ones) - pair.l1) < 1e-6)
    }

    @Test func identicalImages() throws {
        let a = ImagingTestSupport.noiseImage(width: 32, height: 20, seed: 1)
        #expect(try ImageMetrics.psnr(a, a) == .infinity)
        #expect(try ImageMetrics.l1(a, a) == 0)
        #expect(abs(try ImageMetrics.ssim(a, a) - 1) < 1e-12)
        let f = a.planarFloats()
        #expect(try ImageMetrics.psnr(f, f, width: 32, height: 20) == .infinity)
    }

    /// Hand-checkable values: a constant offset of d/255 gives L1 = d/255 and PSNR = 20 log10(255 / d).
    @Test func constantOffsetHasClosedForm() throws {
        let a = RGBImage(width: 12, height: 12, fill: RGB(100, 50, 200))
        let b = RGBImage(width: 12, height: 12, fill: RGB(110, 60, 210))
        #expect(abs(try ImageMetrics.l1(a, b) - 10.0 / 255) < 1e-15)
        #expect(abs(try ImageMetrics.psnr(a, b) - 20 * log10(25.5)) < 1e-12)
        // Half the pixels selected by a mask, the other half made identical: masked L1 sees only the selected half.
        var c = b
        for y in 0..<12 { for x in 6..<12 { c[x, y] = a[x, y] } }
        let left = (0..<144).map { $0 % 12 < 6 }
        #expect(abs(try ImageMetrics.l1(a, c, mask: left) - 10.0 / 255) < 1e-15)
        #expect(abs(try ImageMetrics.l1(a, c) - 5.0 / 255) < 1e-15)
        #expect(try ImageMetrics.psnr(a, c, mask: left.map { !$0 }) == .infinity)
    }

    @Test func badInputsThrowInsteadOfTrapping() throws {
        let a = RGBImage(width: 20, height: 16), b = RGBImage(width: 16, height: 20)
        #expect(throws: ImagingError.sizeMismatch(operation: "l1", expected: "20×16", found: "16×20")) {
            try ImageMetrics.l1(a, b)
        }
        #expect(throws: ImagingError.self) { try ImageMetrics.psnr(a, b) }
        #expect(throws: ImagingError.self) { try ImageMetrics.ssim(a, b) }
        #expect(throws: ImagingError.tooSmall(operation: "ssim", width: 10, height: 16, minimum: 11)) {
            try ImageMetrics.ssim(a.cropped(x: 0, y: 0, width: 10, height: 16), a.cropped(x: 0, y: 0, width: 10, height: 16))
        }
        // A region that clamps to under 11×11.
        #expect(throws: ImagingError.self) {
            try ImageMetrics.ssim(a, a, region: PixelRect(x: 15, y: 0, width: 40, height: 40))
        }
        #expect(throws: ImagingError.self) { try ImageMetrics.l1(RGBImage(width: 0, height: 0), RGBImage(width: 0, height: 0)) }
        // Masks: wrong length, negative weight, NaN, nothing selected.
        #expect(throws: ImagingError.self) { try ImageMetrics.l1(a, a, mask: [Bool](repeating: true, count: 10)) }
        var negative = [Float](repeating: 1, count: 320); negative[37] = -1
        #expect(throws: ImagingError.self) { try ImageMetrics.psnr(a, a, mask: negative) }
        var nan = [Float](repeating: 1, count: 320); nan[3] = .nan
        #expect(throws: ImagingError.self) { try ImageMetrics.l1(a, a, mask: nan) }
        #expect(throws: ImagingError.self) { try ImageMetrics.l1(a, a, mask: [Bool](repeating: false, count: 320)) }
        // Planar frames of the wrong length.
        let f = a.planarFloats()
        #expect(throws: ImagingError.planarCount(operation: "ssim", count: 960, width: 20, height: 17)) {
            try ImageMetrics.ssim(f, f, width: 20, height: 17)
        }
        #expect(throws: ImagingError.self) { try ImageMetrics.l1(f, Array(f.dropLast()), width: 20, height: 16) }
        #expect(throws: ImagingError.self) { try ImageMetrics.psnr(f, f, width: -20, height: -16) }
        // Messages are one line and say what to do.
        let message = ImagingError.sizeMismatch(operation: "ssim", expected: "256×256", found: "255×256").description
        #expect(message == "ssim: images differ in size (256×256 and 255×256); crop or resize one to match")
        let maskMessage = "\(ImagingError.invalidMask(operation: "l1", reason: "selects no pixel"))"
        #expect(!maskMessage.contains("\n"))
    }
}
