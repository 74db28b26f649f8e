/// What a terminal can show, as found by ``TerminalProbe``: a plain value that the renderer table reads.
public struct TerminalCapabilities: Sendable, Equatable, Codable {
    /// A terminal multiplexer between the program and the real terminal.
    public enum Multiplexer: String, Sendable, Codable { case none, tmux, screen }

    /// Input and output were terminals (otherwise nothing was asked).
    public var isTerminal = false
    /// The terminal answered the primary device attributes query (DA1).
    public var answered = false
    /// DA1 parameters, e.g. `[63, 1, 2, 4, 6, 9, 15, 16, 22, 28]` for xterm 379 as a VT340.
    public var deviceAttributes: [Int] = []
    /// DA1 lists parameter 4: sixel graphics.
    public var sixel = false
    /// Sixel colour registers reported by `CSI ? 1 ; 1 ; 0 S`, if the terminal answered.
    public var colorRegisters: Int? = nil
    /// Screen size in cells, from TIOCGWINSZ.
    public var columns: Int? = nil, rows: Int? = nil
    /// Size of one cell in pixels.
    public var cellWidth = TerminalCapabilities.defaultCellWidth, cellHeight = TerminalCapabilities.defaultCellHeight
    /// Where the cell size came from: `TIOCGWINSZ`, `CSI 16 t` or `default`.
    public var cellSizeSource = "default"
    /// 24-bit colour is advertised (COLORTERM=truecolor/24bit, or a `-direct` / truecolor TERM).
    public var trueColor = false
    /// At least 256 colours are advertised (TERM contains 256color, or true colour).
    public var colors256 = false
    /// TERM is `dumb` or unset.
    public var isDumb = true
    /// tmux or screen in between (neither passes sixel through on Debian 12).
    public var multiplexer: Multiplexer = .none
    /// The TERM variable.
    public var term: String? = nil

    /// Cell size assumed when neither TIOCGWINSZ nor `CSI 16 t` tells.
    public static let defaultCellWidth = 10, defaultCellHeight = 20

    /// A value with nothing detected.
    public init() {}

    /// Usable sixel colour registers: what the terminal reported, capped at 256 (the safe number), else 256.
    public var sixelPaletteSize: Int { min(256, max(2, colorRegisters ?? 256)) }

    /// The renderer the table picks for these capabilities.
    public var renderer: Renderer { RendererTable.choose(for: self) }

    /// Screen width in pixels when known (columns × cell width).
    public var pixelWidth: Int? { columns.map { $0 * cellWidth } }
    /// Screen height in pixels when known (rows × cell height).
    public var pixelHeight: Int? { rows.map { $0 * cellHeight } }
}

/// How a picture is put on the terminal.
public enum Renderer: String, Sendable, Codable, CaseIterable {
    /// Sixel graphics (``SixelEncoder``).
    case sixel
    /// Half blocks in 24-bit colour.
    case halfBlockTrueColor = "halfblock-truecolor"
    /// Half blocks in the xterm 256-colour palette.
    case halfBlock256 = "halfblock-256"
    /// An ASCII brightness ramp.
    case ascii
}

/// The choice of renderer by capability, as a table read top to bottom: the first row whose requirement holds wins
/// (sixel → half blocks → ASCII). One place decides; callers never branch on capabilities themselves.
public enum RendererTable {
    /// One row: a renderer and what it needs.
    public struct Row: Sendable {
        /// The renderer.
        public let renderer: Renderer
        /// What must hold.
        public let requirement: String
        let holds: @Sendable (TerminalCapabilities) -> Bool
    }

    /// The table, best first.
    public static let rows: [Row] = [
        Row(renderer: .sixel, requirement: "DA1 has 4 and no tmux/screen in between") {
            $0.sixel && $0.multiplexer == .none
        },
        Row(renderer: .halfBlockTrueColor, requirement: "24-bit colour advertised") { $0.trueColor },
        Row(renderer: .halfBlock256, requirement: "256 colours advertised") { $0.colors256 },
        Row(renderer: .ascii, requirement: "always") { _ in true },
    ]

    /// The first renderer whose requirement holds.
    public static func choose(for capabilities: TerminalCapabilities) -> Renderer {
        rows.first { $0.holds(capabilities) }?.renderer ?? .ascii
    }
}
