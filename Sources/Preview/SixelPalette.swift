import Imaging

/// Up to 256 colours as a sixel terminal shows them: every entry already sits on sixel's 0–100 % colour scale, so the
/// colour the encoder maps a pixel to is exactly the colour the terminal (or `sixel2png`) displays.
///
/// Build one per image (``adaptive(for:maxColors:refinementPasses:)``) or one for a whole clip
/// (``shared(for:maxColors:refinementPasses:)``) so playback does not flicker and later frames skip palette building.
public struct SixelPalette: Sendable, Equatable, Hashable {
    /// The colours, at most 256, each representable exactly in percent.
    public let colors: [RGB]

    /// A palette of the given colours, each snapped to the nearest value sixel can express; at most 256 are kept.
    public init(colors: [RGB]) {
        let kept = colors.prefix(256).map { RGB(Self.snap($0.r), Self.snap($0.g), Self.snap($0.b)) }
        self.colors = kept.isEmpty ? [RGB(0, 0, 0)] : kept
    }

    /// Number of colours.
    public var count: Int { colors.count }

    // MARK: - Sixel's percent scale

    /// Byte → percent as written in `#n;2;R;G;B`: `p = round(c · 100 / 255)`.
    @inlinable
    package static func percent(_ c: UInt8) -> Int { (Int(c) * 100 + 127) / 255 }

    /// Percent → byte as decoders show it (libsixel, xterm): `c = (p · 255 + 50) / 100`.
    @inlinable
    package static func byte(percent p: Int) -> UInt8 { UInt8((p * 255 + 50) / 100) }

    /// The displayed value of channel value `c` after a trip through the percent scale.
    @inlinable
    package static func snap(_ c: UInt8) -> UInt8 { byte(percent: percent(c)) }
}
