// TEMPORARY until branch `imaging` lands Imaging.ResampleFilter and RGBImage.resized/upscaled: delete this file then.
import Imaging

/// Stand-in for Imaging's resampling filter (same cases) until the imaging branch is merged.
public enum ResampleFilter: String, Sendable, CaseIterable {
    /// Nearest neighbour.
    case nearest
    /// Bilinear.
    case bilinear
    /// Lanczos, a = 3.
    case lanczos3
}

extension RGBImage {
    /// Stand-in: integer nearest-neighbour upscaling only.
    func upscaled(by factor: Int) -> RGBImage {
        var out = RGBImage(width: width * factor, height: height * factor)
        for y in 0..<out.height {
            for x in 0..<out.width {
                out[x, y] = self[x / factor, y / factor]
            }
        }
        return out
    }

    /// Stand-in: falls back to nearest.
    func resized(width newWidth: Int, height newHeight: Int, filter: ResampleFilter) -> RGBImage {
        upscaled(by: max(1, newWidth / max(1, width)))
    }
}
