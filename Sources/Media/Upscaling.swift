import Imaging

/// Export-time upscaling: integer factors, nearest neighbour or a filter (Imaging's resampling).
package enum Upscaling {
    /// `image` scaled by `factor` (1 returns it unchanged).
    package static func apply(_ image: RGBImage, factor: Int, filter: ResampleFilter) -> RGBImage {
        guard factor > 1 else { return image }
        if filter == .nearest { return image.upscaled(by: factor) }
        return image.resized(width: image.width * factor, height: image.height * factor, filter: filter)
    }
}
