#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Whether the tools the studio's end-to-end tests drive are installed.
enum StudioTools {
    static func onPath(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }
    static let haveTmux = onPath("tmux")
    static let haveXterm = onPath("xterm") && onPath("Xvfb") && onPath("import")
}

/// A project folder for studio tests: a synthesized dataset clip (reference frame + poses), the tiny untrained
/// model from the engine's fixtures (16×16 frames, so a generation takes a second or two), and a project file.
enum StudioFixture {
    static func make(frames: Int = 12, steps: Int = 6, extra: String = "") throws -> URL {
        let dir = try EndToEndTestSupport.makeTemporaryDirectory()
        let synth = try CLI.run(["synth", "--out", "ds", "--identities", "1", "--clips", "1", "--frames", "\(frames)",
                                 "--size", "64", "--seed", "3"], in: dir)
        guard synth.status == 0 else { throw FixtureError("synth failed: \(synth.stderr)") }
        try FileManager.default.copyItem(
            at: EndToEndTestSupport.repositoryRoot.appendingPathComponent("Tests/EngineTests/Fixtures/animator_tiny.safetensors"),
            to: dir.appendingPathComponent("model.safetensors"))
        let project = """
        {"reference": "ds/clip_00000/frames/0000.png", "poses": "ds/clip_00000/poses", "model": "model.safetensors",
         "steps": \(steps), "seed": 7, "prompts": {"map": {"0": "smiling"}},
         "output": {"path": "out.mp4", "upscale": 2}\(extra)}
        """
        try Data(project.utf8).write(to: dir.appendingPathComponent("p.zoetrope.json"))
        return dir
    }

    /// The project file's JSON.
    static func project(_ dir: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: dir.appendingPathComponent("p.zoetrope.json"))
        return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// One tmux server (own socket) running one program in a detached session: send keys, read the screen.
final class TmuxSession {
    let socket: String
    let name = "studio"
    let directory: URL

    /// Starts `command` under `sh`, which prints `[exit N]` when it ends and stays, so the terminal's state after
    /// the program (alternate screen, cursor, mouse) can still be read.
    init(_ command: String, in directory: URL, columns: Int = 120, rows: Int = 40, environment: [String: String] = [:]) throws {
        socket = "zt-\(UUID().uuidString.prefix(8))"
        self.directory = directory
        let env = ["ZOETROPE_THREADS": "1", "XDG_CONFIG_HOME": directory.appendingPathComponent(".config").path,
                   "XDG_STATE_HOME": directory.appendingPathComponent(".state").path].merging(environment) { $1 }
        _ = try tmux(["-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(columns)", "-y", "\(rows)", "-c", directory.path]
                     + env.flatMap { ["-e", "\($0.key)=\($0.value)"] }
                     + ["sh -c '\(command); echo \"[exit $?]\"; exec sleep 3600'"])
        _ = try tmux(["set-option", "-g", "window-size", "manual"])
    }

    deinit { _ = try? tmux(["kill-server"]) }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        try Spawn.run(["tmux", "-L", socket] + arguments).output
    }

    /// Sends tmux key names (`Enter`, `Left`, `C-r`, `a`).
    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }
    /// Sends a list of key names in one call.
    func send(keys: [String]) throws { if !keys.isEmpty { try tmux(["send-keys", "-t", name] + keys) } }
    /// Types text literally.
    func type(_ text: String) throws { try tmux(["send-keys", "-t", name, "-l", text]) }

    /// The screen as text, or a note when it cannot be read (for failure messages).
    var screen: String { (try? capture()) ?? "(no screen)" }

    /// The screen as text.
    func capture() throws -> String { try tmux(["capture-pane", "-p", "-t", name]) }

    /// A tmux format value of the pane (`#{pane_pid}`, `#{alternate_on}`...).
    func format(_ f: String) throws -> String {
        try tmux(["display-message", "-p", "-t", name, f]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The program's pid (the child of the pane's shell).
    var pid: Int32 {
        guard let shell = Int32((try? format("#{pane_pid}")) ?? "") else { return -1 }
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        return Int32(children.split(separator: " ").first ?? "") ?? -1
    }
    /// True once the program has ended (the shell printed its status).
    var isDead: Bool { screen.contains("[exit ") }
    /// The program's exit status (128 + signal when killed).
    var exitStatus: Int? {
        let text = screen
        guard let range = text.range(of: #"\[exit \d+\]"#, options: .regularExpression) else { return nil }
        return Int(text[range].dropFirst(6).dropLast())
    }

    /// Waits until `predicate(screen)` holds; returns the screen, or nil after `timeout` seconds.
    @discardableResult
    func wait(timeout: Double = 20, _ predicate: (String) -> Bool) throws -> String? {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            let screen = try capture()
            if predicate(screen) { return screen }
            usleep(30_000)
        }
        return nil
    }

    /// Waits for the program to exit.
    func waitForExit(timeout: Double = 10) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if isDead { return true }
            usleep(50_000)
        }
        return false
    }

    /// The terminal state after the program left: alternate screen off, cursor visible, no mouse reporting.
    func terminalRestored() throws -> (ok: Bool, detail: String) {
        let values = try format("#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{mouse_button_flag} #{mouse_all_flag}")
        return (values == "0 1 0 0 0", "alternate_on cursor_flag mouse_any mouse_button mouse_all = \(values)")
    }
}

/// Runs a tool with `posix_spawnp` and `waitpid`. Not Foundation's `Process`: it learns of the child's exit through a
/// descriptor the child inherits, and tmux's server (a daemon forked by the client) keeps that descriptor open, so
/// `waitUntilExit` never returns. The child also gets an empty signal mask (the test runner blocks signals in its
/// threads, and a mask survives exec, so the studio would inherit blocked SIGTERM and SIGWINCH).
enum Spawn {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("zt-spawn-\(UUID().uuidString)").path
        defer { unlink(outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGPIPE, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ)
        guard rc == 0 else { throw FixtureError("cannot run \(arguments[0]): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7F) == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output)
    }
}
