/// Every key binding, grouped as the `?` help overlay lists them. The state machine's handlers implement exactly
/// these; a test checks that each listed key does something.
public enum KeyBindings {
    /// One line of help.
    public struct Binding: Sendable {
        public let keys: String
        public let action: String
    }

    /// Groups in display order.
    public static let groups: [(title: String, bindings: [Binding])] = [
        ("Everywhere", [
            Binding(keys: "Tab / S-Tab, 1-5", action: "next / previous panel; go to panel 1-5"),
            Binding(keys: "Space", action: "play / pause"),
            Binding(keys: ", .  Home End", action: "previous / next frame; first / last frame"),
            Binding(keys: "o", action: "loop playback on / off"),
            Binding(keys: "u  C-r", action: "undo / redo"),
            Binding(keys: "R  P", action: "pick a reference image / a pose sequence"),
            Binding(keys: "E", action: "export dialog"),
            Binding(keys: "g", action: "regenerate now"),
            Binding(keys: "?", action: "this help"),
            Binding(keys: ":", action: "command palette (type to filter, Enter runs; \"set steps 8\")"),
            Binding(keys: "q  C-c", action: "quit (asks while an export runs)"),
            Binding(keys: "mouse", action: "click / drag the scrubber; click a keyframe or the ruler; wheel scrubs"),
        ]),
        ("1 Reference", [
            Binding(keys: "Enter", action: "pick another reference image"),
        ]),
        ("2 Parameters", [
            Binding(keys: "↑ ↓  k j", action: "select a parameter"),
            Binding(keys: "← →  h l", action: "decrease / increase (choices cycle)"),
            Binding(keys: "H L  S-← S-→", action: "decrease / increase by ten steps"),
            Binding(keys: "Enter", action: "type a value (Enter sets, Esc cancels)"),
        ]),
        ("3 Timeline", [
            Binding(keys: "← →  h l", action: "select the previous / next prompt keyframe"),
            Binding(keys: "a", action: "add a keyframe at the playhead and type its prompt"),
            Binding(keys: "Enter  e", action: "edit the keyframe's prompt"),
            Binding(keys: "d  Delete", action: "delete the keyframe"),
            Binding(keys: "< >  H L", action: "move the keyframe one frame earlier / later"),
            Binding(keys: "i", action: "interpolation lerp / slerp"),
            Binding(keys: "[ ]", action: "hold ratio down / up"),
            Binding(keys: "w", action: "wrap around on / off"),
        ]),
        ("4 Preview", [
            Binding(keys: "← →  h l", action: "previous / next frame"),
        ]),
        ("5 Messages", [
            Binding(keys: "↑ ↓  k j", action: "scroll"),
            Binding(keys: "c", action: "clear messages"),
        ]),
        ("File picker", [
            Binding(keys: "type", action: "filter by name"),
            Binding(keys: "↑ ↓  Enter", action: "move; open a folder or choose a file"),
            Binding(keys: "← / Backspace", action: "up one folder (when the filter is empty)"),
            Binding(keys: "Esc", action: "close"),
        ]),
        ("Export dialog", [
            Binding(keys: "↑ ↓", action: "select a field"),
            Binding(keys: "← →", action: "change it; Enter on Path types a path"),
            Binding(keys: "Enter on Export", action: "write the file, then check its frame count"),
            Binding(keys: "Esc", action: "close (an export keeps running)"),
        ]),
    ]

    /// The help overlay's lines.
    public static var helpLines: [String] {
        var lines: [String] = []
        for (title, bindings) in groups {
            lines.append(title)
            for b in bindings { lines.append("  " + b.keys.padding(toLength: 16, withPad: " ", startingAt: 0) + " " + b.action) }
            lines.append("")
        }
        return lines
    }
}
