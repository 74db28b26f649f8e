import Foundation

/// Image-quality metrics on [0, 1]-scaled pictures, as defined in reference/metrics.md:
///
/// - `l1` = mean |a − b| over all pixels and channels;
/// - `psnr` = 10 · log10(1 / MSE) in dB, MSE over all pixels and channels (peak 1);
/// - `ssim` = structural similarity with an 11×11 Gaussian window (σ 1.5), mean over channels (`ImageMetrics+SSIM`).
///
/// Inputs: two `RGBImage`s (bytes / 255), or two planar float frames `3 × H × W` in [-1, 1] (mapped by (f + 1) / 2, not
/// clamped) as the engine produces them. The two inputs must have the same size, else `ImagingError.sizeMismatch`
/// is thrown — never a trap.
///
/// Masked variants weight each pixel (all three channels alike) by a mask of `width × height` values, row-major:
/// `[Bool]` (in or out) or `[Float]` weights ≥ 0 (a soft mask). With weights `w_p`:
/// `l1 = Σ_p w_p Σ_c |a − b| / (3 Σ_p w_p)`, `MSE = Σ_p w_p Σ_c (a − b)² / (3 Σ_p w_p)`, `psnr = 10 log10(1 / MSE)`.
/// A Boolean mask therefore gives the plain metric over the selected pixels. A mask of the wrong length, with a
/// negative or non-finite weight, or selecting nothing throws `ImagingError.invalidMask`.
///
/// Matches: numpy `mean(abs(a - b))`; scikit-image `peak_signal_noise_ratio(a, b, data_range=1)`, including +∞ for
/// identical inputs (MSE 0); `structural_similarity` as documented on `ssim`.
public enum ImageMetrics {
    // MARK: - L1

    /// Mean absolute difference of two images on the [0, 1] scale.
    public static func l1(_ a: RGBImage, _ b: RGBImage) throws -> Double {
        let (x, y) = try planes(a, b, "l1")
        return errorSums(x, y, weights: nil).absolute
    }

    /// Mean absolute difference over the pixels a Boolean mask selects (`a.width × a.height` values, row-major).
    public static func l1(_ a: RGBImage, _ b: RGBImage, mask: [Bool]) throws -> Double {
        let (x, y) = try planes(a, b, "l1")
        return errorSums(x, y, weights: try weights(mask, x, "l1")).absolute
    }

    /// Mask-weighted mean absolute difference (weights ≥ 0, `a.width × a.height` values, row-major).
    public static func l1(_ a: RGBImage, _ b: RGBImage, mask: [Float]) throws -> Double {
        let (x, y) = try planes(a, b, "l1")
        return errorSums(x, y, weights: try weights(mask, x, "l1")).absolute
    }

    /// Mean absolute difference of two planar float frames (`3 × height × width` in [-1, 1]) on the [0, 1] scale,
    /// optionally weighted by a `width × height` mask.
    public static func l1(_ a: [Float], _ b: [Float], width: Int, height: Int, mask: [Float]? = nil) throws -> Double {
        let (x, y) = try planes(a, b, width, height, "l1")
        return errorSums(x, y, weights: try mask.map { try weights($0, x, "l1") }).absolute
    }

    // MARK: - PSNR

    /// Peak signal-to-noise ratio in dB, peak 1 on the [0, 1] scale; `+infinity` for identical images.
    public static func psnr(_ a: RGBImage, _ b: RGBImage) throws -> Double {
        let (x, y) = try planes(a, b, "psnr")
        return psnr(mse: errorSums(x, y, weights: nil).squared)
    }

    /// PSNR over the pixels a Boolean mask selects; `+infinity` when they are identical there.
    public static func psnr(_ a: RGBImage, _ b: RGBImage, mask: [Bool]) throws -> Double {
        let (x, y) = try planes(a, b, "psnr")
        return psnr(mse: errorSums(x, y, weights: try weights(mask, x, "psnr")).squared)
    }

    /// PSNR from the mask-weighted MSE (weights ≥ 0); `+infinity` when the weighted MSE is 0.
    public static func psnr(_ a: RGBImage, _ b: RGBImage, mask: [Float]) throws -> Double {
        let (x, y) = try planes(a, b, "psnr")
        return psnr(mse: errorSums(x, y, weights: try weights(mask, x, "psnr")).squared)
    }

