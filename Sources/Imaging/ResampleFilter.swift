import Foundation

/// The reconstruction filter used by `RGBImage.resized(width:height:filter:)`.
///
/// Matches: Pillow's `Image.Resampling.NEAREST`, `.BILINEAR` and `.LANCZOS` (same kernels, supports and pixel-centre
/// convention; when downscaling the kernel is widened by the scale factor, so the result is antialiased).
public enum ResampleFilter: String, Sendable, CaseIterable {
    /// The source pixel whose area contains the output pixel's centre. No blending, no antialiasing.
    case nearest
    /// Triangle (tent) filter, support 1 (widened by the scale factor when downscaling).
    case bilinear
    /// Lanczos windowed sinc with 3 lobes, support 3 (widened by the scale factor when downscaling).
    case lanczos3

    /// Half-width of the kernel in source pixels at scale 1 (0 for nearest, which is not a convolution).
    var support: Double {
        switch self {
        case .nearest: return 0
        case .bilinear: return 1
        case .lanczos3: return 3
        }
    }

    /// The kernel's weight at distance `x` (in output-pixel units when downscaling).
    ///
    /// bilinear: `max(0, 1 - |x|)`; lanczos3: `sinc(x) · sinc(x / 3)` on `-3 ≤ x < 3`, `sinc(x) = sin(πx) / (πx)`.
    func weight(_ x: Double) -> Double {
        switch self {
        case .nearest:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let a = abs(x)
            return a < 1 ? 1 - a : 0
        case .lanczos3:
            guard -3 <= x && x < 3 else { return 0 }
            return Self.sinc(x) * Self.sinc(x / 3)
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let px = x * Double.pi
        return sin(px) / px
    }
}
