#if canImport(Glibc)
import Glibc
#endif
import CNcursesw
import Foundation

/// The terminal through ncurses: set-up and tear-down, theme colours, the ``Surface`` the view draws on, decoded
/// keys, and raw writes (pictures) after `doupdate`. Used only by the main thread.
final class CursesScreen: Surface {
    private(set) var rows = 0, columns = 0
    private var pairsReady = false
    private var isOpen = false

    /// Starts ncurses on the terminal (stdin/stdout): raw keys, no echo, keypad, mouse, colours from `theme`.
    init(theme: Theme, mouse: Bool) {
        setlocale(LC_ALL, "")
        set_escdelay(25)
        initscr()
        isOpen = true
        raw()
        noecho()
        nonl()
        keypad(zt_stdscr(), true)
        nodelay(zt_stdscr(), true)
        intrflush(zt_stdscr(), false)
        leaveok(zt_stdscr(), true)
        scrollok(zt_stdscr(), false)
        curs_set(0)
        if mouse {
            mouseinterval(0)
            _ = mousemask(zt_button1_pressed() | zt_button1_released() | zt_button4_pressed() | zt_button5_pressed()
                          | zt_report_mouse_position(), nil)
        }
        if has_colors() {
            start_color()
            use_default_colors()
        }
        apply(theme: theme)
        updateSize()
    }

    /// Reads the size ncurses has now.
    func updateSize() {
        var y: Int32 = 0, x: Int32 = 0
        zt_getmaxyx(zt_stdscr(), &y, &x)
        rows = Int(y); columns = Int(x)
    }

    /// Defines one colour pair per ``Style`` from the theme (palette colours on terminals without 256 colours are
    /// mapped onto the 8 or 16 they have).
    func apply(theme: Theme) {
        guard has_colors() else { return }
        let colors = Int(zt_colors())
        func index(_ c: ThemeColor) -> Int16 {
            if colors >= 256 { return Int16(c.palette256) }
            switch c {
            case .palette(let i): return Int16(Int(i) % max(colors, 1))
            case .rgb(let r, let g, let b):
                // Nearest of the 8 basic colours (bright variants when 16 are available and the colour is light).
                let bits = (r > 127 ? 1 : 0) | (g > 127 ? 2 : 0) | (b > 127 ? 4 : 0)
                let bright = colors >= 16 && Int(r) + Int(g) + Int(b) > 3 * 170
                return Int16(bits + (bright ? 8 : 0))
            }
        }
        for style in Style.allCases {
            let roles = style.roles
            init_pair(Int16(style.rawValue), index(theme[roles.foreground]), index(theme[roles.background]))
        }
        pairsReady = true
        wbkgdset(zt_stdscr(), chtype(zt_color_pair(Int32(Style.normal.rawValue))) | chtype(UInt8(ascii: " ")))
    }

    private func attributes(_ style: Style) -> attr_t {
        var a: attr_t = pairsReady ? zt_color_pair(Int32(style.rawValue)) : 0
        if style.roles.bold { a |= zt_a_bold() }
        if !pairsReady && (style == .selection || style == .status || style == .titleBar || style == .field) { a |= zt_a_reverse() }
        return a
    }

    func put(_ text: String, row: Int, column: Int, style: Style, maxWidth: Int?) {
        guard row >= 0, row < rows, column < columns else { return }
        var start = column
        var chars = Array(text)
        if start < 0 { chars.removeFirst(min(chars.count, -start)); start = 0 }
        let limit = min(columns - start, maxWidth ?? Int.max)
        guard limit > 0 else { return }
        if chars.count > limit { chars.removeLast(chars.count - limit) }
        // The bottom-right cell would scroll a terminal without auto-margin control: never write it.
        if row == rows - 1, start + chars.count >= columns { chars = Array(chars.prefix(max(0, columns - 1 - start))) }
        guard !chars.isEmpty else { return }
        wattrset(zt_stdscr(), Int32(bitPattern: UInt32(truncatingIfNeeded: attributes(style))))
        _ = mvwaddstr(zt_stdscr(), Int32(row), Int32(start), String(chars))
    }

    func fill(_ rect: CellRect, style: Style) {
        let width = min(rect.width, columns - rect.column)
        guard width > 0 else { return }
        let blank = String(repeating: " ", count: width)
        for r in max(0, rect.row)..<min(rows, rect.bottom) { put(blank, row: r, column: rect.column, style: style, maxWidth: nil) }
    }

    /// Forgets what is on the screen, so the next ``present()`` repaints every cell (after pictures were removed).
    func invalidate() {
        clearok(zt_curscr(), true)
    }

    /// Sends the drawn cells to the terminal.
    func present() {
        wnoutrefresh(zt_stdscr())
        doupdate()
    }

    /// Erases the drawing buffer (before drawing a new frame of the screen).
    func erase() {
        werase(zt_stdscr())
    }

    /// Decodes every key waiting (never blocks).
    func readKeys() -> [StudioKey] {
        var keys: [StudioKey] = []
        while keys.count < 4096 {
            var ch: wint_t = 0
            let rc = wget_wch(zt_stdscr(), &ch)
            if rc == ERR { break }
            if rc == zt_key_code_yes() {
                if let key = decodeFunctionKey(Int32(ch)) { keys.append(key) }
            } else if let key = decodeCharacter(UInt32(ch)) {
                keys.append(key)
            }
        }
        return keys
    }

    private func decodeCharacter(_ c: UInt32) -> StudioKey? {
        switch c {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 127, 8: return .backspace
        case 1...26: return .control(Character(UnicodeScalar(UInt8(c) + 96)))
        case 0, 28...31: return nil
        default:
            guard let scalar = UnicodeScalar(c) else { return nil }
            return .char(Character(scalar))
        }
    }

    private func decodeFunctionKey(_ code: Int32) -> StudioKey? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_SLEFT: return .shiftLeft
        case KEY_SRIGHT: return .shiftRight
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case zt_key_resize():
            updateSize()
            return .resize
        case zt_key_mouse():
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            let row = Int(event.y), column = Int(event.x)
            let state = event.bstate
            if state & zt_button4_pressed() != 0 { return .mouse(row: row, column: column, action: .wheelUp) }
            if state & zt_button5_pressed() != 0 { return .mouse(row: row, column: column, action: .wheelDown) }
            if state & zt_button1_pressed() != 0 { return .mouse(row: row, column: column, action: .press) }
            if state & zt_button1_released() != 0 { return .mouse(row: row, column: column, action: .release) }
            if state & zt_report_mouse_position() != 0 { return .mouse(row: row, column: column, action: .drag) }
            return nil
        default: return nil
        }
    }

    /// Ends ncurses and puts the terminal back as it was (idempotent).
    func close() {
        guard isOpen else { return }
        isOpen = false
        _ = mousemask(0, nil)
        curs_set(1)
        endwin()
    }
}