    /// PSNR of two planar float frames (`3 × height × width` in [-1, 1]) on the [0, 1] scale, optionally mask-weighted.
    public static func psnr(_ a: [Float], _ b: [Float], width: Int, height: Int, mask: [Float]? = nil) throws -> Double {
        let (x, y) = try planes(a, b, width, height, "psnr")
        return psnr(mse: errorSums(x, y, weights: try mask.map { try weights($0, x, "psnr") }).squared)
    }

    // MARK: - Shared

    /// `10 · log10(1 / mse)`; +∞ when `mse == 0`.
    static func psnr(mse: Double) -> Double {
        mse == 0 ? .infinity : 10 * log10(1 / mse)
    }

    /// Both images on the [0, 1] scale, after checking that their sizes agree and that they are not empty.
    static func planes(_ a: RGBImage, _ b: RGBImage, _ operation: String) throws -> (UnitPlanes, UnitPlanes) {
        guard a.width == b.width && a.height == b.height else {
            throw ImagingError.sizeMismatch(operation: operation, expected: "\(a.width)×\(a.height)",
                                            found: "\(b.width)×\(b.height)")
        }
        guard !a.isEmpty else {
            throw ImagingError.tooSmall(operation: operation, width: a.width, height: a.height, minimum: 1)
        }
        return (UnitPlanes(a), UnitPlanes(b))
    }

    /// Both planar frames on the [0, 1] scale, after checking their lengths.
    static func planes(_ a: [Float], _ b: [Float], _ width: Int, _ height: Int,
                       _ operation: String) throws -> (UnitPlanes, UnitPlanes) {
        let x = try UnitPlanes(planar: a, width: width, height: height, operation: operation)
        let y = try UnitPlanes(planar: b, width: width, height: height, operation: operation)
        guard x.planeSize > 0 else {
            throw ImagingError.tooSmall(operation: operation, width: width, height: height, minimum: 1)
        }
        return (x, y)
    }

    /// Boolean mask → weights 0 / 1, validated.
    static func weights(_ mask: [Bool], _ image: UnitPlanes, _ operation: String) throws -> [Double] {
        try validated(mask.map { $0 ? 1.0 : 0.0 }, image, operation)
    }

    /// Float mask → weights, validated.
    static func weights(_ mask: [Float], _ image: UnitPlanes, _ operation: String) throws -> [Double] {
        try validated(mask.map { Double($0) }, image, operation)
    }

    private static func validated(_ w: [Double], _ image: UnitPlanes, _ operation: String) throws -> [Double] {
        guard w.count == image.planeSize else {
            throw ImagingError.invalidMask(operation: operation, reason: "has \(w.count) values, expected "
                + "\(image.planeSize) (one per pixel of \(image.sizeDescription), row-major)")
        }
        if let bad = w.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw ImagingError.invalidMask(operation: operation, reason: "weight \(w[bad]) at pixel "
                + "(\(bad % max(image.width, 1)), \(bad / max(image.width, 1))) is not a finite number ≥ 0")
        }
        guard w.contains(where: { $0 > 0 }) else {
            throw ImagingError.invalidMask(operation: operation, reason: "selects no pixel (all weights are 0); "
                + "skip the metric for an empty region")
        }
        return w
    }

    /// Weighted means of |a − b| and (a − b)² over pixels and channels (weights per pixel, nil = all 1).
    ///
    /// `absolute = Σ_p w_p Σ_c |d| / (3 Σ_p w_p)`, `squared = Σ_p w_p Σ_c d² / (3 Σ_p w_p)`.
    static func errorSums(_ a: UnitPlanes, _ b: UnitPlanes, weights: [Double]?) -> (absolute: Double, squared: Double) {
        let n = a.planeSize
        var absolute = 0.0, squared = 0.0, total = 0.0
        a.values.withUnsafeBufferPointer { x in
            b.values.withUnsafeBufferPointer { y in
                if let weights {
                    for p in 0..<n where weights[p] != 0 {
                        var sa = 0.0, sq = 0.0
                        for c in 0..<3 {
                            let d = x[c * n + p] - y[c * n + p]
                            sa += abs(d); sq += d * d
                        }
                        absolute += weights[p] * sa
                        squared += weights[p] * sq
                        total += weights[p]
                    }
                } else {
                    for i in 0..<(3 * n) {
                        let d = x[i] - y[i]
                        absolute += abs(d); squared += d * d
                    }
                    total = Double(n)
                }
            }
        }
        return (absolute / (3 * total), squared / (3 * total))
    }
}
