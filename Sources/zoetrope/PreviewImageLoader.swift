import Foundation
import Imaging

/// Reads the pictures `zoetrope preview` and `zoetrope bench sixel` show.
///
/// Limitations: binary PPM (P6, 8-bit) only until Media's PNG/JPEG reader lands; other formats get one line saying so.
enum PreviewImageLoader {
    /// Reads one image file, throwing one line that names the file and what was wrong.
    static func load(_ path: String) throws -> RGBImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError("\(path): cannot read the file (missing or not readable)")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "6") else {
            throw LoadError("\(path): not a binary PPM (P6); convert it first, e.g. `convert \(path) \(path).ppm`")
        }
        return try decodePPM(bytes, name: path)
    }

    /// Parses P6: `P6 <ws> width <ws> height <ws> maxval <one ws> pixels`, comments `#…` allowed in the header.
    static func decodePPM(_ bytes: [UInt8], name: String) throws -> RGBImage {
        var fields: [Int] = [], i = 2
        while fields.count < 3 {
            guard i < bytes.count else { throw LoadError("\(name): PPM header ends early") }
            let c = bytes[i]
            if c == UInt8(ascii: "#") {
                while i < bytes.count && bytes[i] != 0x0A { i += 1 }
            } else if (0x30...0x39).contains(c) {
                var v = 0
                while i < bytes.count, (0x30...0x39).contains(bytes[i]) {
                    v = v * 10 + Int(bytes[i] - 0x30); i += 1
                    guard v <= 1 << 20 else { throw LoadError("\(name): PPM header number too large") }
                }
                fields.append(v)
            } else if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
                i += 1
            } else {
                throw LoadError("\(name): unexpected byte 0x\(String(c, radix: 16)) in the PPM header")
            }
        }
        i += 1  // the single whitespace after maxval
        let (w, h, maxval) = (fields[0], fields[1], fields[2])
        guard maxval == 255 else { throw LoadError("\(name): PPM maxval \(maxval) is not supported (expected 255)") }
        let needed = w * h * 3
        guard bytes.count - i >= needed else {
            throw LoadError("\(name): PPM says \(w)×\(h) but has \(max(0, bytes.count - i)) of \(needed) pixel bytes")
        }
        return RGBImage(width: w, height: h, pixels: Array(bytes[i..<(i + needed)]))
    }
}

/// An image that could not be read, in one line.
struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
