import Foundation

// MARK: - SSIM

extension ImageMetrics {
    /// Side of the SSIM window: `2r + 1` with `r = int(3.5 · 1.5 + 0.5) = 5` (scipy's Gaussian truncated at 3.5 σ).
    public static let ssimWindowSize = 11

    /// SSIM's constants on the [0, 1] scale (L = 1): `C1 = (0.01 L)²`, `C2 = (0.03 L)²`; Gaussian σ = 1.5.
    static let ssimC1 = 0.01 * 0.01
    static let ssimC2 = 0.03 * 0.03
    static let ssimSigma = 1.5

    /// Structural similarity of two images on the [0, 1] scale, mean over the three channels.
    ///
    /// Per channel, with Gaussian-weighted local statistics (11×11, σ 1.5, 'reflect' borders):
    /// `SSIM = ((2 μx μy + C1)(2 σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2))`, where
    /// `σx² = G∗x² − μx²` and `σxy = G∗(xy) − μx μy` (population covariances). The map is averaged after cropping
    /// `(11 − 1) / 2 = 5` pixels from every side.
    ///
    /// Matches: scikit-image `structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
    /// use_sample_covariance=False, data_range=1, channel_axis=2)` (Wang et al. 2004), including its border handling
    /// (scipy `gaussian_filter`, truncate 3.5, mode 'reflect') and the 5-pixel crop before the mean.
    ///
    /// - Throws: `ImagingError.sizeMismatch` for different sizes, `.tooSmall` when a side is under 11 pixels.
    public static func ssim(_ a: RGBImage, _ b: RGBImage) throws -> Double {
        let (x, y) = try planes(a, b, "ssim")
        return try ssim(x, y, "ssim")
    }

    /// SSIM of the region `region` of both images: both are cropped to the part of `region` inside them (clamped as in
    /// `RGBImage.cropped(to:)`), then compared as whole images — so the region's own border is cropped and reflected
    /// exactly as scikit-image does for `structural_similarity(a[y0:y1, x0:x1], b[y0:y1, x0:x1], ...)`.
    ///
    /// - Throws: `.sizeMismatch`, or `.tooSmall` when the clamped region is under 11×11.
    public static func ssim(_ a: RGBImage, _ b: RGBImage, region: PixelRect) throws -> Double {
        guard a.width == b.width && a.height == b.height else {
            throw ImagingError.sizeMismatch(operation: "ssim", expected: "\(a.width)×\(a.height)",
                                            found: "\(b.width)×\(b.height)")
        }
        return try ssim(a.cropped(to: region), b.cropped(to: region))
    }

    /// SSIM of two planar float frames (`3 × height × width` in [-1, 1], mapped to [0, 1] by (f + 1) / 2), over the
    /// whole frame or over `region` (clamped, then compared as whole images).
    public static func ssim(_ a: [Float], _ b: [Float], width: Int, height: Int,
                            region: PixelRect? = nil) throws -> Double {
        var (x, y) = try planes(a, b, width, height, "ssim")
        if let region {
            x = x.cropped(to: region)
            y = y.cropped(to: region)
        }
        return try ssim(x, y, "ssim")
    }

    /// Mean SSIM over channels of two same-size pictures. `kernel` and `borderCrop` exist so tests can show that a
    /// window or crop off by one pixel is caught; the metric itself always uses the defaults.
    package static func ssim(_ a: UnitPlanes, _ b: UnitPlanes, _ operation: String,
                             kernel: [Double] = ssimKernel, borderCrop: Int = (ssimWindowSize - 1) / 2) throws -> Double {
        let maps = try ssimMaps(a, b, operation: operation, kernel: kernel)
        let pad = max(borderCrop, 0)
        guard a.width > 2 * pad && a.height > 2 * pad else {
            throw ImagingError.tooSmall(operation: operation, width: a.width, height: a.height, minimum: 2 * pad + 1)
        }
        var channelMeans = [Double]()
        for map in maps {
            var sum = 0.0
            for y in pad..<(a.height - pad) {
                for x in pad..<(a.width - pad) { sum += map[y * a.width + x] }
            }
            channelMeans.append(sum / Double((a.height - 2 * pad) * (a.width - 2 * pad)))
        }
        return channelMeans.reduce(0, +) / Double(channelMeans.count)
    }

