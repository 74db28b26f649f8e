import Imaging

/// Writes GIF89a files: one global palette, every frame full size, looping forever.
///
/// Written here rather than through libavcodec's gif encoder so the file has exactly one global palette built from
/// the whole clip, every frame is stored whole (no frame differencing), and frame delays are spread so the clip's
/// total duration is exact at any frame rate (delays are whole centiseconds: frame i starts at round(100·i/fps)).
/// Matches: GIF89a specification (W3C, 1990): logical screen descriptor, global colour table, NETSCAPE2.0 looping
/// extension, graphic control extension, variable-width LZW with clear codes (max 12 bits, no deferred clear).
package enum GIFEncoder {
    /// The GIF bytes of `frames` (all the same size) shown at `fps`, mapped onto one palette.
    package static func encode(frames: [RGBImage], fps: Int, dither: Bool,
                               progress: ((Int) -> Void)? = nil) -> (bytes: [UInt8], palette: GIFPalette) {
        let palette = GIFPalette.build(frames: frames)
        var mapper = GIFColorMapper(palette: palette.colors)
        let width = frames.first?.width ?? 0, height = frames.first?.height ?? 0
        var out: [UInt8] = Array("GIF89a".utf8)
        appendLE16(&out, width); appendLE16(&out, height)
        out.append(0xF7)            // global colour table, 8-bit colour resolution, 256 entries (2^(7+1))
        out.append(0)               // background colour index
        out.append(0)               // pixel aspect ratio: unspecified
        for i in 0..<256 {
            let c = i < palette.colors.count ? palette.colors[i] : RGB(0, 0, 0)
            out.append(c.r); out.append(c.g); out.append(c.b)
        }
        // NETSCAPE2.0 application extension: loop count 0 = forever.
        out.append(contentsOf: [0x21, 0xFF, 0x0B])
        out.append(contentsOf: Array("NETSCAPE2.0".utf8))
        out.append(contentsOf: [0x03, 0x01, 0x00, 0x00, 0x00])
        for (i, frame) in frames.enumerated() {
            let start = (100 * i + fps / 2) / fps, end = (100 * (i + 1) + fps / 2) / fps
            let delay = max(2, end - start)
            // Graphic control extension: disposal 1 (leave in place), no transparency.
            out.append(contentsOf: [0x21, 0xF9, 0x04, 0x04])
            appendLE16(&out, delay)
            out.append(contentsOf: [0x00, 0x00])
            // Image descriptor: whole canvas, no local colour table, not interlaced.
            out.append(0x2C)
            appendLE16(&out, 0); appendLE16(&out, 0); appendLE16(&out, width); appendLE16(&out, height)
            out.append(0)
            let indices = mapper.indices(of: frame, dither: dither)
            out.append(8)           // LZW minimum code size
            let data = lzw(indices, minimumCodeSize: 8)
            var offset = 0
            while offset < data.count {
                let n = min(255, data.count - offset)
                out.append(UInt8(n))
                out.append(contentsOf: data[offset..<(offset + n)])
                offset += n
            }
            out.append(0)           // block terminator
            progress?(i + 1)
        }
        out.append(0x3B)            // trailer
        return (out, palette)
    }

    static func appendLE16(_ out: inout [UInt8], _ v: Int) {
        out.append(UInt8(v & 0xFF)); out.append(UInt8((v >> 8) & 0xFF))
    }

    /// GIF LZW: codes LSB-first, width growing from minimumCodeSize+1 to 12 bits; a clear code starts the stream
    /// and is sent again when code 4095 has been assigned.
    package static func lzw(_ indices: [UInt8], minimumCodeSize: Int) -> [UInt8] {
        let clear = 1 << minimumCodeSize, endOfInformation = clear + 1
        var out: [UInt8] = []
        out.reserveCapacity(indices.count)
        var bitBuffer: UInt64 = 0, bitCount = 0
        var width = minimumCodeSize + 1
        func emit(_ code: Int) {
            bitBuffer |= UInt64(code) << UInt64(bitCount)
            bitCount += width
            while bitCount >= 8 {
                out.append(UInt8(truncatingIfNeeded: bitBuffer))
                bitBuffer >>= 8
                bitCount -= 8
            }
        }
        // child[prefix * 256 + k] = code of the string prefix+k, 0 when absent (no string gets code 0).
        var child = [UInt16](repeating: 0, count: 4096 * 256)
        var touched: [Int] = []
        touched.reserveCapacity(4096)
        var last = endOfInformation   // last assigned code
        emit(clear)
        guard var prefix = indices.first.map({ Int($0) }) else {
            emit(endOfInformation)
            if bitCount > 0 { out.append(UInt8(truncatingIfNeeded: bitBuffer)) }
            return out
        }
        indices.withUnsafeBufferPointer { p in
            for j in 1..<max(1, p.count) where j < p.count {
                let k = Int(p[j])
                let key = prefix << 8 | k
                let code = child[key]
                if code != 0 {
                    prefix = Int(code)
                    continue
                }
                emit(prefix)
                last += 1
                child[key] = UInt16(last)
                touched.append(key)
                if last >= (1 << width) && width < 12 { width += 1 }
                if last == 4095 {
                    emit(clear)
                    for t in touched { child[t] = 0 }
                    touched.removeAll(keepingCapacity: true)
                    last = endOfInformation
                    width = minimumCodeSize + 1
                }
                prefix = k
            }
        }
        emit(prefix)
        emit(endOfInformation)
        if bitCount > 0 { out.append(UInt8(truncatingIfNeeded: bitBuffer)) }
        return out
    }
}
