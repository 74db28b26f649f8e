/// A strict JSON parser (RFC 8259) over UTF-8 bytes that reports errors with line and column.
///
/// Limitations: numbers keep 64-bit integers exactly and parse everything else as Double; nesting is limited by
/// `Options.maxDepth` so hostile input cannot exhaust the stack.
public struct JSONParser {
    /// What the parser accepts.
    public struct Options: Sendable {
        /// Reject an object that names the same key twice (safetensors headers); otherwise keep both, last wins.
        public var rejectDuplicateKeys = false
        /// Deepest nesting of arrays and objects accepted.
        public var maxDepth = 256
        public init(rejectDuplicateKeys: Bool = false, maxDepth: Int = 256) {
            self.rejectDuplicateKeys = rejectDuplicateKeys
            self.maxDepth = maxDepth
        }
    }

    /// A syntax error at a 1-based line and column.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var message: String
        /// `line 3, column 14: expected ',' or '}' after an object member`
        public var description: String { "line \(line), column \(column): \(message)" }
        public init(line: Int, column: Int, message: String) { self.line = line; self.column = column; self.message = message }
    }

    /// Parses one JSON document (surrounding whitespace allowed, a UTF-8 byte order mark skipped).
    public static func parse(_ bytes: some Collection<UInt8>, options: Options = Options()) throws(SyntaxError) -> JSONValue {
        let array = Array(bytes)
        var parser = Cursor(bytes: array, options: options)
        if array.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        parser.skipWhitespace()
        if parser.index == array.count { throw parser.error("the document is empty (expected a JSON value)") }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index != array.count { throw parser.error("unexpected text after the end of the JSON value") }
        return value
    }

    /// Parses a JSON document from a string.
    public static func parse(_ text: String, options: Options = Options()) throws(SyntaxError) -> JSONValue {
        try parse(Array(text.utf8), options: options)
    }

    private struct Cursor {
        let bytes: [UInt8]
        let options: Options
        var index = 0

        init(bytes: [UInt8], options: Options) { self.bytes = bytes; self.options = options }

        /// An error at the current position (line and column counted in characters, 1-based).
        func error(_ message: String, at position: Int? = nil) -> SyntaxError {
            let end = min(position ?? index, bytes.count)
            var line = 1, column = 1
            var i = 0
            while i < end {
                if bytes[i] == 0x0A { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
                i += 1
            }
            return SyntaxError(line: line, column: column, message: message)
        }

        mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        func describeCurrent() -> String {
            guard index < bytes.count else { return "the end of the file" }
            let b = bytes[index]
            if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
            return "byte 0x\(String(b, radix: 16))"
        }

        mutating func parseValue(depth: Int) throws(SyntaxError) -> JSONValue {
            guard depth < options.maxDepth else { throw error("nesting deeper than \(options.maxDepth) levels") }
            guard index < bytes.count else { throw error("unexpected end of the file (expected a value)") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth)
            case UInt8(ascii: "["): return try parseArray(depth: depth)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectWord("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
            default: throw error("expected a value, found \(describeCurrent())")
            }
        }

        mutating func expectWord(_ word: String) throws(SyntaxError) {
            let start = index
            for b in word.utf8 {
                guard index < bytes.count, bytes[index] == b else { throw error("invalid literal (expected \(word))", at: start) }
                index += 1
            }
        }

        mutating func parseObject(depth: Int) throws(SyntaxError) -> JSONValue {
            index += 1  // {
            var members: [(key: String, value: JSONValue)] = []
            var seen = Set<String>()
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw error("expected a quoted member name, found \(describeCurrent())")
                }
                let keyStart = index
                let key = try parseString()
                if options.rejectDuplicateKeys {
                    if seen.contains(key) { throw error("duplicate key \"\(key)\"", at: keyStart) }
                    seen.insert(key)
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                    throw error("expected ':' after member name \"\(key)\", found \(describeCurrent())")
                }
                index += 1
                skipWhitespace()
                let value = try parseValue(depth: depth + 1)
                members.append((key, value))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of the file inside an object (missing '}')") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw error("expected ',' or '}' after the value of \"\(key)\", found \(describeCurrent())")
            }
        }

        mutating func parseArray(depth: Int) throws(SyntaxError) -> JSONValue {
            index += 1  // [
            var items: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of the file inside an array (missing ']')") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw error("expected ',' or ']' in an array, found \(describeCurrent())")
            }
        }

        mutating func parseString() throws(SyntaxError) -> String {
            let start = index
            index += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            var runStart = index
            func flushRun(_ cursor: Cursor, upTo end: Int, into scalars: inout String.UnicodeScalarView) throws(SyntaxError) {
                guard end > runStart else { return }
                guard let text = String(validating: cursor.bytes[runStart..<end], as: UTF8.self) else {
                    throw cursor.error("invalid UTF-8 in a string", at: runStart)
                }
                scalars.append(contentsOf: text.unicodeScalars)
            }
            while true {
                guard index < bytes.count else { throw error("unterminated string (missing closing quote)", at: start) }
                let b = bytes[index]
                if b == UInt8(ascii: "\"") {
                    try flushRun(self, upTo: index, into: &scalars)
                    index += 1
                    return String(scalars)
                }
                if b < 0x20 { throw error("control character in a string (escape it, e.g. \\n)") }
                if b != UInt8(ascii: "\\") { index += 1; continue }
                try flushRun(self, upTo: index, into: &scalars)
                index += 1
                guard index < bytes.count else { throw error("unterminated escape in a string") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired UTF-16 surrogate in a \\u escape")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid low surrogate in a \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(code) {
                        throw error("unpaired UTF-16 surrogate in a \\u escape")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    scalars.append(scalar)
                default:
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string", at: index - 2)
                }
                runStart = index
            }
        }

        mutating func parseHex4() throws(SyntaxError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[index]
                let digit: UInt32
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
                default: throw error("invalid hex digit in a \\u escape")
                }
                value = value * 16 + digit
                index += 1
            }
            return value
        }

        mutating func parseNumber() throws(SyntaxError) -> JSONValue {
            let start = index
            var isInteger = true
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            func digits(_ c: inout Cursor) -> Int {
                let s = c.index
                while c.index < c.bytes.count, c.bytes[c.index] >= 0x30, c.bytes[c.index] <= 0x39 { c.index += 1 }
                return c.index - s
            }
            guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else {
                throw error("invalid number (expected a digit)", at: start)
            }
            if bytes[index] == 0x30 {
                index += 1
                if index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                    throw error("invalid number (leading zero)", at: start)
                }
            } else {
                _ = digits(&self)
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                if digits(&self) == 0 { throw error("invalid number (expected digits after '.')", at: start) }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                isInteger = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                if digits(&self) == 0 { throw error("invalid number (expected digits in the exponent)", at: start) }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isInteger, let i = Int64(text) { return .integer(i) }
            guard let d = Double(text), d.isFinite else { throw error("number \(text) is out of range", at: start) }
            return .number(d)
        }
    }
}
