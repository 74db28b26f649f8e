#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Preview
import Testing

/// A pseudo-terminal whose far end is a scripted "terminal": it reads the probe's queries and answers them like
/// xterm 379 started as `xterm -ti vt340 -xrm 'XTerm*numColorRegisters: 256' -xrm 'XTerm*allowWindowOps: true'`
/// (replies recorded from the real xterm under Xvfb; see shared/reference/terminal.md), or never answers.
final class FakeTerminal: @unchecked Sendable {
    let master: Int32
    let slave: Int32
    private let lock = NSLock()
    private var _received: [UInt8] = []
    var received: [UInt8] { lock.withLock { _received } }

    init(columns: UInt16 = 80, rows: UInt16 = 24, pixelWidth: UInt16 = 484, pixelHeight: UInt16 = 316) throws {
        // posix_openpt & co. are not visible through Swift's Glibc module (they need _XOPEN_SOURCE): look them up.
        typealias IntFunction = @convention(c) (Int32) -> Int32
        typealias NameFunction = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        let libc = dlopen(nil, RTLD_NOW)
        guard let a = dlsym(libc, "posix_openpt"), let b = dlsym(libc, "grantpt"), let c = dlsym(libc, "unlockpt"),
              let d = dlsym(libc, "ptsname") else { throw SupportError("libc has no posix_openpt") }
        let openpt = unsafeBitCast(a, to: IntFunction.self), grant = unsafeBitCast(b, to: IntFunction.self)
        let unlock = unsafeBitCast(c, to: IntFunction.self), name = unsafeBitCast(d, to: NameFunction.self)
        master = openpt(O_RDWR | O_NOCTTY)
        guard master >= 0, grant(master) == 0, unlock(master) == 0, let slaveName = name(master) else {
            throw SupportError("cannot open a pseudo-terminal")
        }
        let ptyName = String(cString: slaveName)
        slave = open(ptyName, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw SupportError("cannot open the pseudo-terminal's slave") }
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: pixelWidth, ws_ypixel: pixelHeight)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)
    }

    deinit { close(master); close(slave) }

    /// Answers like xterm 379 (VT340 mode), `delayMilliseconds` before each reply, and keeps reading (recording
    /// what the program draws) for `seconds`.
    func answerLikeXterm(delayMilliseconds: Int = 5, seconds: Double = 3) {
        let thread = Thread { [self] in
            var seen: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            var answered = Set<String>()
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&fds, 1, 50) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                seen += buffer[0..<n]
                lock.withLock { _received = seen }
                let text = String(decoding: seen, as: UTF8.self)
                for (query, reply) in [("\u{1B}[?1;1;0S", "\u{1B}[?1;0;256S"), ("\u{1B}[16t", "\u{1B}[6;13;6t"),
                                       ("\u{1B}[c", "\u{1B}[?63;1;2;4;6;9;15;16;22;28c")]
                where text.contains(query) && !answered.contains(query) {
                    usleep(UInt32(delayMilliseconds * 1000))
                    let bytes = Array(reply.utf8)
                    _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
                    answered.insert(query)
                }
            }
        }
        thread.start()
    }

    /// Reads whatever the program writes for `seconds`, never answering.
    func stayMute(seconds: Double = 2) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            var seen: [UInt8] = []
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&fds, 1, 50) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                seen += buffer[0..<n]
                lock.withLock { _received = seen }
            }
        }
        thread.start()
    }
}

@Suite struct TerminalProbeTests {
    static let xtermEnvironment = ["TERM": "xterm"]

    private func elapsed(_ body: () -> Void) -> Double {
        let start = Date()
        body()
        return Date().timeIntervalSince(start)
    }

    @Test func xterm379WithPixelSizeFromTIOCGWINSZ() throws {
        let terminal = try FakeTerminal()
        terminal.answerLikeXterm()
        var caps = TerminalCapabilities()
        let seconds = elapsed {
            caps = TerminalProbe(input: terminal.slave, output: terminal.slave, environment: Self.xtermEnvironment).run()
        }
        #expect(seconds < 0.5, "took \(seconds) s")  // replies end the wait (DA1); slack for a loaded machine
        #expect(caps.isTerminal && caps.answered)
        #expect(caps.deviceAttributes == [63, 1, 2, 4, 6, 9, 15, 16, 22, 28])
        #expect(caps.sixel)
        #expect(caps.colorRegisters == 256)
        #expect(caps.columns == 80 && caps.rows == 24)
        // 484 / 80 = 6, 316 / 24 = 13: TIOCGWINSZ wins, so CSI 16 t is not even asked.
        #expect(caps.cellWidth == 6 && caps.cellHeight == 13 && caps.cellSizeSource == "TIOCGWINSZ")
        let sent = String(decoding: terminal.received, as: UTF8.self)
        #expect(sent == "\u{1B}[?1;1;0S\u{1B}[c")
        #expect(caps.renderer == .sixel)
    }

