#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks a terminal what it can show, within a total timeout (200 ms by default), through file descriptors the
/// caller passes (so tests can hand it a pseudo-terminal; it never touches stdout on its own).
///
/// Order: TIOCGWINSZ on `output` (cells and, where the terminal fills them, pixels); then, with `input` in
/// non-canonical no-echo mode, the queries `CSI ? 1 ; 1 ; 0 S` (number of sixel colour registers), `CSI 16 t` (cell
/// size, only when TIOCGWINSZ gave no pixels) and DA1 `CSI c` last — every terminal answers DA1, and answers in order,
/// so its reply ends the wait. The environment adds true-colour hints (COLORTERM, TERM) and tmux/screen.
/// A terminal that answers nothing costs the timeout and yields the environment's view with `answered == false`.
/// Limitations: a reply that arrives after the timeout stays in the input queue (the probe flushes what it can).
public struct TerminalProbe: Sendable {
    /// Where replies are read (a tty, e.g. stdin or /dev/tty).
    public var input: Int32
    /// Where queries are written (a tty, e.g. stdout or /dev/tty).
    public var output: Int32
    /// Environment variables consulted (TERM, COLORTERM, TMUX, STY).
    public var environment: [String: String]
    /// Total time allowed for the replies, in milliseconds (at most 200 by default).
    public var timeoutMilliseconds = 200

    /// A probe over the given descriptors and environment.
    public init(input: Int32, output: Int32, environment: [String: String]) {
        self.input = input
        self.output = output
        self.environment = environment
    }

    /// Runs the probe. Never blocks longer than the timeout; restores the terminal mode it changed.
    public func run() -> TerminalCapabilities {
        var caps = Self.fromEnvironment(environment)
        guard isatty(input) == 1, isatty(output) == 1 else { return caps }
        caps.isTerminal = true
        var size = winsize()
        if ioctl(output, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 {
            caps.columns = Int(size.ws_col)
            caps.rows = Int(size.ws_row)
            if size.ws_xpixel > 0, size.ws_ypixel > 0 {
                caps.cellWidth = max(1, Int(size.ws_xpixel) / Int(size.ws_col))
                caps.cellHeight = max(1, Int(size.ws_ypixel) / Int(size.ws_row))
                caps.cellSizeSource = "TIOCGWINSZ"
            }
        }

        var saved = termios()
        guard tcgetattr(input, &saved) == 0 else { return caps }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSANOW, &raw) == 0 else { return caps }
        defer { _ = tcsetattr(input, TCSANOW, &saved) }

        var query = "\u{1B}[?1;1;0S"
        if caps.cellSizeSource == "default" { query += "\u{1B}[16t" }
        query += "\u{1B}[c"
        guard writeAll(Array(query.utf8)) else { return caps }

        let deadline = Self.nowMilliseconds() + Int64(timeoutMilliseconds)
        var replies: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let remaining = deadline - Self.nowMilliseconds()
            if remaining <= 0 { break }
            var fds = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fds, 1, Int32(remaining))
            if ready < 0 { if errno == EINTR { continue } else { break } }
            if ready == 0 { break }
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue } else { break } }
            if n == 0 { if fds.revents & Int16(POLLHUP) != 0 { break } else { continue } }
            replies += buffer[0..<n]
            if Self.parse(replies, into: &caps) { break }
        }
        _ = Self.parse(replies, into: &caps)
        if !caps.answered { tcflush(input, TCIFLUSH) }
        return caps
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue } else { return false } }
            offset += n
        }
        return true
    }

    private static func nowMilliseconds() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1000 + Int64(t.tv_nsec) / 1_000_000
    }

    // MARK: - Environment and replies

    /// What the environment alone says: colour depth hints, dumb terminals, tmux/screen.
    package static func fromEnvironment(_ env: [String: String]) -> TerminalCapabilities {
        var caps = TerminalCapabilities()
        let term = env["TERM"] ?? ""
        caps.term = env["TERM"]
        caps.isDumb = term.isEmpty || term == "dumb"
        let colorterm = (env["COLORTERM"] ?? "").lowercased()
        caps.trueColor = !caps.isDumb
            && (colorterm == "truecolor" || colorterm == "24bit" || term.hasSuffix("-direct") || term.contains("truecolor"))
        caps.colors256 = caps.trueColor || (!caps.isDumb && term.contains("256color"))
        if env["TMUX"] != nil || term.hasPrefix("tmux") {
            caps.multiplexer = .tmux
        } else if env["STY"] != nil || term.hasPrefix("screen") {
            caps.multiplexer = .screen
        }
        return caps
    }

    /// Reads every complete `CSI … final` reply in `bytes` into `caps`; true once the DA1 reply has been seen.
    ///
    /// - `CSI ? Ps… c`: DA1 — parameter 4 means sixel.
    /// - `CSI ? 1 ; 0 ; Pv S`: XTSMGRAPHICS, `Pv` colour registers (status 0 = success).
    /// - `CSI 6 ; height ; width t`: cell size in pixels.
    package static func parse(_ bytes: [UInt8], into caps: inout TerminalCapabilities) -> Bool {
        var sawDA1 = false
        var i = 0
        while i + 1 < bytes.count {
            guard bytes[i] == 0x1B, bytes[i + 1] == UInt8(ascii: "[") else { i += 1; continue }
            var j = i + 2
            var marker: UInt8 = 0
            if j < bytes.count, bytes[j] == UInt8(ascii: "?") || bytes[j] == UInt8(ascii: ">") { marker = bytes[j]; j += 1 }
            var params: [Int] = [], current = 0, hasDigit = false
            while j < bytes.count, (0x30...0x3B).contains(bytes[j]) {
                if bytes[j] == UInt8(ascii: ";") { params.append(hasDigit ? current : 0); current = 0; hasDigit = false } else if bytes[j] <= 0x39 {
                    current = min(1 << 30, current * 10 + Int(bytes[j] - 0x30)); hasDigit = true
                }
                j += 1
            }
            guard j < bytes.count else { break }  // incomplete: wait for more bytes
            params.append(hasDigit ? current : 0)
            let final = bytes[j]
            switch (marker, final) {
            case (UInt8(ascii: "?"), UInt8(ascii: "c")):
                caps.answered = true
                caps.deviceAttributes = params
                caps.sixel = params.dropFirst().contains(4)
                sawDA1 = true
            case (UInt8(ascii: "?"), UInt8(ascii: "S")):
                if params.count >= 3, params[0] == 1, params[1] == 0, params[2] > 0 { caps.colorRegisters = params[2] }
            case (0, UInt8(ascii: "t")):
                if params.count >= 3, params[0] == 6, params[1] > 0, params[2] > 0, caps.cellSizeSource != "TIOCGWINSZ" {
                    caps.cellHeight = params[1]
                    caps.cellWidth = params[2]
                    caps.cellSizeSource = "CSI 16 t"
                }
            default:
                break
            }
            i = j + 1
        }
        return sawDA1
    }
}
