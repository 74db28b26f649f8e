/// How a picture is drawn with text cells when the terminal shows no sixel graphics.
public enum CellMode: String, Sendable, CaseIterable, Codable {
    /// `▀` with a 24-bit foreground (top pixel) and background (bottom pixel): two pixels per cell.
    case trueColor = "truecolor"
    /// `▀` with the nearest colours of the xterm 256-colour palette.
    case palette256 = "256"
    /// One character of a brightness ramp per cell (one column, two pixel rows), no colour: for dumb terminals.
    case ascii
}

/// A cell position on the screen, 1-based as in `CSI row ; column H`.
public struct CellPosition: Sendable, Equatable, Hashable {
    /// Row, from 1 at the top.
    public var row: Int
    /// Column, from 1 at the left.
    public var column: Int
    /// A position; values below 1 are raised to 1.
    public init(row: Int, column: Int) { self.row = max(1, row); self.column = max(1, column) }
}
