import Foundation

/// A picture as planar doubles in [0, 1] (`3 × height × width`, channel-major): the common input of the metrics.
///
/// From bytes: `v = byte / 255` (scikit-image's `img_as_float` up to the last bit). From planar floats in [-1, 1]:
/// `v = (f + 1) / 2`, not clamped, so values outside [-1, 1] count with their full error.
package struct UnitPlanes: Sendable {
    /// Width in pixels.
    package let width: Int
    /// Height in pixels.
    package let height: Int
    /// `3 × height × width` values.
    package var values: [Double]

    /// Pixels per channel.
    package var planeSize: Int { width * height }

    /// `byte / 255` for every sample of `image`.
    package init(_ image: RGBImage) {
        width = image.width
        height = image.height
        let n = image.width * image.height
        var values = [Double](repeating: 0, count: 3 * n)
        image.pixels.withUnsafeBufferPointer { src in
            values.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    for c in 0..<3 { dst[c * n + i] = Double(src[3 * i + c]) / 255 }
                }
            }
        }
        self.values = values
    }

    /// `(f + 1) / 2` for every value of a planar `3 × height × width` float frame in [-1, 1].
    ///
    /// - Throws: `ImagingError.planarCount` when `planar.count != 3 · width · height` (or a size is negative).
    package init(planar: [Float], width: Int, height: Int, operation: String) throws {
        guard width >= 0, height >= 0, width.multipliedReportingOverflow(by: height).overflow == false,
              planar.count == 3 * width * height else {
            throw ImagingError.planarCount(operation: operation, count: planar.count, width: width, height: height)
        }
        self.width = width
        self.height = height
        values = planar.map { (Double($0) + 1) / 2 }
    }

    private init(width: Int, height: Int, values: [Double]) {
        self.width = width; self.height = height; self.values = values
    }

    /// The part of `rect` inside the picture (clamped like `RGBImage.cropped(to:)`).
    package func cropped(to rect: PixelRect) -> UnitPlanes {
        let r = rect.clamped(width: width, height: height)
        var out = [Double](repeating: 0, count: 3 * r.width * r.height)
        var o = 0
        for c in 0..<3 {
            for y in r.y..<(r.y + r.height) {
                let start = c * planeSize + y * width + r.x
                for x in 0..<r.width { out[o] = values[start + x]; o += 1 }
            }
        }
        return UnitPlanes(width: r.width, height: r.height, values: out)
    }

    /// "W×H", for messages.
    package var sizeDescription: String { "\(width)×\(height)" }
}
