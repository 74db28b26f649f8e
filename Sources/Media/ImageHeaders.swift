/// Header parsers for JPEG and WebP: size, depth and colour model without decoding pixels, so the size limit is
/// checked before libavcodec allocates anything.
///
/// Matches: ITU T.81 §B.1.1 (marker segments, SOFn frame header) and the WebP container specification
/// (RIFF, `VP8 ` key-frame header, `VP8L` header bits, `VP8X` canvas size).
/// Limitations: the JPEG DNL marker (height 0 in SOF) is reported as unsupported.
package enum ImageHeaders {
    /// Parses the JPEG markers up to the first SOFn segment.
    package static func jpeg(_ b: [UInt8], path: String) throws -> ImageInfo {
        let n = b.count
        var i = 2
        while true {
            guard i + 4 <= n else { throw truncated(path, "JPEG ends before its frame header (SOF)") }
            guard b[i] == 0xFF else {
                throw MediaError(.corrupt, role: "image", path: path, problem: "damaged JPEG: no marker at byte \(i)")
            }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }                      // fill byte
            i += 2
            if marker == 0x01 || marker == 0xD8 || (0xD0...0xD7).contains(marker) { continue }   // no length
            if marker == 0xD9 || marker == 0xDA {
                throw MediaError(.corrupt, role: "image", path: path, problem: "damaged JPEG: scan data before any frame header (SOF)")
            }
            let length = Int(b[i]) << 8 | Int(b[i + 1])
            guard length >= 2 else {
                throw MediaError(.corrupt, role: "image", path: path, problem: "damaged JPEG: segment length \(length) at byte \(i)")
            }
            let isSOF = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isSOF {
                guard i + 8 <= n else { throw truncated(path, "JPEG ends inside its frame header") }
                let precision = Int(b[i + 2])
                let height = Int(b[i + 3]) << 8 | Int(b[i + 4])
                let width = Int(b[i + 5]) << 8 | Int(b[i + 6])
                let components = Int(b[i + 7])
                if height == 0 {
                    throw MediaError(.unsupported, role: "image", path: path,
                                     problem: "JPEG with the height in a DNL marker is not supported")
                }
                let colorType: ImageInfo.ColorType
                switch components {
                case 1: colorType = .grey
                case 3: colorType = .ycbcr
                case 4: colorType = .cmyk
                default:
                    throw MediaError(.unsupported, role: "image", path: path, problem: "JPEG with \(components) colour components")
                }
                let kind: String
                switch marker {
                case 0xC0: kind = "baseline"
                case 0xC1: kind = "extended sequential"
                case 0xC2: kind = "progressive"
                case 0xC3: kind = "lossless"
                default: kind = marker >= 0xC9 ? "arithmetic coding" : "hierarchical"
                }
                return ImageInfo(format: .jpeg, width: width, height: height, bitDepth: precision, colorType: colorType,
                                 hasAlpha: false, isInterlaced: marker == 0xC2 || marker == 0xC6 || marker == 0xCA,
                                 detail: kind)
            }
            i += length
        }
    }

    /// Throws when the JPEG has no end-of-image marker (FF D9) after its header: the file was cut short.
    /// (libavcodec decodes a cut JPEG without error, filling the missing part with grey.)
    package static func checkJPEGComplete(_ b: [UInt8], path: String) throws {
        var j = b.count - 2
        let stop = max(2, b.count - 65536)   // trailing data after EOI is tolerated up to 64 KiB
        while j >= stop {
            if b[j] == 0xFF && b[j + 1] == 0xD9 { return }
            j -= 1
        }
        throw truncated(path, "JPEG file is truncated (no end-of-image marker)")
    }

    /// Parses the RIFF container and the first image chunk of a WebP file.
    package static func webp(_ b: [UInt8], path: String) throws -> ImageInfo {
        let n = b.count
        guard n >= 30 else { throw truncated(path, "WebP file is truncated (\(n) bytes)") }
        let riffSize = le32(b, 4)
        if riffSize + 8 > n { throw truncated(path, "WebP file is truncated (RIFF declares \(riffSize + 8) bytes, file has \(n))") }
        let fourCC = String(decoding: b[12..<16], as: UTF8.self)
        let payload = 20
        switch fourCC {
        case "VP8 ":
            guard b[payload + 3] == 0x9D, b[payload + 4] == 0x01, b[payload + 5] == 0x2A else {
                throw MediaError(.corrupt, role: "image", path: path, problem: "damaged WebP: bad VP8 start code")
            }
            let width = le16(b, payload + 6) & 0x3FFF
            let height = le16(b, payload + 8) & 0x3FFF
            return ImageInfo(format: .webp, width: width, height: height, bitDepth: 8, colorType: .ycbcr,
                             hasAlpha: false, isInterlaced: false, detail: "lossy (VP8)")
        case "VP8L":
            guard b[payload] == 0x2F else {
                throw MediaError(.corrupt, role: "image", path: path, problem: "damaged WebP: bad VP8L signature")
            }
            let bits = le32(b, payload + 1)
            let width = (bits & 0x3FFF) + 1
            let height = ((bits >> 14) & 0x3FFF) + 1
            let alpha = (bits >> 28) & 1 == 1
            return ImageInfo(format: .webp, width: width, height: height, bitDepth: 8, colorType: alpha ? .rgba : .rgb,
                             hasAlpha: alpha, isInterlaced: false, detail: "lossless (VP8L)")
        case "VP8X":
            let flags = b[payload]
            let width = le24(b, payload + 4) + 1
            let height = le24(b, payload + 7) + 1
            let alpha = flags & 0x10 != 0
            if flags & 0x02 != 0 {
                return ImageInfo(format: .webp, width: width, height: height, bitDepth: 8, colorType: alpha ? .rgba : .rgb,
                                 hasAlpha: alpha, isInterlaced: false, detail: "animated")
            }
            // Walk the chunks for the image data to tell lossy from lossless.
            var offset = 12
            var lossless = false
            while offset + 8 <= n {
                let tag = String(decoding: b[offset..<(offset + 4)], as: UTF8.self)
                if tag == "VP8L" { lossless = true; break }
                if tag == "VP8 " { break }
                let size = le32(b, offset + 4)
                offset += 8 + size + (size & 1)
            }
            let colorType: ImageInfo.ColorType = lossless ? (alpha ? .rgba : .rgb) : (alpha ? .ycbcrAlpha : .ycbcr)
            return ImageInfo(format: .webp, width: width, height: height, bitDepth: 8, colorType: colorType,
                             hasAlpha: alpha, isInterlaced: false, detail: lossless ? "lossless (VP8X)" : "lossy (VP8X)")
        default:
            throw MediaError(.corrupt, role: "image", path: path, problem: "damaged WebP: unknown first chunk '\(fourCC)'")
        }
    }

    static func truncated(_ path: String, _ problem: String) -> MediaError {
        MediaError(.truncated, role: "image", path: path, problem: problem, advice: "re-export or re-download it")
    }
    static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    static func le24(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 }
    static func le32(_ b: [UInt8], _ i: Int) -> Int { le24(b, i) | Int(b[i + 3]) << 24 }
}
