/// Where the studio's text goes: ncurses on a terminal, a cell grid in tests. Drawing code only sees this.
public protocol Surface {
    /// Size in cells.
    var rows: Int { get }
    var columns: Int { get }
    /// Writes `text` at a cell in `style`, clipped at `maxWidth` columns and at the right edge.
    mutating func put(_ text: String, row: Int, column: Int, style: Style, maxWidth: Int?)
    /// Fills a rectangle with spaces in `style`.
    mutating func fill(_ rect: CellRect, style: Style)
}

/// What a cell is drawn as; each maps to theme roles (see ``Style/roles``).
public enum Style: Int, CaseIterable, Sendable {
    case normal = 1, title, border, borderFocused, selection, muted, accent, status, progress, keyframe, playhead, ok,
         warning, error, titleBar, field

    /// Foreground role, background role and boldness.
    public var roles: (foreground: Theme.Role, background: Theme.Role, bold: Bool) {
        switch self {
        case .normal: return (.foreground, .background, false)
        case .title: return (.title, .background, true)
        case .border: return (.border, .background, false)
        case .borderFocused: return (.borderFocused, .background, true)
        case .selection: return (.selectionForeground, .selectionBackground, true)
        case .muted: return (.muted, .background, false)
        case .accent: return (.accent, .background, true)
        case .status: return (.statusForeground, .statusBackground, false)
        case .progress: return (.progress, .statusBackground, true)
        case .keyframe: return (.keyframe, .background, true)
        case .playhead: return (.playhead, .background, true)
        case .ok: return (.ok, .background, false)
        case .warning: return (.warning, .background, false)
        case .error: return (.error, .background, true)
        case .titleBar: return (.title, .statusBackground, true)
        case .field: return (.selectionForeground, .statusBackground, false)
        }
    }
}

extension Surface {
    /// `put` without a width limit.
    public mutating func put(_ text: String, row: Int, column: Int, style: Style) {
        put(text, row: row, column: column, style: style, maxWidth: nil)
    }

    /// A box with a title in its top border; focused boxes use the focus colour.
    public mutating func box(_ rect: CellRect, title: String, focused: Bool) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let style: Style = focused ? .borderFocused : .border
        let horizontal = String(repeating: "─", count: rect.width - 2)
        put("┌" + horizontal + "┐", row: rect.row, column: rect.column, style: style)
        for r in (rect.row + 1)..<(rect.bottom - 1) {
            put("│", row: r, column: rect.column, style: style)
            put("│", row: r, column: rect.column + rect.width - 1, style: style)
        }
        put("└" + horizontal + "┘", row: rect.bottom - 1, column: rect.column, style: style)
        put(" \(title) ", row: rect.row, column: rect.column + 2, style: focused ? .borderFocused : .title, maxWidth: rect.width - 4)
    }
}

/// A grid of characters: the surface tests draw on (and read back as lines).
public struct TextSurface: Surface {
    public let rows: Int, columns: Int
    /// The characters, row-major.
    public private(set) var cells: [[Character]]
    /// The style of every cell.
    public private(set) var styles: [[Style]]

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
        styles = Array(repeating: Array(repeating: .normal, count: columns), count: rows)
    }

    public mutating func put(_ text: String, row: Int, column: Int, style: Style, maxWidth: Int?) {
        guard row >= 0, row < rows else { return }
        var c = column
        let end = min(columns, maxWidth.map { column + max(0, $0) } ?? columns)
        for ch in text {
            if c >= end { break }
            if c >= 0 { cells[row][c] = ch; styles[row][c] = style }
            c += 1
        }
    }

    public mutating func fill(_ rect: CellRect, style: Style) {
        for r in max(0, rect.row)..<min(rows, rect.bottom) {
            for c in max(0, rect.column)..<min(columns, rect.column + rect.width) {
                cells[r][c] = " "; styles[r][c] = style
            }
        }
    }

    /// Row `r` as text.
    public func line(_ r: Int) -> String { String(cells[r]) }
    /// All rows joined with newlines.
    public var text: String { (0..<rows).map(line).joined(separator: "\n") }
}
