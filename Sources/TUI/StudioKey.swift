/// One input event, decoded from ncurses: a key, a mouse event or a resize. Pure value, so the state machine is
/// tested with these directly and never sees ncurses.
public enum StudioKey: Equatable, Sendable {
    /// A printable character (letters, digits, punctuation, space).
    case char(Character)
    /// A control chord, e.g. `.control("r")` for Ctrl-R.
    case control(Character)
    case up, down, left, right, shiftLeft, shiftRight, home, end, pageUp, pageDown
    case enter, escape, backspace, delete, tab, backTab
    /// A mouse event at a 0-based cell.
    case mouse(row: Int, column: Int, action: MouseAction)
    /// The terminal changed size.
    case resize

    /// What the mouse did.
    public enum MouseAction: Sendable, Equatable {
        case press, release, drag, wheelUp, wheelDown
    }

    /// A short name for help and tests: `a`, `C-r`, `Left`.
    public var name: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .control(let c): return "C-\(c)"
        case .mouse(let r, let c, let a): return "mouse \(a) \(r),\(c)"
        default: return "\(self)".capitalized
        }
    }
}
