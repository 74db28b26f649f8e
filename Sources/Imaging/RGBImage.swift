/// An 8-bit RGB picture, rows top to bottom, pixels interleaved `R G B R G B ...`.
///
/// A value type: copies share storage until one of them is mutated (copy-on-write through `[UInt8]`).
public struct RGBImage: Sendable, Equatable, Hashable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height * 3` bytes, row-major, interleaved RGB.
    public var pixels: [UInt8]

    /// An image of the given size filled with one colour (black by default).
    public init(width: Int, height: Int, fill: RGB = RGB(0, 0, 0)) {
        precondition(width >= 0 && height >= 0, "RGBImage: negative size \(width)×\(height)")
        self.width = width
        self.height = height
        var bytes = [UInt8](repeating: 0, count: width * height * 3)
        if fill != RGB(0, 0, 0) {
            for i in 0..<(width * height) {
                bytes[3 * i] = fill.r; bytes[3 * i + 1] = fill.g; bytes[3 * i + 2] = fill.b
            }
        }
        self.pixels = bytes
    }

    /// Wraps existing interleaved RGB bytes; `pixels.count` must equal `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) bytes do not make a \(width)×\(height) RGB image")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// True when the image has no pixels.
    public var isEmpty: Bool { width == 0 || height == 0 }

    /// The colour at column `x`, row `y`.
    @inlinable
    public subscript(x: Int, y: Int) -> RGB {
        get {
            let i = (y * width + x) * 3
            return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            let i = (y * width + x) * 3
            pixels[i] = newValue.r; pixels[i + 1] = newValue.g; pixels[i + 2] = newValue.b
        }
    }
}

/// One 8-bit RGB colour.
public struct RGB: Sendable, Equatable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    @inlinable public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
}

// MARK: - Planar float conversion

extension RGBImage {
    /// Planar float `3×H×W` (all R, then all G, then all B) in [-1, 1]: `v = byte / 127.5 - 1`.
    public func planarFloats() -> [Float] {
        let n = width * height
        var out = [Float](repeating: 0, count: 3 * n)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    dst[i] = Float(src[3 * i]) / 127.5 - 1
                    dst[n + i] = Float(src[3 * i + 1]) / 127.5 - 1
                    dst[2 * n + i] = Float(src[3 * i + 2]) / 127.5 - 1
                }
            }
        }
        return out
    }

    /// Builds an image from planar float `3×H×W` in [-1, 1]; values outside are clamped, rounding to nearest.
    public init(planar: some Collection<Float>, width: Int, height: Int) {
        let n = width * height
        precondition(planar.count == 3 * n, "RGBImage(planar:): \(planar.count) floats do not make 3×\(height)×\(width)")
        let values = Array(planar)
        var bytes = [UInt8](repeating: 0, count: 3 * n)
        values.withUnsafeBufferPointer { src in
            bytes.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    for i in 0..<n {
                        let v = (src[c * n + i] + 1) * 127.5
                        dst[3 * i + c] = UInt8(max(0, min(255, v.rounded())))
                    }
                }
            }
        }
        self.init(width: width, height: height, pixels: bytes)
    }
}
