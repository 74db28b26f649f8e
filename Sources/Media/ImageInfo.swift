/// What an image file's header says, read without decoding pixels (`zoetrope inspect image`).
public struct ImageInfo: Sendable, Equatable, Codable {
    /// The colour model of the stored pixels.
    public enum ColorType: String, Sendable, Codable {
        /// One grey channel.
        case grey
        /// Grey plus alpha.
        case greyAlpha = "grey+alpha"
        /// Red, green, blue.
        case rgb
        /// Red, green, blue, alpha.
        case rgba
        /// Indices into a palette (PNG colour type 3).
        case palette
        /// Luma and chroma (JPEG, lossy WebP).
        case ycbcr
        /// Luma, chroma and alpha (lossy WebP with alpha).
        case ycbcrAlpha = "ycbcr+alpha"
        /// Cyan, magenta, yellow, black (some JPEGs; not decoded).
        case cmyk
    }

    /// The file format.
    public var format: ImageFormat
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Bits per sample (1, 2, 4, 8 or 16 for PNG; 8 or 12 for JPEG; 8 for WebP).
    public var bitDepth: Int
    /// The colour model.
    public var colorType: ColorType
    /// True when the picture has transparency (an alpha channel or a PNG tRNS chunk).
    public var hasAlpha: Bool
    /// True for interlaced PNG (Adam7) and progressive JPEG.
    public var isInterlaced: Bool
    /// Palette entries (PNG colour type 3), else nil.
    public var paletteSize: Int?
    /// A short format-specific detail: "lossless (VP8L)", "progressive", "baseline"...
    public var detail: String?

    /// Makes a description.
    public init(format: ImageFormat, width: Int, height: Int, bitDepth: Int, colorType: ColorType, hasAlpha: Bool,
                isInterlaced: Bool, paletteSize: Int? = nil, detail: String? = nil) {
        self.format = format
        self.width = width
        self.height = height
        self.bitDepth = bitDepth
        self.colorType = colorType
        self.hasAlpha = hasAlpha
        self.isInterlaced = isInterlaced
        self.paletteSize = paletteSize
        self.detail = detail
    }
}
