import Foundation

// MARK: - Command palette

extension StudioState {
    /// One palette entry.
    public struct Command: Sendable {
        public let title: String
        let run: @Sendable (inout StudioState) -> [StudioEffect]
    }

    /// Every command the palette offers (filtered by the typed text). `set NAME VALUE` and `frame N` are typed forms.
    public static let commands: [Command] = [
        Command(title: "export…") { $0.overlay = .export(selection: 0); return [] },
        Command(title: "pick reference image") { _ in [.openPicker(.reference)] },
        Command(title: "pick pose sequence") { _ in [.openPicker(.poses)] },
        Command(title: "regenerate") { _ in [.regenerate] },
        Command(title: "undo") { $0.undo() },
        Command(title: "redo") { $0.redo() },
        Command(title: "play / pause") { $0.togglePlay(); return [] },
        Command(title: "loop on / off") { $0.loops.toggle(); return [] },
        Command(title: "help") { $0.overlay = .help(scroll: 0); return [] },
        Command(title: "theme dark") { _ in [.theme("dark")] },
        Command(title: "theme light") { _ in [.theme("light")] },
        Command(title: "theme high-contrast") { _ in [.theme("high-contrast")] },
        Command(title: "theme ansi16") { _ in [.theme("ansi16")] },
        Command(title: "clear messages") { $0.messages.removeAll(); return [] },
        Command(title: "quit") { s in
            if s.export != nil { s.overlay = .confirmQuit; return [] }
            return [.quit]
        },
    ]

    /// Commands whose title contains every word typed (case-insensitive).
    public static func matchingCommands(_ text: String) -> [Command] {
        let words = text.lowercased().split(separator: " ")
        return commands.filter { c in words.allSatisfy { c.title.lowercased().contains($0) } }
    }

    mutating func handlePalette(_ key: StudioKey, field: TextField, selection: Int) -> [StudioEffect] {
        var field = field
        let matches = Self.matchingCommands(field.text)
        switch key {
        case .escape: overlay = nil; return [.redrawAll]
        case .up, .control("p"): overlay = .palette(field: field, selection: max(0, selection - 1))
        case .down, .control("n"), .tab: overlay = .palette(field: field, selection: min(max(0, matches.count - 1), selection + 1))
        case .enter:
            overlay = nil
            if let typed = runTyped(field.text) { return typed + [.redrawAll] }
            guard matches.indices.contains(selection) else {
                post(.warning, "no command matches \"\(field.text)\" (try: set steps 8, frame 3, theme light, export)")
                return [.redrawAll]
            }
            return matches[selection].run(&self) + [.redrawAll]
        default:
            if field.apply(key) { overlay = .palette(field: field, selection: 0) }
        }
        return []
    }

    /// `set NAME VALUE`, `frame N`, `theme NAME`; nil when the text is none of these.
    mutating func runTyped(_ text: String) -> [StudioEffect]? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let verb = parts.first?.lowercased() else { return nil }
        switch verb {
        case "set":
            guard parts.count >= 3 else { post(.error, "set: expected set NAME VALUE, e.g. set steps 8"); return [] }
            guard let p = StudioParameter.named(parts[1]), let index = StudioParameter.all.firstIndex(where: { $0.name == p.name }) else {
                post(.error, "set: no parameter \"\(parts[1])\" (names: \(StudioParameter.all.map(\.name).joined(separator: ", ")))")
                return []
            }
            switch p.parsed(parts[2...].joined(separator: " "), in: document, limits: limits) {
            case .success(let next):
                selectedParameter = index
                return edit("\(p.label) \(p.display(next, limits: limits))") { $0 = next }
            case .failure(let error):
                post(.error, error.description); return []
            }
        case "frame" where parts.count == 2:
            guard let f = Int(parts[1]) else { post(.error, "frame: \"\(parts[1])\" is not a frame number"); return [] }
            scrub(to: f); return []
        case "theme" where parts.count == 2 && !["dark", "light", "high-contrast", "ansi16"].contains(parts[1]):
            return [.theme(parts[1])]
        default:
            return nil
        }
    }
}
