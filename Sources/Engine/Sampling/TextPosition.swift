/// A line and column (1-based) in a text file.
public struct TextPosition: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column (in characters).
    public var column: Int
    /// "line:column".
    public var description: String { "\(line):\(column)" }
}
