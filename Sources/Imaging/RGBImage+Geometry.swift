import Foundation

/// Crop, pad and fit-to-square. These never throw and never trap: out-of-range requests are clamped, as each function
/// says, so the result always has the size the function documents.
extension RGBImage {
    /// The pixels of the rectangle `x ..< x + width`, `y ..< y + height` that lie inside the image. O(result pixels).
    ///
    /// Clamps: the rectangle is intersected with the image first (`PixelRect.clamped`), so the result can be smaller
    /// than asked for, and is empty (0×0 or N×0) when they do not overlap.
    public func cropped(x: Int, y: Int, width: Int, height: Int) -> RGBImage {
        cropped(to: PixelRect(x: x, y: y, width: width, height: height))
    }

    /// The part of `rect` inside the image (see `cropped(x:y:width:height:)`).
    public func cropped(to rect: PixelRect) -> RGBImage {
        let r = rect.clamped(width: width, height: height)
        if r.x == 0 && r.y == 0 && r.width == width && r.height == height { return self }
        if r.isEmpty { return RGBImage(width: r.width, height: r.height) }
        var out = [UInt8](repeating: 0, count: r.width * r.height * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                for row in 0..<r.height {
                    (d + row * r.width * 3).update(from: s + ((r.y + row) * width + r.x) * 3, count: r.width * 3)
                }
            }
        }
        return RGBImage(width: r.width, height: r.height, pixels: out)
    }

    /// This image with borders of `top`, `left`, `bottom`, `right` pixels in `fill` around it. O(result pixels).
    ///
    /// Clamps: a negative border counts as 0 (use `cropped` to remove pixels).
    public func padded(top: Int, left: Int, bottom: Int, right: Int, fill: RGB = RGB(0, 0, 0)) -> RGBImage {
        let t = max(top, 0), l = max(left, 0), b = max(bottom, 0), r = max(right, 0)
        if t == 0 && l == 0 && b == 0 && r == 0 { return self }
        var out = RGBImage(width: width + l + r, height: height + t + b, fill: fill)
        if isEmpty { return out }
        let outWidth = out.width
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                for row in 0..<height {
                    (d + ((t + row) * outWidth + l) * 3).update(from: s + row * width * 3, count: width * 3)
                }
            }
        }
        return out
    }

    /// A `side × side` version of this image: letterboxed (whole picture, padded with `fill`) or centre-cropped.
    ///
    /// - letterbox: the longer side becomes `side`, the shorter `round(short / long · side)`; the rest is split
    ///   `round(rest / 2)` before and the remainder after (rounding half to even, as Python's `round`).
    /// - centerCrop: the centred square `min(w, h)` wide is resampled directly from its (possibly half-pixel) box in
    ///   the full image, so filter taps near the cut read the real neighbouring pixels, not a renormalised edge.
    ///
    /// Matches: Pillow `ImageOps.pad(image, (side, side), method, color: fill)` for letterbox and
    /// `ImageOps.fit(image, (side, side), method)` for centerCrop, byte for byte (`ResamplingTests`).
    /// Clamps: `side ≤ 0` gives an empty image; an empty source gives a `side × side` image of `fill` (letterbox) or
    /// black (centerCrop).
    public func fittedToSquare(side: Int, mode: SquareFitMode = .letterbox, fill: RGB = RGB(0, 0, 0),
                               filter: ResampleFilter = .lanczos3) -> RGBImage {
        guard side > 0 else { return RGBImage(width: 0, height: 0) }
        switch mode {
        case .letterbox:
            guard !isEmpty else { return RGBImage(width: side, height: side, fill: fill) }
            // ImageOps.contain: the short side is round(short / long · side); ImageOps.pad centres it with round().
            var newWidth = side, newHeight = side
            if width > height {
                newHeight = Int((Double(height) / Double(width) * Double(side)).rounded(.toNearestOrEven))
            } else if height > width {
                newWidth = Int((Double(width) / Double(height) * Double(side)).rounded(.toNearestOrEven))
            }
            let scaled = resized(width: newWidth, height: newHeight, filter: filter)
            let left = Int((Double(side - newWidth) * 0.5).rounded(.toNearestOrEven))
            let top = Int((Double(side - newHeight) * 0.5).rounded(.toNearestOrEven))
            return scaled.padded(top: top, left: left, bottom: side - newHeight - top, right: side - newWidth - left,
                                 fill: fill)
        case .centerCrop:
            guard !isEmpty else { return RGBImage(width: side, height: side) }
            // ImageOps.fit with centring 0.5: box = ((w - s) / 2, (h - s) / 2) + (s, s), s = min(w, h).
            let s = Double(min(width, height))
            let left = (Double(width) - s) * 0.5, top = (Double(height) - s) * 0.5
            let box = SourceBox(x0: Float(left), y0: Float(top), x1: Float(left + s), y1: Float(top + s))
            return resampled(width: side, height: side, filter: filter, box: box)
        }
    }
}
