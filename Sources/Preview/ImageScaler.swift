import Imaging

/// Resizing for display: area averaging when shrinking (every source pixel counts, so a 20000-pixel-wide image
/// shrinks without aliasing), nearest neighbour when enlarging (terminal previews of small frames want crisp pixels).
///
/// Matches: box-filter (area) downsampling as in OpenCV's INTER_AREA for integer and fractional ratios.
/// Limitations: no gamma-correct averaging (sRGB values are averaged directly).
public enum ImageScaler {
    /// `image` resized to `width × height` (each at least 1). Returns the image itself when the size is unchanged.
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        let w = max(1, width), h = max(1, height)
        guard !image.isEmpty, w != image.width || h != image.height else { return image }
        let horizontal = resizeRows(image, width: w)
        return transpose(resizeRows(transpose(horizontal), width: h))
    }

    /// The height that keeps the aspect ratio at `width`: `round(height · width / imageWidth)`, at least 1.
    public static func height(of image: RGBImage, atWidth width: Int) -> Int {
        guard image.width > 0 else { return 0 }
        return max(1, Int((Double(image.height) * Double(width) / Double(image.width)).rounded()))
    }

    /// Resizes each row to `width` pixels.
    private static func resizeRows(_ image: RGBImage, width w: Int) -> RGBImage {
        let sw = image.width, h = image.height
        if sw == w { return image }
        var out = RGBImage(width: w, height: h)
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                if w > sw {
                    // Nearest neighbour: output x shows source ⌊(x + ½)·sw/w⌋.
                    for y in 0..<h {
                        for x in 0..<w {
                            let sx = min(sw - 1, (2 * x + 1) * sw / (2 * w))
                            for c in 0..<3 { dst[3 * (y * w + x) + c] = src[3 * (y * sw + sx) + c] }
                        }
                    }
                    return
                }
                // Area: output pixel x covers source [x·sw/w, (x+1)·sw/w); weights in units of 1/w source pixel.
                for y in 0..<h {
                    for x in 0..<w {
                        let start = x * sw, end = (x + 1) * sw  // in 1/w units
                        var sum = (0, 0, 0)
                        var s = start / w
                        while s * w < end {
                            let lo = max(start, s * w), hi = min(end, (s + 1) * w)
                            let weight = hi - lo
                            let p = 3 * (y * sw + s)
                            sum.0 += weight * Int(src[p]); sum.1 += weight * Int(src[p + 1]); sum.2 += weight * Int(src[p + 2])
                            s += 1
                        }
                        let total = sw  // end − start
                        let q = 3 * (y * w + x)
                        dst[q] = UInt8((sum.0 + total / 2) / total)
                        dst[q + 1] = UInt8((sum.1 + total / 2) / total)
                        dst[q + 2] = UInt8((sum.2 + total / 2) / total)
                    }
                }
            }
        }
        return out
    }

    private static func transpose(_ image: RGBImage) -> RGBImage {
        let w = image.width, h = image.height
        var out = RGBImage(width: h, height: w)
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    for x in 0..<w {
                        let s = 3 * (y * w + x), d = 3 * (x * h + y)
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return out
    }
}
