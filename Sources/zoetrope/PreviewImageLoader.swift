import Foundation
import Imaging
import Media

/// Reads the pictures `zoetrope preview` and `zoetrope bench sixel` show: PNG, JPEG and WebP through Media's
/// `ImageFile`, binary PPM (P6) through Imaging. Errors are one line naming the file.
enum PreviewImageLoader {
    /// Reads one image file.
    static func load(_ path: String) throws -> RGBImage {
        let url = URL(fileURLWithPath: path)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LoadError("\(path): cannot read the file (missing or not readable)")
        }
        let head = (try? handle.read(upToCount: 2)) ?? Data()
        try? handle.close()
        do {
            if head.first == UInt8(ascii: "P") {
                return try RGBImage(ppm: try Data(contentsOf: url), source: path)
            }
            return try ImageFile.read(url)
        } catch {
            throw LoadError("\(error)")
        }
    }
}

/// An image that could not be read, in one line.
struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
