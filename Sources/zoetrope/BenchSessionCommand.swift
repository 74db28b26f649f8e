import ArgumentParser
import Engine
import Foundation

/// `zoetrope bench session`: the cancel/restart soak of the generation session, measured in a process of its own —
/// cycles of submit → first step → cancel or restart, with the resident memory after the warm-up cycles and after all.
struct BenchSession: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Soak the generation session with cancel/restart cycles; report resident memory and deadlocks.",
        discussion: """
        Each cycle submits a request, waits for its first denoising step, then either cancels it (even cycles) or \
        submits the next request, which cancels it (odd cycles). After the cycles one short request must finish. \
        VmRSS (/proc/self/status) is read after the warm-up cycles and after all of them; "growth" is the difference. \
        Every wait has a deadline: a wait that expires is reported as a deadlock (exit code 3), as is a request that \
        does not end exactly once. Without --checkpoint the network is the tiny test configuration.

        Example:
          zoetrope bench session --cycles 1000 --warmup 100
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Cancel/restart cycles.")
    var cycles = 1000

    @Option(help: "Cycles before the first memory reading.")
    var warmup = 100

    @Option(help: "Steps of each request (cycles stop after the first).")
    var steps = 20

    @Option(help: "Frames of each request.")
    var frames = 4

    @Option(help: ArgumentHelp("Checkpoint to soak (default: the tiny test configuration, fresh weights).", valueName: "FILE"))
    var checkpoint: String?

    @Option(help: "Seconds any one wait may take before it counts as a deadlock.")
    var deadline = 60.0

    func validate() throws {
        guard (1...1_000_000).contains(cycles) else { throw ValidationError("--cycles must be from 1 to 1000000, got \(cycles)") }
        guard (0..<cycles).contains(warmup) else { throw ValidationError("--warmup must be from 0 to \(cycles - 1), got \(warmup)") }
        guard (2...1000).contains(steps) else { throw ValidationError("--steps must be from 2 to 1000, got \(steps)") }
        guard (1...256).contains(frames) else { throw ValidationError("--frames must be from 1 to 256, got \(frames)") }
        guard deadline > 0 else { throw ValidationError("--deadline must be positive, got \(deadline)") }
    }

    /// What the engine thread reported, by request id (ids are 1, 2, 3, … in submission order).
    final class Tally: @unchecked Sendable {
        let condition = NSCondition()
        var stepped: [Bool]
        var ended: [Int]
        init(capacity: Int) {
            stepped = [Bool](repeating: false, count: capacity + 1)
            ended = [Int](repeating: 0, count: capacity + 1)
        }
        func handle(_ event: GenerationEvent) {
            condition.lock()
            defer { condition.broadcast(); condition.unlock() }
            let id = event.id
            guard id >= 0, id < ended.count else { return }
            switch event {
            case .step: stepped[id] = true
            case .finished, .cancelled, .failed: ended[id] += 1
            case .started: break
            }
        }
        /// Waits for `done` (checked under the lock) until `deadline` seconds have passed.
        func wait(_ seconds: Double, _ done: () -> Bool) -> Bool {
            let until = Date().addingTimeInterval(seconds)
            condition.lock()
            defer { condition.unlock() }
            while !done() { if !condition.wait(until: until) { return done() } }
            return true
        }
    }

    func run() throws {
        try global.apply()
        let network: AnimatorNetwork
        if let checkpoint {
            do { network = try AnimatorNetwork.loadCheckpoint(path: checkpoint) } catch {
                FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
        } else {
            network = try AnimatorNetwork(config: .tiny, seed: 1)
        }
        let s = network.config.imageSize, cc = network.config.conditionChannels
        var rng = Philox(seed: 3)
        var request = GenerationRequest(reference: .init(width: s, height: s),
                                        conditions: rng.normal([frames * cc * s * s]).values, frameCount: frames)
        request.sampler.steps = steps
        let tally = Tally(capacity: cycles + 1)
        let session = GenerationSession(network: network) { tally.handle($0) }
        func fail(_ message: String) -> ExitCode {
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            return ExitCode(3)
        }
        print("zoetrope bench session: \(cycles) cycles (warm-up \(warmup)), \(frames) frames × \(steps) steps, "
              + "\(ComputeThreads.width) threads, load average \(BenchGenerate.loadAverage())")
        let start = Date()
        var rssAfterWarmUp: Int? = warmup == 0 ? BenchGenerate.procStatus("VmRSS") : nil
        for cycle in 0..<cycles {
            let id = session.submit(request)
            guard id < tally.ended.count else { throw fail("request id \(id) out of range") }
            guard tally.wait(deadline, { tally.stepped[id] || tally.ended[id] > 0 }) else {
                throw fail("cycle \(cycle): request \(id) neither stepped nor ended within \(deadline) s (deadlock?)")
            }
            if cycle % 2 == 0 {
                session.cancel()
                guard tally.wait(deadline, { tally.ended[id] > 0 }) else {
                    throw fail("cycle \(cycle): cancelled request \(id) did not end within \(deadline) s (deadlock?)")
                }
            }
            if cycle == warmup - 1 { rssAfterWarmUp = BenchGenerate.procStatus("VmRSS") }
        }
        var last = request
        last.sampler.steps = 2
        let final = session.submit(last)
        guard tally.wait(deadline, { tally.ended[final] > 0 }) else {
            throw fail("the final request \(final) did not finish within \(deadline) s (deadlock?)")
        }
        session.shutDown()
        let seconds = Date().timeIntervalSince(start)
        let rssAfterAll = BenchGenerate.procStatus("VmRSS")
        let wrong = tally.condition.withLock { (1...final).filter { tally.ended[$0] != 1 } }
        guard wrong.isEmpty else {
            throw fail("\(wrong.count) requests did not end exactly once (first: \(wrong[0]))")
        }
        func mb(_ kb: Int?) -> String { kb.map { String(format: "%.1f MB", Double($0) / 1024) } ?? "-" }
        print(String(format: "cycles: %d in %.2f s (%.1f ms per cycle); every request ended exactly once", cycles, seconds,
                     1000 * seconds / Double(cycles)))
        print("VmRSS after warm-up: \(mb(rssAfterWarmUp))")
        print("VmRSS after all: \(mb(rssAfterAll))")
        if let a = rssAfterWarmUp, let b = rssAfterAll {
            print("growth_kb \(b - a)")
            print(String(format: "growth per cycle after warm-up: %.2f kB", Double(b - a) / Double(max(cycles - warmup, 1))))
        }
    }
}
