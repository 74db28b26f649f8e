import CFFmpeg

/// Text for libav error codes.
package enum LibavError {
    /// `av_strerror` as a Swift string.
    package static func text(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        zt_av_strerror(code, &buffer, buffer.count)
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