    @Test func cellSizeFromCSI16tWhenTIOCGWINSZHasNoPixels() throws {
        let terminal = try FakeTerminal(pixelWidth: 0, pixelHeight: 0)
        terminal.answerLikeXterm()
        let caps = TerminalProbe(input: terminal.slave, output: terminal.slave, environment: Self.xtermEnvironment).run()
        #expect(String(decoding: terminal.received, as: UTF8.self) == "\u{1B}[?1;1;0S\u{1B}[16t\u{1B}[c")
        #expect(caps.cellWidth == 6 && caps.cellHeight == 13 && caps.cellSizeSource == "CSI 16 t")
        #expect(caps.sixel && caps.colorRegisters == 256)
    }

    @Test func silentTerminalCostsTheTimeoutAndFallsBack() throws {
        let terminal = try FakeTerminal(pixelWidth: 0, pixelHeight: 0)
        terminal.stayMute()
        var caps = TerminalCapabilities()
        let seconds = elapsed {
            caps = TerminalProbe(input: terminal.slave, output: terminal.slave,
                                 environment: ["TERM": "xterm-256color"]).run()
        }
        #expect(seconds >= 0.19 && seconds < 0.6, "took \(seconds) s")  // 200 ms deadline + scheduling slack
        #expect(caps.isTerminal && !caps.answered && !caps.sixel && caps.colorRegisters == nil)
        #expect(caps.cellSizeSource == "default")
        #expect(caps.renderer == .halfBlock256)
    }

    @Test func notATerminalAsksNothing() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var caps = TerminalCapabilities()
        let seconds = elapsed {
            caps = TerminalProbe(input: fds[0], output: fds[1], environment: ["TERM": "xterm", "COLORTERM": "truecolor"]).run()
        }
        #expect(seconds < 0.05)
        #expect(!caps.isTerminal && !caps.answered)
        #expect(caps.renderer == .halfBlockTrueColor)
    }

    @Test func environmentHintsAndMultiplexers() {
        let tmux = TerminalProbe.fromEnvironment(["TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0"])
        #expect(tmux.multiplexer == .tmux && tmux.colors256 && !tmux.trueColor)
        let screen = TerminalProbe.fromEnvironment(["TERM": "screen", "STY": "123.pts-0"])
        #expect(screen.multiplexer == .screen)
        let direct = TerminalProbe.fromEnvironment(["TERM": "xterm-direct"])
        #expect(direct.trueColor && direct.colors256)
        let dumb = TerminalProbe.fromEnvironment(["TERM": "dumb", "COLORTERM": "truecolor"])
        #expect(dumb.isDumb && !dumb.trueColor && dumb.renderer == .ascii)
    }

    /// The renderer table: sixel → half blocks → ASCII, and tmux hides sixel (Debian 12's tmux 3.3a shows none).
    @Test func rendererTable() {
        var caps = TerminalCapabilities()
        #expect(caps.renderer == .ascii)
        caps.colors256 = true
        #expect(caps.renderer == .halfBlock256)
        caps.trueColor = true
        #expect(caps.renderer == .halfBlockTrueColor)
        caps.sixel = true
        #expect(caps.renderer == .sixel)
        caps.multiplexer = .tmux
        #expect(caps.renderer == .halfBlockTrueColor)
        #expect(RendererTable.rows.map(\.renderer) == [.sixel, .halfBlockTrueColor, .halfBlock256, .ascii])
    }

    /// Replies split across reads, unrelated sequences and a DA1 without 4 (a VT220) are handled.
    @Test func replyParsing() {
        var caps = TerminalCapabilities()
        let partial = Array("\u{1B}[?1;0;1024S\u{1B}[?62;1;2;6".utf8)
        #expect(!TerminalProbe.parse(partial, into: &caps))
        #expect(caps.colorRegisters == 1024 && caps.sixelPaletteSize == 256)
        #expect(TerminalProbe.parse(partial + Array(";9c".utf8), into: &caps))
        #expect(caps.answered && !caps.sixel && caps.deviceAttributes == [62, 1, 2, 6, 9])
        var failed = TerminalCapabilities()
        _ = TerminalProbe.parse(Array("\u{1B}[?1;3;0S\u{1B}[?64;4c".utf8), into: &failed)
        #expect(failed.colorRegisters == nil && failed.sixel)
    }
}
