import Foundation

/// The studio's colours, read from btop-style theme files: one `key="#RRGGBB"` per line (`theme[key]="..."` also
/// accepted), `#` comments. A value is `#RRGGBB`, `#GG` (a grey level, as in btop) or a palette index `0`–`255` for
/// terminals with 16 or 256 colours.
public struct Theme: Sendable, Equatable {
    /// The theme's name (the file name without `.theme`).
    public var name: String
    /// Colour of each role.
    public var colors: [Role: ThemeColor]

    /// What a colour is used for.
    public enum Role: String, Sendable, CaseIterable {
        case background = "main_bg"
        case foreground = "main_fg"
        case title
        case border = "div_line"
        case borderFocused = "hi_fg"
        case selectionBackground = "selected_bg"
        case selectionForeground = "selected_fg"
        case muted = "inactive_fg"
        case accent
        case statusBackground = "status_bg"
        case statusForeground = "status_fg"
        case progress
        case keyframe
        case playhead
        case ok
        case warning
        case error
    }

    /// The colour for a role (every role has one: missing keys fall back to the default theme's).
    public subscript(role: Role) -> ThemeColor { colors[role] ?? Theme.builtInDark.colors[role] ?? .rgb(255, 255, 255) }
}

/// One theme colour: 24-bit, or an index into the terminal's palette.
public enum ThemeColor: Sendable, Equatable, Hashable {
    case rgb(UInt8, UInt8, UInt8)
    case palette(UInt8)

    /// Parses `#RRGGBB`, `#GG` or `0`...`255`; nil if the text is none of these.
    public init?(text: String) {
        if text.hasPrefix("#") {
            let hex = text.dropFirst()
            guard hex.allSatisfy(\.isHexDigit) else { return nil }
            switch hex.count {
            case 6:
                guard let v = UInt32(hex, radix: 16) else { return nil }
                self = .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
            case 2:
                guard let g = UInt8(hex, radix: 16) else { return nil }
                self = .rgb(g, g, g)
            default: return nil
            }
        } else if let index = UInt8(text), !text.isEmpty, text.allSatisfy(\.isASCII) {
            self = .palette(index)
        } else {
            return nil
        }
    }

    /// The nearest entry of the xterm 256-colour palette (for terminals without true colour).
    public var palette256: UInt8 {
        switch self {
        case .palette(let i): return i
        case .rgb(let r, let g, let b):
            // 6×6×6 cube levels 0, 95, 135, 175, 215, 255, and 24 greys 8, 18, ..., 238.
            func cubeIndex(_ v: UInt8) -> Int { v < 48 ? 0 : v < 115 ? 1 : (Int(v) - 35) / 40 }
            let levels = [0, 95, 135, 175, 215, 255]
            let (ri, gi, bi) = (cubeIndex(r), cubeIndex(g), cubeIndex(b))
            func dist(_ a: (Int, Int, Int)) -> Int {
                let dr = a.0 - Int(r), dg = a.1 - Int(g), db = a.2 - Int(b)
                return dr * dr + dg * dg + db * db
            }
            let cube = (levels[ri], levels[gi], levels[bi])
            let mean = (Int(r) + Int(g) + Int(b)) / 3
            let greyIndex = max(0, min(23, (mean - 3) / 10))
            let grey = 8 + 10 * greyIndex
            return dist((grey, grey, grey)) < dist(cube) ? UInt8(232 + greyIndex) : UInt8(16 + 36 * ri + 6 * gi + bi)
        }
    }
}

/// A theme file could not be used; the studio shows this line and falls back to the default theme.
public struct ThemeError: Error, Sendable, CustomStringConvertible, Equatable {
    public var path: String
    public var line: Int
    public var message: String
    /// `themes/x.theme:4: "#12345" is not a colour (use "#RRGGBB", "#GG" or 0-255)`
    public var description: String { line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)" }
}

// MARK: - Parsing