    /// The full per-pixel SSIM map of each channel (`height × width`, row-major, before the border crop): what
    /// scikit-image returns with `full=True`.
    package static func ssimMaps(_ a: UnitPlanes, _ b: UnitPlanes, operation: String = "ssim",
                                 kernel: [Double] = ssimKernel) throws -> [[Double]] {
        guard a.width == b.width && a.height == b.height else {
            throw ImagingError.sizeMismatch(operation: operation, expected: a.sizeDescription, found: b.sizeDescription)
        }
        guard a.width >= ssimWindowSize && a.height >= ssimWindowSize else {
            throw ImagingError.tooSmall(operation: operation, width: a.width, height: a.height,
                                        minimum: ssimWindowSize)
        }
        let n = a.planeSize, w = a.width, h = a.height
        var maps = [[Double]]()
        for c in 0..<3 {
            let x = Array(a.values[(c * n)..<((c + 1) * n)])
            let y = Array(b.values[(c * n)..<((c + 1) * n)])
            var xx = [Double](repeating: 0, count: n), yy = xx, xy = xx
            for i in 0..<n { xx[i] = x[i] * x[i]; yy[i] = y[i] * y[i]; xy[i] = x[i] * y[i] }
            let ux = gaussianFiltered(x, width: w, height: h, kernel: kernel)
            let uy = gaussianFiltered(y, width: w, height: h, kernel: kernel)
            let uxx = gaussianFiltered(xx, width: w, height: h, kernel: kernel)
            let uyy = gaussianFiltered(yy, width: w, height: h, kernel: kernel)
            let uxy = gaussianFiltered(xy, width: w, height: h, kernel: kernel)
            var map = [Double](repeating: 0, count: n)
            for i in 0..<n {
                // vx = E[x²] − μx², vy likewise, vxy = E[xy] − μx μy (population statistics, cov_norm = 1)
                let vx = uxx[i] - ux[i] * ux[i]
                let vy = uyy[i] - uy[i] * uy[i]
                let vxy = uxy[i] - ux[i] * uy[i]
                let a1 = 2 * ux[i] * uy[i] + ssimC1, a2 = 2 * vxy + ssimC2
                let b1 = ux[i] * ux[i] + uy[i] * uy[i] + ssimC1, b2 = vx + vy + ssimC2
                map[i] = (a1 * a2) / (b1 * b2)
            }
            maps.append(map)
        }
        return maps
    }

    /// scipy's 1-D Gaussian for σ 1.5, truncate 3.5: `φ(k) = exp(−0.5 / σ² · k²)`, k = −5…5, normalised to sum 1.
    package static let ssimKernel: [Double] = gaussianKernel(sigma: ssimSigma, radius: Int(3.5 * ssimSigma + 0.5))

    /// `φ(k) = exp(−0.5 / σ² · k²)` for k = −radius…radius, normalised to sum 1 (scipy's `_gaussian_kernel1d`).
    package static func gaussianKernel(sigma: Double, radius: Int) -> [Double] {
        let sigma2 = sigma * sigma
        let phi = (-radius...radius).map { k in exp(-0.5 / sigma2 * Double(k * k)) }
        let total = phi.reduce(0, +)
        return phi.map { $0 / total }
    }

    /// `G ∗ plane` with a symmetric odd 1-D kernel along rows (axis 0) then columns (axis 1), borders extended by
    /// half-sample reflection (`d c b a | a b c d | d c b a`, scipy.ndimage mode 'reflect').
    package static func gaussianFiltered(_ plane: [Double], width: Int, height: Int, kernel: [Double]) -> [Double] {
        let r = kernel.count / 2
        guard width > 0, height > 0, plane.count == width * height else { return plane }
        var vertical = [Double](repeating: 0, count: plane.count)
        // Axis 0 (down the columns): out[y] = k[r]·in[y] + Σ_j k[r+j]·(in[y−j] + in[y+j]), reflected indices.
        plane.withUnsafeBufferPointer { src in
            vertical.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let row = y * width
                    for x in 0..<width { dst[row + x] = src[row + x] * kernel[r] }
                    for j in stride(from: 1, through: r, by: 1) {
                        let up = reflect(y - j, height) * width, down = reflect(y + j, height) * width
                        let k = kernel[r + j]
                        for x in 0..<width { dst[row + x] += (src[up + x] + src[down + x]) * k }
                    }
                }
            }
        }
        // Axis 1 (along the rows), on a reflect-padded copy of each row.
        var out = [Double](repeating: 0, count: plane.count)
        var line = [Double](repeating: 0, count: width + 2 * r)
        vertical.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                line.withUnsafeMutableBufferPointer { ln in
                    for y in 0..<height {
                        let row = y * width
                        for i in 0..<(width + 2 * r) { ln[i] = src[row + reflect(i - r, width)] }
                        for x in 0..<width {
                            var acc = ln[x + r] * kernel[r]
                            for j in stride(from: 1, through: r, by: 1) {
                                acc += (ln[x + r - j] + ln[x + r + j]) * kernel[r + j]
                            }
                            dst[row + x] = acc
                        }
                    }
                }
            }
        }
        return out
    }

    /// Half-sample symmetric index into `0 ..< n` (scipy 'reflect'), for any distance outside.
    @inline(__always)
    static func reflect(_ i: Int, _ n: Int) -> Int {
        if i >= 0 && i < n { return i }
        let period = 2 * n
        var m = i % period
        if m < 0 { m += period }
        return m < n ? m : period - 1 - m
    }
}
