#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Preview

/// The CLI's access to the terminal: which descriptors to probe through, and writing bytes to stdout.
enum TerminalIO {
    /// True when standard output is a terminal.
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Probes the terminal: through stdin/stdout when both are terminals, else through /dev/tty when it can be opened,
    /// else from the environment alone.
    static func probe() -> TerminalCapabilities {
        let env = ProcessInfo.processInfo.environment
        if isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 {
            return TerminalProbe(input: STDIN_FILENO, output: STDOUT_FILENO, environment: env).run()
        }
        let tty = open("/dev/tty", O_RDWR | O_NOCTTY)
        if tty >= 0 {
            defer { close(tty) }
            // Replies come back on the tty; queries go where the picture will go when that is the terminal.
            let output = isatty(STDOUT_FILENO) == 1 ? STDOUT_FILENO : tty
            return TerminalProbe(input: tty, output: output, environment: env).run()
        }
        return TerminalProbe(input: -1, output: -1, environment: env).run()
    }

    /// Writes all bytes to standard output (retrying short writes); false if the descriptor fails.
    @discardableResult
    static func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue } else { return false } }
            offset += n
        }
        return true
    }

    /// Writes a string to standard output.
    @discardableResult
    static func write(_ text: String) -> Bool { write(Array(text.utf8)) }
}
