/// A one-line text input: the text and a cursor, edited by keys (printable characters insert; Backspace, Delete,
/// arrows, Home/End, C-a/C-e/C-u/C-w as in readline).
public struct TextField: Equatable, Sendable {
    /// The text.
    public var text: String
    /// Cursor position in characters, 0...text.count.
    public var cursor: Int
    /// Longest text accepted.
    public var limit: Int

    /// A field holding `text` with the cursor at its end.
    public init(_ text: String = "", limit: Int = 512) {
        self.text = String(text.prefix(limit))
        self.cursor = self.text.count
        self.limit = limit
    }

    /// Applies an editing key; returns false when the key is not an editing key (Enter, Escape, Tab...).
    public mutating func apply(_ key: StudioKey) -> Bool {
        var chars = Array(text)
        cursor = min(max(0, cursor), chars.count)
        switch key {
        case .char(let c):
            guard chars.count < limit, !c.isNewline else { return true }
            chars.insert(c, at: cursor); cursor += 1
        case .backspace:
            if cursor > 0 { chars.remove(at: cursor - 1); cursor -= 1 }
        case .delete:
            if cursor < chars.count { chars.remove(at: cursor) }
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(chars.count, cursor + 1)
        case .home, .control("a"): cursor = 0
        case .end, .control("e"): cursor = chars.count
        case .control("u"): chars.removeFirst(cursor); cursor = 0
        case .control("w"):
            var start = cursor
            while start > 0, chars[start - 1] == " " { start -= 1 }
            while start > 0, chars[start - 1] != " " { start -= 1 }
            chars.removeSubrange(start..<cursor); cursor = start
        default:
            return false
        }
        text = String(chars)
        return true
    }
}
