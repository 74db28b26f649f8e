import Engine
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    @Test("values of every kind parse and keep member order")
    func parsesValues() throws {
        let v = try JSONParser.parse(#"{"z": 1, "a": [true, false, null], "s": "h\u00e9\n\ud83d\ude00", "n": -0.5e2}"#)
        let members = try #require(v.objectValue)
        #expect(members.map(\.key) == ["z", "a", "s", "n"])
        #expect(v["z"] == .integer(1))
        #expect(v["a"] == .array([.bool(true), .bool(false), .null]))
        #expect(v["s"]?.stringValue == "hé\n😀")
        #expect(v["n"] == .number(-50))
    }

    @Test("64-bit integers stay exact (seeds beyond 2^53)")
    func exactIntegers() throws {
        let v = try JSONParser.parse("[9007199254740993, -9223372036854775808, 18446744073709551616]")
        let items = try #require(v.arrayValue)
        #expect(items[0] == .integer(9_007_199_254_740_993))
        #expect(items[1] == .integer(Int64.min))
        #expect(items[2] == .number(18446744073709551616.0))  // beyond Int64: falls back to Double
    }

    @Test("serialise then parse gives the same value")
    func roundTrip() throws {
        let text = #"{"b": {"x": [1, 2.5, -3e-7], "y": "tab\there \"quoted\" \\ \u0001"}, "a": [], "c": {}, "d": [{"k": null}]}"#
        let v = try JSONParser.parse(text)
        for indent in [0, 2] {
            #expect(try JSONParser.parse(v.serialized(indent: indent)) == v)
        }
        #expect(JSONValue.number(0.1).serialized() == "0.1")
        #expect(JSONValue.number(3).serialized() == "3.0")
    }

    @Test("duplicate keys: kept with last-wins access, or rejected when asked")
    func duplicates() throws {
        let text = #"{"a": 1, "a": 2}"#
        #expect(try JSONParser.parse(text)["a"] == .integer(2))
        #expect(throws: JSONParser.SyntaxError(line: 1, column: 10, message: "duplicate key \"a\"")) {
            try JSONParser.parse(text, options: .init(rejectDuplicateKeys: true))
        }
    }

    /// Positions are 1-based characters; each expected position is where the offending text starts.
    @Test("syntax errors name the line and column", arguments: [
        ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7),          // missing ':' before 2
        ("[1, 2,, 3]", 1, 7),                          // second comma
        ("{\"é\": tru}", 1, 7),                         // bad literal starts at the t (é counts as one column)
        ("[1, 2", 1, 6),                                // end of file inside the array
        ("\"abc", 1, 1),                                // unterminated string points at its start
        ("01", 1, 1),                                   // leading zero
        ("{} x", 1, 4),                                 // trailing garbage
        ("", 1, 1),                                     // empty document
    ])
    func errorPositions(text: String, line: Int, column: Int) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("\(text.debugDescription) parsed but should not")
        } catch {
            #expect(error.line == line && error.column == column, "\(text.debugDescription): \(error)")
        }
    }

    @Test("hostile nesting is refused, not a stack overflow")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test("invalid UTF-8 inside a string is an error")
    func invalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(bytes) }
    }
}
