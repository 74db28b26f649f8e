/// A keyframe key of a prompt schedule: a frame number, a simple arithmetic expression (`4*8`, `(16+8)/2`), a negative
/// index counted from the end (`-1` = last frame), or a decimal fraction of the clip (`0.5` = the middle).
///
/// Matches: FizzNodes (`int(numexpr.evaluate(key))`: truncation toward zero) for integer expressions;
/// AnimateDiff-Evolved `validate_index` for negative (length + index) and decimal keys (`int(x · length)`, 1.0 = last).
enum KeyframeExpression {
    /// The resolved key: the raw frame (possibly outside the clip) and whether it was a decimal fraction.
    struct Value: Equatable {
        var frame: Int
        var isFraction: Bool
    }

    /// Evaluates `text` for a clip of `frameCount` frames. Returns nil when it is not a valid key.
    static func evaluate(_ text: String, frameCount: Int) -> Value? {
        var parser = Parser(Array(text.filter { !$0.isWhitespace }))
        guard let value = parser.parseExpression(), parser.isAtEnd, value.isFinite else { return nil }
        if parser.sawDecimalPoint {
            guard value >= 0 && value <= 1 else { return nil }
            if abs(value - 1) <= 1e-9 { return Value(frame: frameCount - 1, isFraction: true) }
            return Value(frame: Int((value * Double(frameCount)).rounded(.down)), isFraction: true)
        }
        guard abs(value) < 1e9 else { return nil }
        let frame = Int(value.rounded(.towardZero))
        return Value(frame: frame < 0 ? frameCount + frame : frame, isFraction: false)
    }

    /// expr := term (('+'|'-') term)* ; term := factor (('*'|'/'|'%') factor)* ; factor := ('+'|'-') factor | number | '(' expr ')'
    struct Parser {
        let characters: [Character]
        var index = 0
        var sawDecimalPoint = false
        var depth = 0

        init(_ characters: [Character]) { self.characters = characters }

        var isAtEnd: Bool { index == characters.count }
        var current: Character? { index < characters.count ? characters[index] : nil }

        mutating func parseExpression() -> Double? {
            guard var value = parseTerm() else { return nil }
            while let c = current, c == "+" || c == "-" {
                index += 1
                guard let rhs = parseTerm() else { return nil }
                value = c == "+" ? value + rhs : value - rhs
            }
            return value
        }

        mutating func parseTerm() -> Double? {
            guard var value = parseFactor() else { return nil }
            while let c = current, c == "*" || c == "/" || c == "%" {
                index += 1
                guard let rhs = parseFactor() else { return nil }
                switch c {
                case "*": value *= rhs
                case "/": guard rhs != 0 else { return nil }; value /= rhs
                default: guard rhs != 0 else { return nil }; value = value - rhs * (value / rhs).rounded(.down)
                }
            }
            return value
        }

        mutating func parseFactor() -> Double? {
            guard let c = current else { return nil }
            if c == "-" || c == "+" {
                index += 1
                guard let value = parseFactor() else { return nil }
                return c == "-" ? -value : value
            }
            if c == "(" {
                depth += 1
                guard depth < 64 else { return nil }
                index += 1
                guard let value = parseExpression(), current == ")" else { return nil }
                index += 1
                depth -= 1
                return value
            }
            var text = ""
            while let d = current, d.isASCII && (d.isNumber || d == ".") {
                text.append(d)
                index += 1
            }
            if text.contains(".") { sawDecimalPoint = true }
            return text.isEmpty ? nil : Double(text)
        }
    }
}
