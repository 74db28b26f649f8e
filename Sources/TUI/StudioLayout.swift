/// A rectangle of cells, 0-based.
public struct CellRect: Equatable, Sendable {
    public var row: Int, column: Int, height: Int, width: Int
    public init(row: Int, column: Int, height: Int, width: Int) {
        self.row = row; self.column = column; self.height = max(0, height); self.width = max(0, width)
    }
    /// The rectangle inside a one-cell border.
    public var inner: CellRect { CellRect(row: row + 1, column: column + 1, height: height - 2, width: width - 2) }
    /// True when the cell is inside.
    public func contains(row r: Int, column c: Int) -> Bool { r >= row && r < row + height && c >= column && c < column + width }
    /// True when the two share a cell.
    public func intersects(_ o: CellRect) -> Bool {
        row < o.row + o.height && o.row < row + height && column < o.column + o.width && o.column < column + width
    }
    /// Last row + 1.
    public var bottom: Int { row + height }
}

/// Where every panel goes at a given terminal size. Pure, so layouts are tested at several sizes.
///
/// ```
/// title bar ─────────────────────────────────────────────────────
/// ┌ 1 Reference ──────┐┌ 4 Preview ──────────────────────────────┐
/// │ thumbnail         ││            picture                      │
/// └───────────────────┘│ frame 3/12 ▶ scrubber ━━━━━━●─────────  │
/// ┌ 2 Parameters ─────┐└─────────────────────────────────────────┘
/// │ Seed          42  │┌ 3 Prompt keyframes ─────────────────────┐
/// │ ...               ││ ruler, keyframe list                    │
/// │                   │└─────────────────────────────────────────┘
/// │                   │┌ 5 Messages ─────────────────────────────┐
/// └───────────────────┘└─────────────────────────────────────────┘
/// status line: progress bar, step k/n, it/s, ETA   (last row: never a picture)
/// ```
public struct StudioLayout: Equatable, Sendable {
    /// Smallest usable terminal.
    public static let minimumColumns = 80, minimumRows = 24

    public let rows: Int, columns: Int
    public let title: CellRect, status: CellRect
    public let reference: CellRect, parameters: CellRect, preview: CellRect, timeline: CellRect, messages: CellRect
    /// Where the reference thumbnail goes (inside the reference panel).
    public let referencePicture: CellRect
    /// Where the preview picture goes (inside the preview panel, above the scrubber).
    public let previewPicture: CellRect
    /// The scrubber bar's row inside the preview panel (frame label at its left).
    public let scrubber: CellRect
    /// The timeline's ruler row (keyframe markers and the playhead).
    public let ruler: CellRect

    /// True when the terminal is smaller than ``minimumColumns`` × ``minimumRows``.
    public var isTooSmall: Bool { rows < Self.minimumRows || columns < Self.minimumColumns }

    /// The layout for a terminal of `rows` × `columns` cells.
    public init(rows: Int, columns: Int) {
        self.rows = max(0, rows)
        self.columns = max(0, columns)
        let rows = max(rows, Self.minimumRows), columns = max(columns, Self.minimumColumns)
        title = CellRect(row: 0, column: 0, height: 1, width: columns)
        status = CellRect(row: rows - 1, column: 0, height: 1, width: columns)
        let bodyTop = 1, bodyHeight = rows - 2
        let left = min(44, max(34, columns * 3 / 10))
        let thumbRows = max(4, min(10, (rows - 2) / 4))
        reference = CellRect(row: bodyTop, column: 0, height: thumbRows + 3, width: left)
        referencePicture = CellRect(row: bodyTop + 1, column: 1, height: thumbRows, width: left - 2)
        parameters = CellRect(row: reference.bottom, column: 0, height: bodyHeight - reference.height, width: left)
        let right = columns - left
        let messagesHeight = rows >= 36 ? 7 : 5
        let timelineHeight = rows >= 36 ? 8 : 7
        messages = CellRect(row: bodyTop + bodyHeight - messagesHeight, column: left, height: messagesHeight, width: right)
        timeline = CellRect(row: messages.row - timelineHeight, column: left, height: timelineHeight, width: right)
        preview = CellRect(row: bodyTop, column: left, height: timeline.row - bodyTop, width: right)
        let inner = preview.inner
        scrubber = CellRect(row: inner.bottom - 1, column: inner.column, height: 1, width: inner.width)
        previewPicture = CellRect(row: inner.row, column: inner.column, height: inner.height - 2, width: inner.width)
        ruler = CellRect(row: timeline.inner.row, column: timeline.inner.column + 6, height: 1, width: timeline.inner.width - 7)
    }

    /// The panel under a cell, if any.
    public func panel(row: Int, column: Int) -> StudioState.Panel? {
        if reference.contains(row: row, column: column) { return .reference }
        if parameters.contains(row: row, column: column) { return .parameters }
        if preview.contains(row: row, column: column) { return .preview }
        if timeline.contains(row: row, column: column) { return .timeline }
        if messages.contains(row: row, column: column) { return .messages }
        return nil
    }

    /// The rectangle of a panel.
    public func rect(of panel: StudioState.Panel) -> CellRect {
        switch panel {
        case .reference: return reference
        case .parameters: return parameters
        case .timeline: return timeline
        case .preview: return preview
        case .messages: return messages
        }
    }

    /// Column of frame `f` of `count` on a bar of `width` cells starting at `column`.
    public static func column(ofFrame f: Int, count: Int, bar: CellRect) -> Int {
        guard count > 1, bar.width > 1 else { return bar.column }
        return bar.column + (f * (bar.width - 1) + (count - 1) / 2) / (count - 1)
    }

    /// The frame nearest a column on a bar.
    public static func frame(atColumn c: Int, count: Int, bar: CellRect) -> Int {
        guard count > 1, bar.width > 1 else { return 0 }
        let x = min(max(0, c - bar.column), bar.width - 1)
        return (x * (count - 1) + (bar.width - 1) / 2) / (bar.width - 1)
    }
}
