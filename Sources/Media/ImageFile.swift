import Foundation
import Imaging

/// Reads still images (PNG, JPEG, WebP) into `RGBImage`, checking the size limit from the header first.
///
/// The format is recognised from the first bytes, never from the file name. Transparent pixels are composited over
/// `background`: `out = (c·a + bg·(255 − a) + 127) / 255` (integer division) on 8-bit values.
public enum ImageFile {
    /// White, the default background for transparent pixels.
    public static let defaultBackground = RGB(255, 255, 255)

    /// Reads the header of the image at `url`: format, size, bit depth, colour type. No pixel memory is allocated,
    /// and no size limit applies (so `inspect` can report oversized files).
    public static func probe(_ url: URL, limits: ImageLimits = .default) throws -> ImageInfo {
        let bytes = try FileBytes.read(url, role: "image", maxBytes: limits.maxFileBytes)
        return try probe(bytes: bytes, path: url.displayPath)
    }

    /// Decodes the image at `url` into 8-bit RGB, compositing transparency over `background`.
    public static func read(_ url: URL, limits: ImageLimits = .default,
                            background: RGB = ImageFile.defaultBackground) throws -> RGBImage {
        let bytes = try FileBytes.read(url, role: "image", maxBytes: limits.maxFileBytes)
        return try decode(bytes: bytes, path: url.displayPath, limits: limits, background: background)
    }

    /// Header facts of an image held in memory; `path` names it in errors.
    package static func probe(bytes: [UInt8], path: String) throws -> ImageInfo {
        switch try format(of: bytes, path: path) {
        case .png: return try PNGCodec.probe(bytes, path: path)
        case .jpeg: return try ImageHeaders.jpeg(bytes, path: path)
        case .webp: return try ImageHeaders.webp(bytes, path: path)
        }
    }

    /// Decodes an image held in memory; `path` names it in errors.
    package static func decode(bytes: [UInt8], path: String, limits: ImageLimits = .default,
                               background: RGB = ImageFile.defaultBackground) throws -> RGBImage {
        switch try format(of: bytes, path: path) {
        case .png:
            return try PNGCodec.decode(bytes, path: path, limits: limits, background: background)
        case .jpeg:
            let info = try ImageHeaders.jpeg(bytes, path: path)
            try limits.check(width: info.width, height: info.height, path: path)
            try ImageHeaders.checkJPEGComplete(bytes, path: path)
            return try LibavImageDecoder.decode(bytes, info: info, path: path, background: background)
        case .webp:
            let info = try ImageHeaders.webp(bytes, path: path)
            try limits.check(width: info.width, height: info.height, path: path)
            if info.detail == "animated" {
                throw MediaError(.unsupported, role: "image", path: path, problem: "animated WebP is not supported",
                                 advice: "extract one frame as PNG first")
            }
            return try LibavImageDecoder.decode(bytes, info: info, path: path, background: background)
        }
    }

    /// The format of `bytes`, or a `MediaError` saying it is not an image.
    static func format(of bytes: [UInt8], path: String) throws -> ImageFormat {
        if let format = ImageFormat.detect(bytes) { return format }
        if bytes.isEmpty {
            throw MediaError(.unrecognized, role: "image", path: path, problem: "file is empty")
        }
        let looksLikeText = bytes.prefix(512).allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || ($0 >= 32 && $0 != 127) }
        throw MediaError(.unrecognized, role: "image", path: path,
                         problem: looksLikeText ? "is a text file, not an image" : "not a PNG, JPEG or WebP image (unknown signature)",
                         advice: "give a PNG, JPEG or WebP file")
    }

    /// Composites interleaved RGBA over `background` into RGB:
    /// `out = (c·a + bg·(255 − a) + 127) / 255` per channel (integer division).
    static func composite(rgba: [UInt8], width: Int, height: Int, background: RGB) -> RGBImage {
        let n = width * height
        var rgb = [UInt8](repeating: 0, count: 3 * n)
        let bg = [Int(background.r), Int(background.g), Int(background.b)]
        rgba.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let a = Int(src[4 * i + 3])
                    if a == 255 {
                        dst[3 * i] = src[4 * i]; dst[3 * i + 1] = src[4 * i + 1]; dst[3 * i + 2] = src[4 * i + 2]
                    } else {
                        for c in 0..<3 {
                            dst[3 * i + c] = UInt8((Int(src[4 * i + c]) * a + bg[c] * (255 - a) + 127) / 255)
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }
}
