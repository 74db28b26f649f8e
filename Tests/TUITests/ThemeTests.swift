import Foundation
import Testing
import TUI

@Suite("Themes")
struct ThemeTests {
    let shipped = TUITestSupport.repositoryRoot.appendingPathComponent("themes")

    @Test("every shipped theme loads and defines every role", arguments: ["dark", "light", "high-contrast", "ansi16"])
    func shippedThemes(name: String) throws {
        let theme = try Theme.load(from: shipped.appendingPathComponent(name + ".theme"))
        #expect(theme.name == name)
        #expect(Set(theme.colors.keys) == Set(Theme.Role.allCases), "\(name) misses \(Set(Theme.Role.allCases).subtracting(theme.colors.keys))")
    }

    @Test("the shipped dark theme is the built-in default")
    func darkIsDefault() throws {
        #expect(try Theme.load(from: shipped.appendingPathComponent("dark.theme")) == Theme.builtInDark)
    }

    @Test("ansi16 uses only the 16 palette entries")
    func ansi16() throws {
        let theme = try Theme.load(from: shipped.appendingPathComponent("ansi16.theme"))
        for (_, color) in theme.colors {
            guard case .palette(let i) = color else { Issue.record("\(color) is not a palette colour"); continue }
            #expect(i < 16)
        }
    }

    @Test("colour syntax: #RRGGBB, #GG grey, palette index; btop's theme[key] form")
    func syntax() throws {
        let t = try Theme.parse("""
        # comment
        theme[main_bg]="#0A0B0C"
        main_fg = "#7f"
        accent=200
        theme[cpu_box]="#123456"
        """, name: "t", path: "t.theme")
        #expect(t[.background] == .rgb(10, 11, 12))
        #expect(t[.foreground] == .rgb(127, 127, 127))
        #expect(t[.accent] == .palette(200))
        #expect(t[.error] == Theme.builtInDark[.error])  // missing keys fall back to the default
    }

    @Test("bad theme files give one line naming the file and line", arguments: [
        ("main_bg=\"#12345\"", "t.theme:1: \"#12345\" is not a colour for main_bg"),
        ("\n\nmain_fg=\"red\"", "t.theme:3: \"red\" is not a colour for main_fg"),
        ("main_bg \"#000000\"", "t.theme:1: expected key=\"#RRGGBB\""),
        ("accent=256", "t.theme:1: \"256\" is not a colour"),
        ("", "t.theme: no theme keys found"),
    ])
    func badThemes(text: String, expected: String) {
        do {
            _ = try Theme.parse(text, name: "t", path: "t.theme")
            Issue.record("parsed \(text.debugDescription)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test("resolve: the user's folder wins, a bad or unknown theme falls back to dark with a message")
    func resolve() throws {
        let config = try TUITestSupport.makeTemporaryDirectory()
        let userThemes = config.appendingPathComponent("zoetrope/themes")
        try FileManager.default.createDirectory(at: userThemes, withIntermediateDirectories: true)
        try Data("main_bg=\"#010203\"\n".utf8).write(to: userThemes.appendingPathComponent("light.theme"))
        try Data("main_bg=\"nope\"\n".utf8).write(to: userThemes.appendingPathComponent("broken.theme"))
        let folders = Theme.searchFolders(environment: ["XDG_CONFIG_HOME": config.path], shipped: shipped)
        let light = Theme.resolve("light", folders: folders)
        #expect(light.error == nil && light.theme[.background] == .rgb(1, 2, 3))
        let hc = Theme.resolve("high-contrast", folders: folders)
        #expect(hc.error == nil && hc.theme[.background] == .rgb(0, 0, 0))
        let broken = Theme.resolve("broken", folders: folders)
        #expect(broken.theme == Theme.builtInDark && broken.error?.line == 1)
        let missing = Theme.resolve("solarized", folders: folders)
        #expect(missing.theme == Theme.builtInDark && missing.error?.message.hasPrefix("no such theme") == true)
    }

    /// Expected indices computed from xterm's palette definition (cube levels 0,95,135,175,215,255; greys 8+10k).
    @Test("nearest xterm-256 colour", arguments: [
        (ThemeColor.rgb(0, 0, 0), 16), (.rgb(255, 255, 255), 231), (.rgb(255, 0, 0), 196),
        (.rgb(95, 135, 175), 67), (.rgb(128, 128, 128), 244), (.rgb(8, 8, 8), 232), (.palette(5), 5),
    ])
    func palette256(color: ThemeColor, expected: Int) {
        #expect(Int(color.palette256) == expected)
    }
}
