import Imaging

/// YCbCr → RGB for decoded JPEG and lossy WebP pictures, done the way libjpeg and libwebp do it, so Zoetrope sees
/// the same pixels as other tools (swscale's chroma upsampling differs by several levels on chroma-rich images).
///
/// Chroma upsampling is "fancy" (triangle filter, chroma sited between luma samples): each output chroma sample is
/// (9·nearest + 3·horizontal neighbour + 3·vertical neighbour + 1·diagonal) / 16, edges replicated.
/// Matches: libjpeg(-turbo) `h2v2_fancy_upsample` / `h2v1_fancy_upsample` (jdsample.c) and `ycc_rgb_convert`
/// (jdcolor.c, full-range BT.601, 16-bit fixed point); libwebp `VP8YUVToR/G/B` (dsp/yuv.h, limited range, 14-bit).
/// Limitations: libwebp's upsampler rounds its 9-3-3-1 filter slightly differently (±1 level in places).
enum YCbCrConversion {
    /// Which matrix and range the samples use.
    enum Matrix {
        /// JPEG (JFIF): full range BT.601.
        case jfif
        /// WebP / VP8: limited range BT.601.
        case vp8
    }

    /// One plane of samples.
    struct Plane {
        var base: UnsafePointer<UInt8>
        var stride: Int
        var width: Int
        var height: Int

        @inline(__always) func at(_ x: Int, _ y: Int) -> Int { Int(base[y * stride + x]) }
    }

    /// Upsamples a chroma plane by (`sx`, `sy`) ∈ {1, 2}² to at least `width×height` with libjpeg's fancy filter.
    static func upsample(_ p: Plane, sx: Int, sy: Int, width: Int, height: Int) -> [Int] {
        var out = [Int](repeating: 0, count: width * height)
        // Vertical step first: colsum = 3·nearer + further (×4 scale), or ×4 when not subsampled vertically.
        var colsum = [Int](repeating: 0, count: p.width)
        for y in 0..<height {
            let cy = min(y / sy, p.height - 1)
            if sy == 2 {
                let further = y % 2 == 0 ? max(0, cy - 1) : min(p.height - 1, cy + 1)
                for x in 0..<p.width { colsum[x] = 3 * p.at(x, cy) + p.at(x, further) }
            } else {
                for x in 0..<p.width { colsum[x] = 4 * p.at(x, cy) }
            }
            let row = y * width
            if sx == 1 {
                for x in 0..<width { out[row + x] = (colsum[min(x, p.width - 1)] + 2) >> 2 }
                continue
            }
            if sy == 2 {
                // h2v2: out = (3·colsum[i] + colsum[i±1] + 8 | 7) >> 4, edges (4·colsum + 8 | 7) >> 4.
                for x in 0..<width {
                    let i = min(x / 2, p.width - 1)
                    if x % 2 == 0 {
                        out[row + x] = i == 0 ? (colsum[0] * 4 + 8) >> 4 : (3 * colsum[i] + colsum[i - 1] + 8) >> 4
                    } else {
                        out[row + x] = i == p.width - 1 ? (colsum[i] * 4 + 7) >> 4 : (3 * colsum[i] + colsum[i + 1] + 7) >> 4
                    }
                }
            } else {
                // h2v1 on the unscaled samples: out = (3·s[i] + s[i±1] + 1 | 2) >> 2, edges copied.
                for x in 0..<width {
                    let i = min(x / 2, p.width - 1)
                    let s = colsum[i] >> 2
                    if x % 2 == 0 {
                        out[row + x] = i == 0 ? s : (3 * s + (colsum[i - 1] >> 2) + 1) >> 2
                    } else {
                        out[row + x] = i == p.width - 1 ? s : (3 * s + (colsum[i + 1] >> 2) + 2) >> 2
                    }
                }
            }
        }
        return out
    }

    /// Interleaved RGB (or RGBA when `alpha` is given) from Y and subsampled Cb/Cr planes.
    static func convert(y: Plane, cb: Plane, cr: Plane, alpha: Plane?, sx: Int, sy: Int, matrix: Matrix) -> [UInt8] {
        let w = y.width, h = y.height
        let u = upsample(cb, sx: sx, sy: sy, width: w, height: h)
        let v = upsample(cr, sx: sx, sy: sy, width: w, height: h)
        let channels = alpha == nil ? 3 : 4
        var out = [UInt8](repeating: 0, count: w * h * channels)
        out.withUnsafeMutableBufferPointer { dst in
            for row in 0..<h {
                for x in 0..<w {
                    let i = row * w + x
                    let luma = y.at(x, row), cbv = u[i], crv = v[i]
                    let r: Int, g: Int, b: Int
                    switch matrix {
                    case .jfif:
                        // R = Y + 1.402·(Cr−128); G = Y − 0.34414·(Cb−128) − 0.71414·(Cr−128); B = Y + 1.772·(Cb−128)
                        let dcb = cbv - 128, dcr = crv - 128
                        r = luma + ((91881 * dcr + 32768) >> 16)
                        g = luma + ((-22554 * dcb - 46802 * dcr + 32768) >> 16)
                        b = luma + ((116130 * dcb + 32768) >> 16)
                    case .vp8:
                        // libwebp: MultHi(v, c) = (v·c) >> 8, result in 14-bit fixed point, then >> 6.
                        let yy = (luma * 19077) >> 8
                        r = clip14(yy + ((crv * 26149) >> 8) - 14234)
                        g = clip14(yy - ((cbv * 6419) >> 8) - ((crv * 13320) >> 8) + 8708)
                        b = clip14(yy + ((cbv * 33050) >> 8) - 17685)
                    }
                    let o = i * channels
                    dst[o] = UInt8(max(0, min(255, r)))
                    dst[o + 1] = UInt8(max(0, min(255, g)))
                    dst[o + 2] = UInt8(max(0, min(255, b)))
                    if let alpha { dst[o + 3] = UInt8(alpha.at(x, row)) }
                }
            }
        }
        return out
    }

    /// libwebp's VP8Clip8: 14-bit fixed point to 0...255.
    @inline(__always) static func clip14(_ v: Int) -> Int {
        (v & ~16383) == 0 ? v >> 6 : (v < 0 ? 0 : 255)
    }
}
