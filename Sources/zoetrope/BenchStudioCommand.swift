#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Engine
import Foundation

/// `zoetrope bench studio`: key press → screen change latency of the studio, measured through tmux (send-keys, then
/// capture-pane until the screen shows the key's effect), while the engine saturates the cores.
///
/// Peer: `cat` in raw mode in the same tmux (the floor: tmux's own key → screen path and the polling), measured in
/// the same run; the studio is measured idle (generation finished) and under load (a 64×64 model generating
/// continuously with every core).
struct BenchStudioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "studio",
        abstract: "Studio responsiveness through tmux: key press → screen change p50/p99 while the engine saturates the cores (target p99 ≤ 50 ms).")

    @Option(help: "Key presses per measurement.") var keys: Int = 200
    @Option(help: "Engine threads during the loaded measurement.") var engineThreads: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        guard (try? BenchTmux.spawn(["tmux", "-V"]))?.status == 0 else {
            throw ValidationError("tmux is not installed (apt-get install tmux)")
        }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoetrope-bench-studio-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let synth = try BenchTmux.spawn([exe, "synth", "--out", dir.appendingPathComponent("ds").path, "--identities", "1",
                                         "--clips", "1", "--frames", "16", "--size", "64", "--seed", "3"])
        guard synth.status == 0 else { throw ValidationError("synth failed") }
        // An untrained network of the default (64×64) shape: the work per step is the real model's.
        let network = try AnimatorNetwork(config: AnimatorConfig(), seed: 1)
        try network.saveCheckpoint(to: dir.appendingPathComponent("model.safetensors").path)
        // Each measurement gets its own project file: a studio saves its document when tmux hangs up on it, which
        // would otherwise race with (and undo) the next measurement's project.
        func project(_ name: String, steps: Int) throws {
            let text = """
            {"reference": "ds/clip_00000/frames/0000.png", "poses": "ds/clip_00000/poses", "model": "model.safetensors",
             "steps": \(steps), "seed": 7}
            """
            try Data(text.utf8).write(to: dir.appendingPathComponent(name))
        }

        // The studio: alternate Seed +1 / −1 and next / previous frame; each key's effect is a distinct screen.
        func studioKeys(_ i: Int, _ frames: Int) -> ([String], (String) -> Bool) {
            switch i % 4 {
            case 0: return (["l"], { $0.range(of: #"Seed\s+8 "#, options: .regularExpression) != nil })
            case 1: return (["."], { $0.contains(" 2/\(frames) ") })
            case 2: return (["h"], { $0.range(of: #"Seed\s+7 "#, options: .regularExpression) != nil })
            default: return ([","], { $0.contains(" 1/\(frames) ") })
            }
        }
        try project("idle.zoetrope.json", steps: 2)
        let idle = try measure(command: "\(exe) studio idle.zoetrope.json", dir: dir, threads: engineThreads,
                               ready: { $0.contains("done 2/2") }) { i, _ in studioKeys(i, 16) }
        try project("load.zoetrope.json", steps: 1000)
        try project("busy.zoetrope.json", steps: 1000)
        // Peer, under the same load: raw-mode cat echoing each key while a studio generates in another tmux.
        let load = BenchTmux(socket: "zt-bench-load-\(UUID().uuidString.prefix(8))")
        try load.start("\(exe) studio load.zoetrope.json", dir: dir, environment: ["ZOETROPE_THREADS": "\(engineThreads)",
                       "XDG_CONFIG_HOME": dir.appendingPathComponent(".config").path, "XDG_STATE_HOME": dir.appendingPathComponent(".state").path])
        let loadReady = Date().addingTimeInterval(60)
        while !load.capture().contains("generating step") && Date() < loadReady { usleep(50_000) }
        let floor = try measure(command: "sh -c 'stty raw -echo; exec cat'", dir: dir, threads: 1, ready: { _ in true }) { i, _ in
            (["x"], { screen in screen.filter { $0 == "x" }.count >= i + 1 })
        }
        load.kill()
        var busy = 0.0
        let loaded = try measure(command: "\(exe) studio busy.zoetrope.json", dir: dir, threads: engineThreads,
                                 ready: { $0.contains("generating step") }, settle: { pid in busy = Self.cpuLoad(pid: pid) }) { i, _ in
            studioKeys(i, 16)
        }
        func line(_ name: String, _ ms: [Double]) -> String {
            "  " + name.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " p50 %6.1f ms   p99 %6.1f ms   max %6.1f ms   (n=%d)",
                   Self.percentile(ms, 0.5), Self.percentile(ms, 0.99), ms.max() ?? 0, ms.count)
        }
        print("studio key → screen change through tmux (\(keys) keys each; machine shared, figures taken under load):")
        print(line("peer: cat in raw mode (floor), engine busy", floor))
        print(line("studio, engine idle", idle))
        print(line(String(format: "studio, engine busy (%.0f%% CPU)", busy * 100), loaded))
        print(String(format: "  ratio busy/idle p99 %.2f; busy p99 − floor p99 = %.1f ms; target p99 ≤ 50 ms: %@",
                     Self.percentile(loaded, 0.99) / max(1e-9, Self.percentile(idle, 0.99)),
                     Self.percentile(loaded, 0.99) - Self.percentile(floor, 0.99),
                     Self.percentile(loaded, 0.99) <= 50 ? "met" : "NOT met"))
    }

    static func percentile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
    }

    /// CPU use of a process over one second, in cores (e.g. 1.9 = nearly two cores), from /proc.
    static func cpuLoad(pid: Int32) -> Double {
        func ticks() -> Double {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return 0 }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 13 ? (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0) : 0
        }
        let a = ticks()
        usleep(1_000_000)
        return (ticks() - a) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Starts `command` in a fresh tmux server, waits for `ready`, then times `keys` presses.
    func measure(command: String, dir: URL, threads: Int, ready: (String) -> Bool, settle: (Int32) -> Void = { _ in },
                 next: (Int, String) -> ([String], (String) -> Bool)) throws -> [Double] {
        let tmux = BenchTmux(socket: "zt-bench-\(UUID().uuidString.prefix(8))")
        defer { tmux.kill() }
        try tmux.start(command, dir: dir, environment: ["ZOETROPE_THREADS": "\(threads)",
                                                         "XDG_CONFIG_HOME": dir.appendingPathComponent(".config").path,
                                                         "XDG_STATE_HOME": dir.appendingPathComponent(".state").path])
        let deadline = Date().addingTimeInterval(60)
        while !ready(tmux.capture()) {
            if Date() > deadline { throw ValidationError("\(command) did not become ready:\n\(tmux.capture())") }
            usleep(20_000)
        }
        try tmux.send(["2"])
        usleep(200_000)
        settle(tmux.programPID)
        var samples: [Double] = []
        for i in 0..<keys {
            let (key, done) = next(i, tmux.capture())
            let t0 = DispatchTime.now().uptimeNanoseconds
            try tmux.send(key)
            let end = Date().addingTimeInterval(2)
            var ok = false, screen = ""
            while Date() < end {
                screen = tmux.capture()
                if done(screen) { ok = true; break }
            }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            samples.append(ok ? ms : 2000)
            if !ok && ProcessInfo.processInfo.environment["ZOETROPE_BENCH_VERBOSE"] != nil {
                FileHandle.standardError.write(Data("key \(i) \(key) timed out; screen:\n\(screen)\n".utf8))
            }
        }
        return samples
    }
}

/// A tmux server for the benchmark, driven through posix_spawn (Foundation's `Process` never sees the tmux client
/// exit: the forked server keeps the descriptor it watches).
struct BenchTmux {
    let socket: String

    func start(_ command: String, dir: URL, environment: [String: String]) throws {
        let r = try Self.spawn(["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", "120", "-y", "40",
                                "-c", dir.path] + environment.flatMap { ["-e", "\($0.key)=\($0.value)"] } + [command])
        guard r.status == 0 else { throw ValidationError("tmux new-session failed") }
    }

    func send(_ keys: [String]) throws { _ = try Self.spawn(["tmux", "-L", socket, "send-keys", "-t", "b"] + keys) }
    func capture() -> String { (try? Self.spawn(["tmux", "-L", socket, "capture-pane", "-p", "-t", "b"]).output) ?? "" }
    var programPID: Int32 {
        Int32(((try? Self.spawn(["tmux", "-L", socket, "display-message", "-p", "-t", "b", "#{pane_pid}"]).output) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
    func kill() { _ = try? Self.spawn(["tmux", "-L", socket, "kill-server"]) }

    /// Runs a tool, waits for it, returns its status and standard output.
    static func spawn(_ arguments: [String]) throws -> (status: Int32, output: String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ValidationError("pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ)
        close(fds[1])
        guard rc == 0 else { close(fds[0]); throw ValidationError("cannot run \(arguments[0])") }
        // tmux's forked server keeps the pipe open: read until the tool itself has exited and no more data waits.
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var status: Int32 = 0
        var exited = false
        while true {
            var p = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, exited ? 0 : 20) > 0 {
                let n = read(fds[0], &buffer, buffer.count)
                if n > 0 { output.append(contentsOf: buffer[0..<n]); continue }
                if n == 0 { break }
            } else if exited {
                break
            }
            if !exited, waitpid(pid, &status, WNOHANG) == pid { exited = true }
        }
        if !exited { waitpid(pid, &status, 0) }
        close(fds[0])
        return ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F), String(decoding: output, as: UTF8.self))
    }
}
