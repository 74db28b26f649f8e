import ArgumentParser
import Engine
import Foundation
import Imaging

/// `zoetrope bench generate`: one full clip through the engine's public API (`GenerationSession` → `ClipGenerator`),
/// then the UNet forward on one batch of that clip beside the PyTorch mirror (tools/torch/zoetrope_model.py, run by
/// bench/generate_torch.py) on the same weights, the same batch and the same thread count, in the same run.
struct BenchGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Time one clip (first preview, total, peak memory) and the UNet forward against the PyTorch mirror.",
        discussion: """
        The clip: FRAMES frames at the model's frame size, STEPS DPM-Solver++ 2M steps with animation-cfg (the \
        unconditional pass keeps the pose, the conditional adds reference and prompt: 2 passes, so 32 UNet rows per \
        step for 16 frames). Without --checkpoint the network has the default configuration with fresh weights \
        (the speed of a network does not depend on its weights' values).

        "first preview" is from submitting the request to the first step's x0 previews arriving (reference, guidance \
        and prompt encoding included). Peak RSS is this process's VmHWM. The forward rows are timed best of --repeats \
        after one warm-up, ours and then PyTorch's on identical inputs (written to a temporary file); the script also \
        checks that both outputs agree.

        Example:
          zoetrope bench generate --threads 2 --python .venv/bin/python
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Checkpoint to time (default: a fresh network of the default configuration).", valueName: "FILE"))
    var checkpoint: String?

    @Option(help: "Frames in the clip.")
    var frames = 16

    @Option(help: "Denoising steps.")
    var steps = 20

    @Option(help: "Timed repetitions of the forward measurement (the best is kept).")
    var repeats = 3

    @Option(help: ArgumentHelp("Python with torch for the PyTorch mirror (default: .venv/bin/python, then python3).", valueName: "PATH"))
    var python: String?

    @Flag(help: "Skip the PyTorch mirror.")
    var noTorch = false

    @Option(help: ArgumentHelp("Rounds of the forward comparison, ours then PyTorch's in each; with more than one, each round's ratio and their median are printed (PyTorch's own time moves from run to run on a shared machine).", valueName: "N"))
    var rounds = 1

    func validate() throws {
        guard (1...256).contains(frames) else { throw ValidationError("--frames must be from 1 to 256, got \(frames)") }
        guard (1...1000).contains(steps) else { throw ValidationError("--steps must be from 1 to 1000, got \(steps)") }
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be from 1 to 100, got \(repeats)") }
        guard (1...50).contains(rounds) else { throw ValidationError("--rounds must be from 1 to 50, got \(rounds)") }
    }

    func run() throws {
        try global.apply()
        let threads = ComputeThreads.width
        let loadBefore = Self.loadAverage()
        let network: AnimatorNetwork
        let origin: String
        if let checkpoint {
            do { network = try AnimatorNetwork.loadCheckpoint(path: checkpoint) } catch {
                FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
            origin = checkpoint
        } else {
            network = try AnimatorNetwork(config: AnimatorConfig(), seed: 0)
            origin = "default configuration, fresh weights (seed 0)"
        }
        let c = network.config, s = c.imageSize
        let request = makeRequest(network)
        let passes = request.guidance.passes.count
        let windowFrames = min(frames, c.frameWindow)
        print("zoetrope bench generate: \(threads) threads, OpenBLAS \(ComputeThreads.blasConfig)")
        print("load average before: \(loadBefore) (2-core machine; figures are noisy when it is above ~1)")
        print("model: \(origin); channels \(c.channels), \(s)×\(s), window \(c.frameWindow), "
              + String(format: "%.2f M parameters", Double(network.parameterCount) / 1e6))
        print("clip: \(frames) frames, \(steps) steps \(request.sampler.sampler.rawValue), animation-cfg with \(passes) passes "
              + "(\(passes * windowFrames) UNet rows per call)")

        // 1. The clip, through the public API, timed from the request.
        let clip = try runClip(network: network, request: request)

        // 2. The UNet forward on one batch of this clip (all passes over the first window), ours.
        let generator = ClipGenerator(network: network)
        let conditioning = generator.conditioning(for: request)
        var rng = Philox(seed: 7)
        let batch = ModelBatch(input: rng.normal([windowFrames * 3 * s * s]).values, timestep: 999,
                               frames: Array(0..<windowFrames), conditions: request.guidance.passes)
        let inputs = try conditioning.unetInputs(for: batch)
        var output: Tensor?
        /// Best of `repeats` forwards after one warm-up.
        func timeOurs() -> Double {
            var best = Double.infinity
            for rep in 0...repeats {
                let begin = DispatchTime.now().uptimeNanoseconds
                output = network.unet(inputs.x, timesteps: inputs.timesteps, frames: inputs.frames, reference: inputs.reference,
                                      prompt: inputs.prompt, guidance: inputs.guidance)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
                if rep > 0 { best = min(best, seconds) }  // repetition 0 warms up
            }
            return best
        }
        let forwardSeconds = timeOurs()
        let peakRSS = Self.procStatus("VmHWM")

        func row(_ name: String, _ value: String, _ note: String = "") {
            print(name.padding(toLength: 30, withPad: " ", startingAt: 0) + value.padding(toLength: 12, withPad: " ", startingAt: 0) + note)
        }
        print("")
        row("total clip time", String(format: "%.2f s", clip.total), "request → finished clip (issue 7 target ≤ 10 s)")
        row("first x0 preview", String(format: "%.2f s", clip.firstPreview), "request → first step's previews (target ≤ 1 s)")
        row("per step", String(format: "%.3f s", clip.perStep), "steps 2…\(steps): UNet, sampler, previews")
        row("UNet calls in the clip", String(format: "%.3f s", clip.unetSeconds / Double(max(clip.unetCalls, 1))),
            String(format: "mean of %d calls, %.0f%% of the clip", clip.unetCalls, 100 * clip.unetSeconds / clip.total))
        row("UNet forward, \(inputs.x.shape[0]) rows", String(format: "%.3f s", forwardSeconds), "best of \(repeats), after the clip")
        row("peak RSS (VmHWM)", peakRSS.map { String(format: "%.0f MB", Double($0) / 1024) } ?? "-", "target ≤ 512 MB")

        // 3. The PyTorch mirror on the same weights and batch.
        if noTorch {
            print("PyTorch mirror: skipped (--no-torch)")
        } else if let output {
            let torch = runTorch(network: network, inputs: inputs, output: output, threads: threads)
            if let torch {
                row("PyTorch forward, \(inputs.x.shape[0]) rows", String(format: "%.3f s", torch.forwardSeconds),
                    "\(torch.version), \(torch.threads) threads, best of \(repeats); peak RSS \(torch.peakMB) MB")
                row("outputs agree", String(format: "%.1e", torch.relativeDifference), "max |ours − torch| / max |torch|")
                row("Zoetrope ÷ PyTorch", String(format: "%.2f", forwardSeconds / torch.forwardSeconds), "forward time (target ≤ 0.8)")
                if rounds > 1 {
                    var ratios = [forwardSeconds / torch.forwardSeconds]
                    print(String(format: "round 1: ours %.3f s, PyTorch %.3f s, ratio %.2f", forwardSeconds, torch.forwardSeconds, ratios[0]))
                    for round in 2...rounds {
                        let ours = timeOurs()
                        guard let theirs = runTorch(network: network, inputs: inputs, output: output, threads: threads) else { break }
                        ratios.append(ours / theirs.forwardSeconds)
                        print(String(format: "round %d: ours %.3f s, PyTorch %.3f s, ratio %.2f", round, ours, theirs.forwardSeconds, ratios.last!))
                    }
                    let sorted = ratios.sorted(), mid = sorted.count / 2
                    let median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
                    row("Zoetrope ÷ PyTorch, median", String(format: "%.2f", median),
                        String(format: "of %d rounds (%.2f–%.2f); target ≤ 0.8", ratios.count, sorted.first!, sorted.last!))
                }
            }
        }
        print("load average after: \(Self.loadAverage())")
    }

    // MARK: - The clip

    /// A request like the studio's: a gradient reference, random condition maps (the UNet's cost does not depend on
    /// their values), the first two vocabulary words as the prompt, animation-cfg (`GuidanceConfig()`).
    func makeRequest(_ network: AnimatorNetwork) -> GenerationRequest {
        let c = network.config, s = c.imageSize
        var reference = RGBImage(width: s, height: s)
        for y in 0..<s { for x in 0..<s { reference[x, y] = RGB(UInt8(x * 255 / s), UInt8(y * 255 / s), 128) } }
        var rng = Philox(seed: 3)
        var request = GenerationRequest(reference: reference,
                                        conditions: rng.normal([frames * c.conditionChannels * s * s]).values,
                                        frameCount: frames)
        request.prompts = [c.vocabulary.prefix(2).joined(separator: " ")]
        request.sampler.steps = steps
        request.sampler.sampler = .dpmSolver2M
        request.guidance = GuidanceConfig()
        return request
    }

    struct ClipTiming { var total: Double; var firstPreview: Double; var perStep: Double; var unetSeconds: Double; var unetCalls: Int }

    /// Submits `request` to a `GenerationSession` and times the events as the studio would see them.
    func runClip(network: AnimatorNetwork, request: GenerationRequest) throws -> ClipTiming {
        final class Timing: @unchecked Sendable {
            let lock = NSLock()
            let done = DispatchSemaphore(value: 0)
            var start: UInt64 = 0
            var firstStep: UInt64?
            var lastStep: UInt64 = 0
            var end: UInt64 = 0
            var failure: String?
        }
        let timing = Timing()
        let session = GenerationSession(network: network) { event in
            let now = DispatchTime.now().uptimeNanoseconds
            timing.lock.withLock {
                switch event {
                case .step:
                    if timing.firstStep == nil { timing.firstStep = now }
                    timing.lastStep = now
                case .finished:
                    timing.end = now
                    timing.done.signal()
                case .failed(_, let message):
                    timing.failure = message
                    timing.done.signal()
                case .cancelled:
                    timing.failure = "cancelled"
                    timing.done.signal()
                case .started:
                    break
                }
            }
        }
        timing.lock.withLock { timing.start = DispatchTime.now().uptimeNanoseconds }
        session.submit(request)
        timing.done.wait()
        session.shutDown()
        let unet = (seconds: session.generator.unetSeconds, calls: session.generator.unetCalls)
        return try timing.lock.withLock {
            if let failure = timing.failure {
                FileHandle.standardError.write(Data("error: the clip did not finish: \(failure)\n".utf8))
                throw ExitCode(3)
            }
            let first = timing.firstStep ?? timing.end
            return ClipTiming(total: Double(timing.end - timing.start) / 1e9,
                              firstPreview: Double(first - timing.start) / 1e9,
                              perStep: steps > 1 ? Double(timing.lastStep - first) / 1e9 / Double(steps - 1) : 0,
                              unetSeconds: unet.seconds, unetCalls: unet.calls)
        }
    }

    // MARK: - PyTorch

    struct TorchResult { var forwardSeconds: Double; var relativeDifference: Double; var version: String; var threads: Int; var peakMB: String }

    /// Writes the weights and the batch to a temporary folder and runs bench/generate_torch.py on them.
    /// Prints one line and returns nil when Python, torch or the script is missing, or the script fails.
    func runTorch(network: AnimatorNetwork, inputs: ClipConditioning.UNetInputs, output: Tensor, threads: Int) -> TorchResult? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("bench/generate_torch.py").path
        let candidates = [python, root.appendingPathComponent(".venv/bin/python").path, "/usr/bin/python3"].compactMap { $0 }
        guard FileManager.default.fileExists(atPath: script) else {
            print("PyTorch mirror: skipped (no \(script); run from a source checkout)")
            return nil
        }
        guard let py = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("PyTorch mirror: skipped (no Python found; `make venv` or pass --python PATH)")
            return nil
        }
        let probe = Self.runProcess(py, ["-c", "import torch, safetensors"])
        guard probe.status == 0 else {
            print("PyTorch mirror: skipped (\(py) cannot import torch and safetensors; install them or pass --python PATH)")
            return nil
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoetrope-bench-generate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = dir.appendingPathComponent("model.safetensors").path
        let batch = dir.appendingPathComponent("batch.safetensors").path
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try network.saveCheckpoint(to: weights)
            var items: [SafetensorsWriter.Item] = [
                .init(name: "x", tensor: inputs.x),
                .init(name: "timesteps", tensor: Tensor(shape: [inputs.timesteps.count], values: inputs.timesteps)),
                .init(name: "prompt", tensor: inputs.prompt),
                .init(name: "v", tensor: output),
            ]
            for (level, t) in inputs.reference.sorted(by: { $0.key < $1.key }) { items.append(.init(name: "reference.\(level)", tensor: t)) }
            for (i, t) in inputs.guidance.enumerated() { items.append(.init(name: "guidance.\(i)", tensor: t)) }
            try SafetensorsWriter.write(items, metadata: [("frames", "\(inputs.frames)")], to: batch)
        } catch {
            print("PyTorch mirror: skipped (cannot write the temporary files: \(error))")
            return nil
        }
        let run = Self.runProcess(py, [script, "--checkpoint", weights, "--batch", batch, "--threads", "\(threads)",
                                       "--repeats", "\(repeats)"])
        var values: [String: String] = [:]
        for line in run.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        guard run.status == 0, let ms = values["forward_ms"].flatMap(Double.init),
              let difference = values["max_rel_diff"].flatMap(Double.init) else {
            let why = run.stderr.split(separator: "\n").last.map(String.init) ?? "exit status \(run.status)"
            print("PyTorch mirror: skipped (\(script) failed: \(why))")
            return nil
        }
        return TorchResult(forwardSeconds: ms / 1000, relativeDifference: difference, version: values["torch"] ?? "torch",
                           threads: values["threads"].flatMap(Int.init) ?? threads, peakMB: values["peak_rss_mb"] ?? "-")
    }

    // MARK: - Helpers

    /// Runs a tool to completion, capturing its output through temporary files.
    static func runProcess(_ tool: String, _ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("zoetrope-bench-\(UUID().uuidString)")
        let outURL = base.appendingPathExtension("out"), errURL = base.appendingPathExtension("err")
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil),
              let out = try? FileHandle(forWritingTo: outURL), let err = try? FileHandle(forWritingTo: errURL) else {
            return (-1, "", "cannot create temporary files")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return (-1, "", "\(error)") }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let read = { (url: URL) in (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) } ?? "" }
        return (process.terminationStatus, read(outURL), read(errURL))
    }

    /// A `/proc/self/status` field in kB (`VmHWM`, `VmRSS`), or nil where there is no procfs.
    static func procStatus(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }

    /// The 1-, 5- and 15-minute load averages, or "-".
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "-" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
