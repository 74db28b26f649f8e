import ArgumentParser
import Engine
import Foundation

/// Whether the PyTorch version line has been printed (the script runs once per case).
nonisolated(unsafe) private var printedTorchVersion = false

/// `zoetrope bench engine`: each operation at the shapes of a ~10 M-parameter video model (64×64, 16 frames),
/// forward and backward, beside bare `cblas_sgemm` on the equivalent GEMMs and PyTorch CPU (bench/engine_torch.py)
/// on the same shapes and thread count, all in one run.
struct BenchEngine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Time the engine's operations against bare sgemm and PyTorch CPU on the model's shapes.",
        discussion: """
        GFLOP/s counts the standard FLOPs of each operation (backward = 2× forward for GEMM-shaped ops; attention's \
        backward recomputes the scores, which is not counted). Backward times the backward pass alone. "vs sgemm" is our GFLOP/s over bare cblas_sgemm's on \
        the same GEMMs, timed in this run; "vs torch" is PyTorch's time over ours (above 1 = faster than PyTorch).

        Example:
          zoetrope bench engine --threads 2 --python .venv/bin/python
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Python with torch for the PyTorch column (default: .venv/bin/python, then python3).", valueName: "PATH"))
    var python: String?

    @Option(help: "Timed repetitions per measurement (the best is kept).")
    var repeats = 3

    @Option(help: "Only operations whose name contains one of these comma-separated texts.")
    var only: String?

    @Flag(help: "Skip the PyTorch column.")
    var noTorch = false

    func run() throws {
        try global.apply()
        let threads = ComputeThreads.width
        let filters = (only ?? "").split(separator: ",").map(String.init)
        let cases = EngineBenchCase.all.filter { c in filters.isEmpty || filters.contains { c.name.contains($0) } }
        print("zoetrope bench engine: \(threads) threads, OpenBLAS \(ComputeThreads.blasConfig)")
        var torch: [String: [String: Double]] = [:]
        let header = ["op", "pass", "ms", "GFLOP/s", "sgemm GFLOP/s", "vs sgemm", "torch ms", "vs torch"]
        var rows: [[String]] = []
        for c in cases {
            // PyTorch runs just before ours, case by case, so both see similar load on a shared machine.
            if !noTorch { torch.merge(runTorch(threads: threads, names: [c.name])) { $1 } }
            let r = c.measure(repeats: repeats)
            for (pass, ms, flops, gemmMs) in [("fwd", r.forwardMs, c.forwardFlops, r.gemmForwardMs), ("bwd", r.backwardMs, c.backwardFlops, r.gemmBackwardMs)] {
                let gflops = flops > 0 ? flops / ms / 1e6 : nil
                let sg = gemmMs.map { flops / $0 / 1e6 }
                let tms = torch[c.name]?[pass]
                rows.append([c.name, pass, String(format: "%.2f", ms), gflops.map { String(format: "%.1f", $0) } ?? "-",
                             sg.map { String(format: "%.1f", $0) } ?? "-",
                             (gflops != nil && sg != nil) ? String(format: "%.0f%%", 100 * gflops! / sg!) : "-",
                             tms.map { String(format: "%.2f", $0) } ?? "-", tms.map { String(format: "%.2f×", $0 / ms) } ?? "-"])
            }
        }
        let widths = header.indices.map { i in max(header[i].count, rows.map { $0[i].count }.max() ?? 0) }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, s in i < 2 ? s.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[i] - s.count) + s }.joined(separator: "  ")
        }
        print(line(header))
        for r in rows { print(line(r)) }
    }

    /// Runs bench/engine_torch.py and parses its `name pass ms` lines.
    func runTorch(threads: Int, names: [String]) -> [String: [String: Double]] {
        defer { printedTorchVersion = true }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("bench/engine_torch.py").path
        let candidates = [python, root.appendingPathComponent(".venv/bin/python").path, "/usr/bin/python3"].compactMap { $0 }
        guard let py = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
              FileManager.default.fileExists(atPath: script) else {
            print("PyTorch column skipped: no python or no \(script)")
            return [:]
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = [script, "--threads", "\(threads)", "--repeats", "\(repeats)", "--only", names.joined(separator: ",")]
        let out = Pipe()
        p.standardOutput = out
        do { try p.run() } catch { print("PyTorch column skipped: \(error)"); return [:] }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { print("PyTorch column skipped: \(py) \(script) failed (is torch installed?)"); return [:] }
        var result: [String: [String: Double]] = [:]
        for l in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let f = l.split(separator: " ")
            if f.count == 3, let ms = Double(f[2]) { result[String(f[0]), default: [:]][String(f[1])] = ms }
            else if l.hasPrefix("#"), !printedTorchVersion { print("torch: " + l.dropFirst(2)) }
        }
        return result
    }
}
