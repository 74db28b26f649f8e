import Imaging
import Preview

/// Where a picture goes and the pixels it shows there.
public struct PicturePlacement: Equatable, Sendable {
    /// The cells it covers (inside the area it was given, centred).
    public var rect: CellRect
    /// The image as shown: the frame scaled by ``scale`` (nearest neighbour) or shrunk to fit.
    public var image: RGBImage
    /// Integer enlargement applied to the source (1 when shrunk).
    public var scale: Int
}

/// Turns a frame into what the terminal shows in a cell rectangle, by renderer: sixel pixels, half-block cells
/// (two pixels per cell) or ASCII (one column, two pixel rows per character). Pure (bytes out); the loop writes them.
///
/// Pictures are enlarged by the largest whole factor that fits (crisp pixels; the frames are small), shrunk by area
/// averaging when they do not fit, and centred.
public enum PictureWriter {
    /// Pixels per cell for a renderer: sixel uses the terminal's cell size; half blocks and ASCII have 1 × 2.
    public static func pixelsPerCell(_ renderer: Renderer, cellWidth: Int, cellHeight: Int) -> (width: Int, height: Int) {
        renderer == .sixel ? (max(1, cellWidth), max(1, cellHeight)) : (1, 2)
    }

    /// The placement of `image` inside `area`, or nil when the area is empty.
    public static func place(_ image: RGBImage, in area: CellRect, renderer: Renderer, cellWidth: Int, cellHeight: Int) -> PicturePlacement? {
        guard area.width > 0, area.height > 0, !image.isEmpty else { return nil }
        let cell = pixelsPerCell(renderer, cellWidth: cellWidth, cellHeight: cellHeight)
        let availableWidth = area.width * cell.width, availableHeight = area.height * cell.height
        let scale = min(availableWidth / image.width, availableHeight / image.height)
        let shown: RGBImage
        if scale >= 1 {
            shown = scale == 1 ? image : ImageScaler.resize(image, width: image.width * scale, height: image.height * scale)
        } else {
            // Shrink to fit, keeping the aspect ratio.
            let f = min(Double(availableWidth) / Double(image.width), Double(availableHeight) / Double(image.height))
            shown = ImageScaler.resize(image, width: max(1, Int(Double(image.width) * f)), height: max(1, Int(Double(image.height) * f)))
        }
        let columns = (shown.width + cell.width - 1) / cell.width
        let rows = (shown.height + cell.height - 1) / cell.height
        let rect = CellRect(row: area.row + (area.height - rows) / 2, column: area.column + (area.width - columns) / 2,
                            height: rows, width: columns)
        return PicturePlacement(rect: rect, image: shown, scale: max(1, scale))
    }

    /// Bytes that draw the placement on a terminal (0-based rect → 1-based `CSI row;col H`), cursor saved and restored.
    /// ASCII returns nil: it is drawn as text through the surface (``asciiLines(_:)``).
    public static func bytes(_ placement: PicturePlacement, renderer: Renderer, encoder: SixelEncoder) -> [UInt8]? {
        var out: [UInt8] = Array("\u{1B}7".utf8)
        let origin = CellPosition(row: placement.rect.row + 1, column: placement.rect.column + 1)
        switch renderer {
        case .sixel:
            out += Array("\u{1B}[\(origin.row);\(origin.column)H".utf8)
            guard let six = try? encoder.encode(placement.image) else { return nil }
            out += six
        case .halfBlockTrueColor:
            out += HalfBlockRenderer.renderBytes(placement.image, mode: .trueColor, at: origin)
        case .halfBlock256:
            out += HalfBlockRenderer.renderBytes(placement.image, mode: .palette256, at: origin)
        case .ascii:
            return nil
        }
        out += Array("\u{1B}8".utf8)
        return out
    }

    /// The placement as lines of ASCII ramp characters (for dumb terminals), one per cell row.
    public static func asciiLines(_ placement: PicturePlacement) -> [String] {
        HalfBlockRenderer.render(placement.image, mode: .ascii).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
