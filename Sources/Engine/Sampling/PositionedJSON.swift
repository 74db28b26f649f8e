/// A JSON value that remembers where it was written and keeps duplicate object keys in order — what a prompt schedule
/// parser needs to report "file:line:column" and "duplicate key" (Foundation's JSON reader keeps neither).
indirect enum PositionedJSON {
    case object([(key: String, keyPosition: TextPosition, value: PositionedJSON)], TextPosition)
    case array([PositionedJSON], TextPosition)
    case string(String, TextPosition)
    case number(Double, String, TextPosition)
    case bool(Bool, TextPosition)
    case null(TextPosition)

    var position: TextPosition {
        switch self {
        case .object(_, let p), .array(_, let p), .string(_, let p), .number(_, _, let p), .bool(_, let p), .null(let p):
            return p
        }
    }

    /// What kind of value this is, for messages.
    var kindName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "true/false"
        case .null: return "null"
        }
    }
}

/// A syntax error at a position.
struct JSONSyntaxError: Error {
    var position: TextPosition
    var message: String
}

/// A small JSON reader over characters with line/column tracking. Also reads a bare member list
/// (`"0": "a", "16": "b"` — FizzNodes' schedule text) with `parseBareMembers()`.
struct PositionedJSONParser {
    private let characters: [Character]
    private var index = 0
    private var line = 1
    private var column = 1
    private var depth = 0

    init(_ text: String) { characters = Array(text) }

    var position: TextPosition { TextPosition(line: line, column: column) }

    private var current: Character? { index < characters.count ? characters[index] : nil }

    private mutating func advance() {
        guard let c = current else { return }
        index += 1
        if c == "\n" || c == "\r\n" { line += 1; column = 1 } else { column += 1 }
    }

    private mutating func skipWhitespace() {
        while let c = current, c.isWhitespace { advance() }
    }

    private func fail(_ message: String) -> JSONSyntaxError { JSONSyntaxError(position: position, message: message) }

    private func describe(_ c: Character?) -> String {
        guard let c else { return "the end of the file" }
        return "'\(c)'"
    }

    /// Parses one JSON document.
    mutating func parseDocument() throws -> PositionedJSON {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if current != nil { throw fail("unexpected \(describe(current)) after the JSON value") }
        return value
    }

    /// Parses `"key": value` pairs separated by commas up to the end of the text (trailing comma allowed).
    mutating func parseBareMembers() throws -> [(key: String, keyPosition: TextPosition, value: PositionedJSON)] {
        var members: [(key: String, keyPosition: TextPosition, value: PositionedJSON)] = []
        skipWhitespace()
        while current != nil {
            members.append(try parseMember())
            skipWhitespace()
            if current == "," { advance(); skipWhitespace(); continue }
            if current != nil { throw fail("expected ',' between entries, found \(describe(current))") }
        }
        return members
    }

    private mutating func parseMember() throws -> (key: String, keyPosition: TextPosition, value: PositionedJSON) {
        let keyPosition = position
        guard current == "\"" else {
            throw fail("expected a quoted key such as \"16\", found \(describe(current))")
        }
        let key = try parseString()
        skipWhitespace()
        guard current == ":" else { throw fail("expected ':' after the key \"\(key)\", found \(describe(current))") }
        advance()
        skipWhitespace()
        let value = try parseValue()
        return (key, keyPosition, value)
    }

    private mutating func parseValue() throws -> PositionedJSON {
        let start = position
        depth += 1
        defer { depth -= 1 }
        guard depth <= 200 else { throw fail("nesting deeper than 200 levels") }
        switch current {
        case "{":
            advance(); skipWhitespace()
            var members: [(key: String, keyPosition: TextPosition, value: PositionedJSON)] = []
            if current == "}" { advance(); return .object(members, start) }
            while true {
                members.append(try parseMember())
                skipWhitespace()
                if current == "," {
                    advance(); skipWhitespace()
                    if current == "}" { advance(); return .object(members, start) }  // trailing comma
                    continue
                }
                if current == "}" { advance(); return .object(members, start) }
                throw fail("expected ',' or '}' in the object, found \(describe(current))")
            }
        case "[":
            advance(); skipWhitespace()
            var items: [PositionedJSON] = []
            if current == "]" { advance(); return .array(items, start) }
            while true {
                items.append(try parseValue())
                skipWhitespace()
                if current == "," { advance(); skipWhitespace(); continue }
                if current == "]" { advance(); return .array(items, start) }
                throw fail("expected ',' or ']' in the array, found \(describe(current))")
            }
        case "\"":
            return .string(try parseString(), start)
        case "t", "f", "n":
            var word = ""
            while let c = current, c.isLetter { word.append(c); advance() }
            switch word {
            case "true": return .bool(true, start)
            case "false": return .bool(false, start)
            case "null": return .null(start)
            default: throw JSONSyntaxError(position: start, message: "unexpected word '\(word)'")
            }
        case let c? where c == "-" || c.isASCII && c.isNumber:
            var text = ""
            while let c = current, c == "-" || c == "+" || c == "." || c == "e" || c == "E" || (c.isASCII && c.isNumber) {
                text.append(c); advance()
            }
            guard let value = Double(text) else { throw JSONSyntaxError(position: start, message: "bad number '\(text)'") }
            return .number(value, text, start)
        default:
            throw fail("expected a value, found \(describe(current))")
        }
    }

    private mutating func parseString() throws -> String {
        let start = position
        advance()  // opening quote
        var result = ""
        while true {
            guard let c = current else {
                throw JSONSyntaxError(position: start, message: "unterminated string (missing closing '\"')")
            }
            if c == "\"" { advance(); return result }
            if c == "\n" { throw JSONSyntaxError(position: start, message: "unterminated string (line break before the closing '\"')") }
            if c == "\\" {
                advance()
                guard let e = current else { continue }
                switch e {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                case "b": result.append("\u{8}")
                case "f": result.append("\u{c}")
                case "u":
                    var hex = ""
                    for _ in 0..<4 { advance(); if let h = current { hex.append(h) } }
                    guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                        throw fail("bad \\u escape '\\u\(hex)'")
                    }
                    result.unicodeScalars.append(scalar)
                default: result.append(e)
                }
                advance()
                continue
            }
            result.append(c)
            advance()
        }
    }
}
