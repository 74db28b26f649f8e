import ArgumentParser
import Foundation
import Media

/// `zoetrope inspect image FILE`: format, size, bit depth and colour type, read from the header only.
struct InspectImage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Show the format, size, bit depth and colour type of a PNG, JPEG or WebP file.",
        discussion: """
        Only the header is read (no pixels are decoded), so oversized files are reported too.

        Examples:
          zoetrope inspect image photo.jpg
          zoetrope inspect image frame.png --json
        """
    )

    @Argument(help: "The image file.")
    var file: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let url = URL(fileURLWithPath: file)
        let info = try ImageFile.probe(url)
        if json {
            print(Self.json(info, file: file))
        } else {
            print(Self.text(info, file: file))
        }
    }

    /// One line: `photo.png: PNG 640×480, 8-bit RGBA, interlaced (Adam7)`.
    static func text(_ info: ImageInfo, file: String) -> String {
        let colour: String
        switch info.colorType {
        case .grey: colour = "grey"
        case .greyAlpha: colour = "grey+alpha"
        case .rgb: colour = "RGB"
        case .rgba: colour = "RGBA"
        case .palette: colour = "palette (\(info.paletteSize ?? 0) colours)"
        case .ycbcr: colour = info.format == .jpeg ? "YCbCr" : "YUV"
        case .ycbcrAlpha: colour = "YUV+alpha"
        case .cmyk: colour = "CMYK"
        }
        var parts = ["\(info.format.displayName) \(info.width)×\(info.height)", "\(info.bitDepth)-bit \(colour)"]
        if info.hasAlpha && info.colorType != .rgba && info.colorType != .greyAlpha && info.colorType != .ycbcrAlpha {
            parts.append("transparency")
        }
        if info.format == .png { parts.append(info.isInterlaced ? "interlaced (Adam7)" : "not interlaced") }
        if let detail = info.detail, info.format != .png { parts.append(detail) }
        return "\(file): " + parts.joined(separator: ", ")
    }

    /// `{"file": ..., "format": "png", "width": ..., ...}` with sorted keys.
    static func json(_ info: ImageInfo, file: String) -> String {
        var object: [String: Any] = [
            "file": file, "format": info.format.rawValue, "width": info.width, "height": info.height,
            "bitDepth": info.bitDepth, "colorType": info.colorType.rawValue, "hasAlpha": info.hasAlpha,
            "interlaced": info.isInterlaced,
        ]
        if let palette = info.paletteSize { object["paletteSize"] = palette }
        if let detail = info.detail { object["detail"] = detail }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
