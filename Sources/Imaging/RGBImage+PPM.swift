import Foundation

/// Binary PPM (Netpbm `P6`): an ASCII header `P6 <width> <height> <maxval>` (whitespace-separated, `#` comments
/// allowed), one whitespace byte, then `width × height` RGB samples — one byte each when `maxval < 256`, two bytes
/// big-endian otherwise. Small, uncompressed and readable without any C library: used for fixtures and debugging.
extension RGBImage {
    /// Largest accepted picture (pixels), so a corrupt header cannot ask for gigabytes.
    static let maximumPPMPixels = 1 << 28

    /// Decodes binary PPM (`P6`) data. Samples with `maxval ≠ 255` are rescaled to 0...255 (rounded); samples above
    /// `maxval` are clamped. Bytes after the first image are ignored.
    ///
    /// - Throws: `ImagingError.malformedPPM` naming `source` (default `"PPM data"`) and what was wrong.
    public init(ppm data: Data, source: String = "PPM data") throws {
        let bytes = [UInt8](data)
        func fail(_ reason: String) -> ImagingError { .malformedPPM(source: source, reason: reason) }

        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P") else {
            throw fail("not a PPM file (it does not start with \"P6\"); convert it with `convert in.png out.ppm`")
        }
        switch bytes[1] {
        case UInt8(ascii: "6"): break
        case UInt8(ascii: "3"): throw fail("ASCII PPM (P3) is not supported; save it as binary PPM (P6)")
        case UInt8(ascii: "1"), UInt8(ascii: "2"), UInt8(ascii: "4"), UInt8(ascii: "5"):
            throw fail("a PBM/PGM file (P\(Character(UnicodeScalar(bytes[1])))) is not RGB; save it as binary PPM (P6)")
        default:
            throw fail("not a PPM file (it does not start with \"P6\"); convert it with `convert in.png out.ppm`")
        }

        // Header fields: whitespace-separated decimal numbers; '#' starts a comment running to the end of the line.
        var i = 2
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }
        func field(_ name: String) throws -> Int {
            while i < bytes.count {
                if isSpace(bytes[i]) { i += 1 } else if bytes[i] == UInt8(ascii: "#") {
                    while i < bytes.count && bytes[i] != 0x0A && bytes[i] != 0x0D { i += 1 }
                } else { break }
            }
            guard i < bytes.count else { throw fail("header ends before its \(name)") }
            var value = 0, digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                value = value * 10 + Int(bytes[i] - 0x30)
                digits += 1
                i += 1
                guard digits <= 9 else { throw fail("header \(name) has too many digits") }
            }
            guard digits > 0 else {
                throw fail("header \(name) is not a number (found byte 0x\(String(bytes[i], radix: 16)))")
            }
            return value
        }
        let width = try field("width"), height = try field("height"), maxval = try field("maxval")
        guard width > 0, height > 0 else { throw fail("header says \(width)×\(height); width and height must be ≥ 1") }
        guard width * height <= Self.maximumPPMPixels else {
            throw fail("header says \(width)×\(height), larger than the \(Self.maximumPPMPixels)-pixel limit")
        }
        guard maxval >= 1, maxval <= 65535 else { throw fail("header maxval \(maxval) is outside 1...65535") }
        guard i < bytes.count, isSpace(bytes[i]) else { throw fail("header ends without the whitespace before pixels") }
        i += 1

        let bytesPerSample = maxval < 256 ? 1 : 2
        let sampleCount = width * height * 3
        let needed = sampleCount * bytesPerSample
        guard bytes.count - i >= needed else {
            throw fail("header says \(width)×\(height) (maxval \(maxval)), which needs \(needed) bytes of pixels, "
                + "found \(bytes.count - i); the file is truncated")
        }
        var pixels = [UInt8](repeating: 0, count: sampleCount)
        if maxval == 255 {
            pixels.withUnsafeMutableBufferPointer { dst in
                for s in 0..<sampleCount { dst[s] = bytes[i + s] }
            }
        } else {
            // v8 = round(min(v, maxval) · 255 / maxval)
            for s in 0..<sampleCount {
                let v = bytesPerSample == 1 ? Int(bytes[i + s]) : Int(bytes[i + 2 * s]) << 8 | Int(bytes[i + 2 * s + 1])
                pixels[s] = UInt8((min(v, maxval) * 255 * 2 + maxval) / (2 * maxval))
            }
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// Reads a binary PPM (`P6`) file; errors name the file.
    ///
    /// - Throws: `ImagingError.malformedPPM` when the file cannot be read or decoded.
    public init(contentsOfPPM url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImagingError.malformedPPM(source: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        try self.init(ppm: data, source: url.path)
    }

    /// This image as binary PPM (`P6`, maxval 255): the header `P6\n<width> <height>\n255\n`, then the pixel bytes.
    public func ppmData() -> Data {
        var data = Data("P6\n\(width) \(height)\n255\n".utf8)
        data.append(contentsOf: pixels)
        return data
    }
}
