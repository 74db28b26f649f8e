import Imaging

/// Side-by-side composition of panels (e.g. pose | result, or reference | pose | result).
public enum PanelLayout {
    /// Panels left to right with `gap` pixels between them; shorter panels are centred vertically on `background`.
    public static func sideBySide(_ panels: [RGBImage], gap: Int, background: RGB) -> RGBImage {
        guard panels.count > 1 else { return panels.first ?? RGBImage(width: 0, height: 0) }
        let height = panels.map(\.height).max() ?? 0
        let width = panels.map(\.width).reduce(0, +) + gap * (panels.count - 1)
        var out = RGBImage(width: width, height: height, fill: background)
        var x0 = 0
        out.pixels.withUnsafeMutableBufferPointer { dst in
            for panel in panels {
                let y0 = (height - panel.height) / 2
                panel.pixels.withUnsafeBufferPointer { src in
                    for y in 0..<panel.height {
                        let from = y * panel.width * 3
                        let to = ((y0 + y) * width + x0) * 3
                        for i in 0..<(panel.width * 3) { dst[to + i] = src[from + i] }
                    }
                }
                x0 += panel.width + gap
            }
        }
        return out
    }
}
