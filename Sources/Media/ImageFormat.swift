/// Image file formats Zoetrope reads, recognised by their first bytes (never by the file name).
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    /// Portable Network Graphics, decoded by libpng.
    case png
    /// JPEG (JFIF/Exif), decoded by libavcodec's mjpeg decoder.
    case jpeg
    /// WebP (lossy VP8 or lossless VP8L, still images), decoded by libavcodec's webp decoder.
    case webp

    /// The format whose signature starts `bytes`, or nil.
    public static func detect(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        let head = Array(bytes.prefix(16))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.count >= 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) {
            return .webp
        }
        return nil
    }

    /// Upper-case name for people: "PNG", "JPEG", "WebP".
    public var displayName: String {
        switch self {
        case .png: return "PNG"
        case .jpeg: return "JPEG"
        case .webp: return "WebP"
        }
    }
}
