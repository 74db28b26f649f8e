#if canImport(Glibc)
import Glibc
#endif

/// Puts the terminal back however the studio ends: Ctrl-C, SIGTERM and SIGHUP ask the loop to quit (through the
/// self-pipe, so the normal tear-down runs); a crash (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP — a Swift
/// trap is SIGILL or SIGTRAP) writes a fixed restore sequence and the saved terminal mode from the signal handler
/// (only async-signal-safe calls: write, tcsetattr), then dies of the same signal.
enum TerminalGuard {
    /// Mouse reporting off, attributes reset, cursor shown, main screen back.
    static let restoreSequence = "\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1006l\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\r\n"

    nonisolated(unsafe) static var savedMode = termios()
    nonisolated(unsafe) static var haveSavedMode = false
    nonisolated(unsafe) static var wakeDescriptor: Int32 = -1
    nonisolated(unsafe) static var quitSignal: Int32 = 0
    nonisolated(unsafe) static var restoreBytes: UnsafeMutablePointer<UInt8>? = nil
    nonisolated(unsafe) static var restoreCount = 0

    /// Saves the terminal mode (call before ncurses starts) and installs the handlers; `wake` is the self-pipe's
    /// write end.
    static func install(wake: Int32) {
        if tcgetattr(STDIN_FILENO, &savedMode) == 0 { haveSavedMode = true }
        wakeDescriptor = wake
        let bytes = Array(restoreSequence.utf8)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
        buffer.initialize(from: bytes, count: bytes.count)
        restoreBytes = buffer
        restoreCount = bytes.count
        for s in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                TerminalGuard.quitSignal = signal
                var byte: UInt8 = 1
                _ = write(TerminalGuard.wakeDescriptor, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(s, &action, nil)
        }
        for s in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                TerminalGuard.emergencyRestore()
                Glibc.signal(signal, SIG_DFL)
                raise(signal)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(SA_RESETHAND)
            sigaction(s, &action, nil)
        }
        // A write to a closed terminal must not kill the process before it saves.
        Glibc.signal(SIGPIPE, SIG_IGN)
        // A parent may have left these blocked (the mask survives exec): unblock what the studio relies on,
        // including SIGWINCH, which ncurses needs for resizes.
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGCONT, SIGTSTP] {
            sigaddset(&set, s)
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Restores the terminal using only async-signal-safe calls.
    static func emergencyRestore() {
        if let restoreBytes { _ = write(STDOUT_FILENO, restoreBytes, restoreCount) }
        if haveSavedMode { _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedMode) }
    }

    /// After a normal tear-down: the saved mode once more (ncurses restores its own view of it).
    static func restoreMode() {
        if haveSavedMode { _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedMode) }
    }
}
