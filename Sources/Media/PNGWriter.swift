import Foundation
import Imaging

/// Writes `RGBImage`s as 8-bit RGB PNG files through libpng, atomically (temporary file, then rename).
public enum PNGWriter {
    /// zlib level used by default: 6, libpng's own default (a good size/speed balance).
    public static let defaultCompression = 6

    /// Writes `image` to `url`. Refuses an existing file unless `overwrite`; never leaves a partial file.
    public static func write(_ image: RGBImage, to url: URL, overwrite: Bool = false,
                             compression: Int = PNGWriter.defaultCompression) throws {
        let output = try AtomicOutput(destination: url, role: "image", overwrite: overwrite, isDirectory: false)
        try output.write(try encode(image, compression: compression, path: url.displayPath))
        try output.commit()
    }

    /// The PNG bytes of `image`; `path` names it in errors.
    public static func encode(_ image: RGBImage, compression: Int = PNGWriter.defaultCompression,
                              path: String = "<memory>") throws -> [UInt8] {
        if image.isEmpty {
            throw MediaError(.invalidInput, role: "image", path: path, problem: "cannot write an empty \(image.width)×\(image.height) picture")
        }
        return try PNGCodec.encode(image, compression: compression, path: path)
    }
}
