import ArgumentParser
import Engine
import Foundation

/// Options every compute-heavy subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "CPU threads for OpenBLAS and the engine's parallel loops (default: $ZOETROPE_THREADS, else all cores).",
        valueName: "N"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 || threads > 1024 {
            throw ValidationError("--threads must be between 1 and 1024, got \(threads)")
        }
    }

    /// The thread count in effect: `--threads`, then `ZOETROPE_THREADS`, then the number of active cores.
    func resolvedThreads() throws -> Int {
        if let threads { return threads }
        if let text = ProcessInfo.processInfo.environment[ComputeThreads.environmentKey], !text.isEmpty {
            guard let n = Int(text), n >= 1, n <= 1024 else {
                throw ValidationError("\(ComputeThreads.environmentKey)=\(text): expected a whole number from 1 to 1024")
            }
            return n
        }
        return ProcessInfo.processInfo.activeProcessorCount
    }

    /// Applies the thread count to OpenBLAS; call at the start of `run()`.
    func apply() throws {
        ComputeThreads.set(try resolvedThreads())
    }
}
