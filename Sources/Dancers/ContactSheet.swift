import Imaging

/// A grid of pictures for people to look at: rows of tiles, each tile optionally followed by its pose map.
public enum ContactSheet {
    /// Tiles laid out in rows of `columns`, with a `gap`-pixel dark border; tiles must share one size.
    public static func grid(_ tiles: [RGBImage], columns: Int, gap: Int = 2) -> RGBImage {
        guard let first = tiles.first, columns > 0 else { return RGBImage(width: 0, height: 0) }
        let tw = first.width, th = first.height
        let rows = (tiles.count + columns - 1) / columns
        let w = columns * tw + (columns + 1) * gap, h = rows * th + (rows + 1) * gap
        var out = RGBImage(width: w, height: h, fill: RGB(24, 24, 28))
        for (i, t) in tiles.enumerated() where t.width == tw && t.height == th {
            let ox = gap + (i % columns) * (tw + gap), oy = gap + (i / columns) * (th + gap)
            for y in 0..<th {
                let src = y * tw * 3, dst = ((oy + y) * w + ox) * 3
                for k in 0..<(tw * 3) { out.pixels[dst + k] = t.pixels[src + k] }
            }
        }
        return out
    }
}
