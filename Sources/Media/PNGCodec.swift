import Foundation
import CPNG
import Imaging

/// PNG in and out through libpng's classic API (setjmp kept in the C shim).
///
/// Reads 1/2/4/8/16-bit grey, grey+alpha, RGB, RGBA and palette (with tRNS) images, interlaced or not. 16-bit
/// samples are reduced with rounding (`round(v·255/65535)`, libpng's `png_set_scale_16`).
/// Limitations: gAMA, cHRM, iCCP and sRGB are ignored (samples are taken as sRGB, as browsers and Pillow do).
package enum PNGCodec {
    /// Header facts of an in-memory PNG.
    package static func probe(_ bytes: [UInt8], path: String) throws -> ImageInfo {
        var header = zt_png_header()
        var error = zt_png_error()
        let rc = bytes.withUnsafeBufferPointer { zt_png_read_header($0.baseAddress, $0.count, &header, &error) }
        if rc != 0 { throw mediaError(error, path: path) }
        let colorType: ImageInfo.ColorType
        switch header.color_type {
        case PNG_COLOR_TYPE_GRAY: colorType = .grey
        case PNG_COLOR_TYPE_GRAY_ALPHA: colorType = .greyAlpha
        case PNG_COLOR_TYPE_RGB: colorType = .rgb
        case PNG_COLOR_TYPE_RGB_ALPHA: colorType = .rgba
        default: colorType = .palette
        }
        let alpha = header.has_trns != 0 || colorType == .greyAlpha || colorType == .rgba
        return ImageInfo(format: .png, width: Int(header.width), height: Int(header.height),
                         bitDepth: Int(header.bit_depth), colorType: colorType, hasAlpha: alpha,
                         isInterlaced: header.interlace != 0,
                         paletteSize: colorType == .palette ? Int(header.palette_size) : nil,
                         detail: header.has_trns != 0 ? "tRNS transparency" : nil)
    }

    /// Decodes an in-memory PNG, checking `limits` from the header before allocating pixels.
    package static func decode(_ bytes: [UInt8], path: String, limits: ImageLimits, background: RGB) throws -> RGBImage {
        let info = try probe(bytes, path: path)
        try limits.check(width: info.width, height: info.height, path: path)
        var rgba = [UInt8](repeating: 0, count: info.width * info.height * 4)
        var error = zt_png_error()
        let rc = bytes.withUnsafeBufferPointer { src in
            rgba.withUnsafeMutableBufferPointer { dst in
                zt_png_decode_rgba(src.baseAddress, src.count, dst.baseAddress,
                                   UInt32(info.width), UInt32(info.height), &error)
            }
        }
        if rc != 0 { throw mediaError(error, path: path) }
        return ImageFile.composite(rgba: rgba, width: info.width, height: info.height, background: background)
    }

    /// Encodes `image` as an 8-bit RGB PNG. `compression` is zlib's level, 0 (none) to 9 (smallest).
    package static func encode(_ image: RGBImage, compression: Int = 6, path: String) throws -> [UInt8] {
        var sink = zt_png_sink()
        var error = zt_png_error()
        defer { free(sink.data) }
        let rc = image.pixels.withUnsafeBufferPointer { src in
            zt_png_encode(src.baseAddress, UInt32(image.width), UInt32(image.height), 3,
                          Int32(max(0, min(9, compression))), &sink, &error)
        }
        if rc != 0 {
            throw MediaError(.encoder, role: "image", path: path, problem: "PNG encoding failed (libpng: \(message(error)))")
        }
        guard let data = sink.data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: sink.size))
    }

    /// The C string in a `zt_png_error`.
    static func message(_ error: zt_png_error) -> String {
        var copy = error
        return withUnsafeBytes(of: &copy.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Turns libpng's message into a `MediaError` of the right kind.
    static func mediaError(_ error: zt_png_error, path: String) -> MediaError {
        let text = message(error)
        if text.contains("truncated") {
            return MediaError(.truncated, role: "image", path: path, problem: "PNG file is truncated (unexpected end of data)",
                              advice: "re-export or re-download it")
        }
        if text.contains("bad signature") {
            return MediaError(.unrecognized, role: "image", path: path, problem: "not a PNG file (bad signature)")
        }
        if text.contains("out of memory") {
            return MediaError(.tooLarge, role: "image", path: path, problem: "out of memory while decoding")
        }
        return MediaError(.corrupt, role: "image", path: path, problem: "damaged PNG data (libpng: \(text.isEmpty ? "unknown error" : text))",
                          advice: "re-export or re-download it")
    }
}