extension Theme {
    /// Parses theme text. Unknown keys are ignored (btop themes carry many), so a btop theme file works as is;
    /// a malformed line or a bad colour is an error naming the line.
    public static func parse(_ text: String, name: String, path: String) throws(ThemeError) -> Theme {
        var colors: [Role: ThemeColor] = [:]
        var known = 0
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ThemeError(path: path, line: number + 1, message: "expected key=\"#RRGGBB\", found \"\(line.prefix(40))\"")
            }
            var key = line[..<eq].trimmingCharacters(in: .whitespaces)
            if key.hasPrefix("theme["), key.hasSuffix("]") { key = String(key.dropFirst(6).dropLast()) }
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard let role = Role(rawValue: key) else { continue }
            if value.isEmpty { continue }  // btop: an empty value means "use the default"
            guard let color = ThemeColor(text: value) else {
                throw ThemeError(path: path, line: number + 1,
                                 message: "\"\(value)\" is not a colour for \(key) (use \"#RRGGBB\", \"#GG\" or 0-255)")
            }
            colors[role] = color
            known += 1
        }
        if known == 0 {
            throw ThemeError(path: path, line: 0, message: "no theme keys found (expected lines like main_bg=\"#1E1E2E\")")
        }
        return Theme(name: name, colors: colors)
    }

    /// Reads a theme file.
    public static func load(from url: URL) throws(ThemeError) -> Theme {
        let name = url.deletingPathExtension().lastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ThemeError(path: url.path, line: 0, message: "no such theme file")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ThemeError(path: url.path, line: 0, message: "cannot be read (permission denied?)")
        }
        guard data.count < 1 << 20, let text = String(data: data, encoding: .utf8) else {
            throw ThemeError(path: url.path, line: 0, message: "not a UTF-8 text file under 1 MB")
        }
        return try parse(text, name: name, path: url.path)
    }

    /// The folders searched for `NAME.theme`, first match wins: the user's (`$XDG_CONFIG_HOME/zoetrope/themes`,
    /// default `~/.config/zoetrope/themes`), then the shipped `themes/` folder.
    public static func searchFolders(environment: [String: String], shipped: URL) -> [URL] {
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
        return [config.appendingPathComponent("zoetrope/themes"), shipped]
    }

    /// Finds and loads a theme by name or path. On any problem returns the built-in dark theme and the error, so the
    /// studio can show the message and carry on.
    public static func resolve(_ nameOrPath: String, folders: [URL]) -> (theme: Theme, error: ThemeError?) {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") {
            do { return (try load(from: URL(fileURLWithPath: nameOrPath)), nil) } catch { return (.builtInDark, error) }
        }
        for folder in folders {
            let url = folder.appendingPathComponent(nameOrPath + ".theme")
            if FileManager.default.fileExists(atPath: url.path) {
                do { return (try load(from: url), nil) } catch { return (.builtInDark, error) }
            }
        }
        if nameOrPath == "dark" { return (.builtInDark, nil) }
        let searched = folders.map(\.path).joined(separator: ", ")
        return (.builtInDark, ThemeError(path: nameOrPath, line: 0, message: "no such theme (looked in \(searched)); using dark"))
    }

    /// The default theme, compiled in so the studio has colours even without its themes folder.
    public static let builtInDark = Theme(name: "dark", colors: [
        .background: .rgb(0x16, 0x18, 0x1D), .foreground: .rgb(0xD8, 0xDE, 0xE9), .title: .rgb(0xEE, 0xF1, 0xF6),
        .border: .rgb(0x3B, 0x42, 0x52), .borderFocused: .rgb(0x88, 0xC0, 0xD0),
        .selectionBackground: .rgb(0x2E, 0x4A, 0x62), .selectionForeground: .rgb(0xFF, 0xFF, 0xFF),
        .muted: .rgb(0x6B, 0x73, 0x85), .accent: .rgb(0x88, 0xC0, 0xD0),
        .statusBackground: .rgb(0x23, 0x27, 0x31), .statusForeground: .rgb(0xD8, 0xDE, 0xE9),
        .progress: .rgb(0xA3, 0xBE, 0x8C), .keyframe: .rgb(0xEB, 0xCB, 0x8B), .playhead: .rgb(0xBF, 0x61, 0x6A),
        .ok: .rgb(0xA3, 0xBE, 0x8C), .warning: .rgb(0xEB, 0xCB, 0x8B), .error: .rgb(0xBF, 0x61, 0x6A),
    ])
}
