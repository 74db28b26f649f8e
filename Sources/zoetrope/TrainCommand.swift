import ArgumentParser
import Dancers
import Engine
import Foundation

/// Set by SIGINT / SIGTERM: the training loop saves its state and stops at the end of the current step.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

/// `zoetrope train --recipe FILE`: HIA's progressive training, resumable at any point.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an animation model from a recipe: progressive stages, EMA, checkpoints, resume.",
        discussion: """
        The run folder holds the recipe, train.jsonl (one JSON line per logged step), state.safetensors (weights, EMA
        and optimiser moments, written atomically every `checkpointEvery` steps), one EMA checkpoint per finished stage
        and model.safetensors (the last stage's). Running the same command again resumes where the folder left off —
        after Ctrl-C, a crash or kill -9 — with the same data and noise the uninterrupted run would have used.

        Example:
          zoetrope train --recipe demo/recipe.json --out runs/demo
        """)

    @Option(name: .long, help: ArgumentHelp("The training recipe (JSON; see docs/MODEL.md).", valueName: "FILE"))
    var recipe: String

    @Option(name: [.short, .long], help: ArgumentHelp("Run folder (default: runs/<recipe name>).", valueName: "DIR"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Stop after this many steps in this invocation (state is saved; run again to go on).", valueName: "N"))
    var maxSteps: Int?

    @Flag(name: .long, help: "Progress as JSON lines on stdout instead of a progress bar.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be at least 1, got \(maxSteps)") }
    }

    func run() throws {
        try global.apply()
        do {
            try train()
        } catch let e as RecipeError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(2)
        } catch let e as TrainStop {
            throw ExitCode(e.code)
        }
    }

    private func train() throws {
        let recipeURL = URL(fileURLWithPath: recipe)
        let r = try TrainRecipe.load(recipeURL)
        let outURL = URL(fileURLWithPath: out ?? "runs/\(r.name)")
        do { try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true) } catch {
            throw RecipeError("run folder \(outURL.path): cannot be created (\(error.localizedDescription))")
        }
        let data: TrainingDataSource
        switch r.data {
        case .dancers(let identities, let seed, let lo, let hi):
            data = DancerTrainingData(identities: identities, seed: seed, shutterMin: lo, shutterMax: hi, blurCondition: r.blurCondition)
        case .folder(let url):
            do {
                var folder = try FolderTrainingData(url, seed: r.seed)
                folder.blurCondition = r.blurCondition
                data = folder
            } catch let e as RecipeError { throw e } catch {
                throw RecipeError("dataset \(url.path): \(error)")
            }
        }
        try? r.text.write(to: outURL.appendingPathComponent("recipe.json"), atomically: true, encoding: .utf8)
        let log = TrainLog(url: outURL.appendingPathComponent("train.jsonl"))
        signal(SIGINT) { _ in stopRequested = 1 }
        signal(SIGTERM) { _ in stopRequested = 1 }
        var stepsThisRun = 0
        let statePath = outURL.appendingPathComponent("state.safetensors").path
        var previous: URL?
        for (si, stage) in r.stages.enumerated() {
            let final = outURL.appendingPathComponent("\(si + 1)-\(stage.name).safetensors")
            defer { previous = final }
            if FileManager.default.fileExists(atPath: final.path) { continue }
            var config = r.model
            config.hasTemporal = stage.temporal
            config.vocabulary = Captions.vocabulary
            let network = try AnimatorNetwork(config: config, seed: r.seed)
            if let previous { try loadMatching(network, from: previous) }
            var options = r.options
            options.schedule.snrShift = stage.snrShift
            options.temporalOnly = stage.temporalOnly
            options.timesteps = stage.timesteps
            options.timestepsShare = Float(stage.timestepsShare)
            var adam = AdamW.Configuration()
            adam.learningRate = stage.learningRate
            adam.weightDecay = r.weightDecay
            let trainer = DiffusionTrainer(network: network, options: options, optimizer: adam, emaDecay: r.emaDecay,
                                           seed: r.seed &+ UInt64(si) &* 7919)
            if FileManager.default.fileExists(atPath: statePath) {
                let file = try SafetensorsFile(path: statePath)
                if file.metadataValue("zoetrope.train.stage") == stage.name {
                    try trainer.loadState(from: file)
                    message("resuming stage \(si + 1) \"\(stage.name)\" at step \(trainer.step) of \(stage.steps)")
                }
            }
            let metadata: [(key: String, value: String)] = [("zoetrope.train.stage", stage.name), ("zoetrope.train.recipe", r.text)]
            func saveState() throws {
                try trainer.saveState(to: statePath, metadata: metadata)
            }
            let schedule = LearningRateSchedule.cosineWithWarmup(warmup: stage.warmup, total: stage.steps)
            let bar = TrainProgress(stage: stage, index: si, stageCount: r.stages.count, json: json)
            bar.begin(at: trainer.step)
            while trainer.step < stage.steps {
                let step = trainer.step
                let batch = try data.batch(stage: stage, stageIndex: si, step: step)
                let lr = stage.learningRate * schedule.multiplier(at: step)
                let result = try trainer.train(batch, learningRate: lr)
                stepsThisRun += 1
                guard result.loss.isFinite else {
                    message("stage \"\(stage.name)\" step \(step + 1): the loss is \(result.loss); lower learningRate in the recipe (state kept at the last checkpoint)")
                    throw TrainStop(code: 1)
                }
                bar.update(step: trainer.step, loss: result.loss)
                if trainer.step % r.logEvery == 0 || trainer.step == stage.steps {
                    log.write(stage: stage.name, stageIndex: si, step: trainer.step, result: result, lr: lr, rate: bar.rate, elapsed: bar.elapsed)
                }
                if trainer.step % r.checkpointEvery == 0 { try saveState() }
                if stopRequested != 0 || (maxSteps.map { stepsThisRun >= $0 } ?? false) {
                    try saveState()
                    bar.end()
                    message("stopped at stage \(si + 1) \"\(stage.name)\" step \(trainer.step); run the same command again to resume")
                    throw TrainStop(code: stopRequested != 0 ? 130 : 0)
                }
            }
            bar.end()
            // The stage's result: the EMA weights, with the noise schedule generation must use.
            let saved = trainer.swapInEMA()
            network.noise = options.schedule
            try network.saveCheckpoint(to: final.path, extraMetadata: metadata)
            trainer.restoreParameters(saved)
            try? FileManager.default.removeItem(atPath: statePath)
            message("stage \(si + 1) \"\(stage.name)\" done: \(final.path)")
        }
        if let previous {
            let model = outURL.appendingPathComponent("model.safetensors")
            try? FileManager.default.removeItem(at: model)
            try FileManager.default.copyItem(at: previous, to: model)
            message("model: \(model.path)")
        }
    }

    /// Loads the previous stage's weights; parameters it lacks must be new temporal layers (they keep their
    /// zero-initialised output, so the network starts as the image model).
    private func loadMatching(_ network: AnimatorNetwork, from url: URL) throws {
        let file = try SafetensorsFile(path: url.path)
        for (name, t) in network.namedParameters() {
            guard let e = file.entry(name) else {
                if name.contains(".temporal.") { continue }
                throw RecipeError("\(url.path): parameter \"\(name)\" is missing; the recipe's model changed between stages")
            }
            guard e.shape == t.shape else {
                throw RecipeError("\(url.path): parameter \"\(name)\" has shape \(e.shape), the stage's model expects \(t.shape)")
            }
            let loaded = try file.tensor(name)
            t.data.update(from: loaded.data, count: t.count)
        }
    }

    private func message(_ text: String) {
        if json {
            print("{\"event\": \"message\", \"text\": \(jsonString(text))}")
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }
}

/// Ends `train` with an exit code after a message was printed.
private struct TrainStop: Error { var code: Int32 }

/// JSON string literal.
private func jsonString(_ s: String) -> String { JSONValue.string(s).serialized() }

/// Appends one JSON object per logged step to `train.jsonl`.
private final class TrainLog {
    let handle: FileHandle?

    init(url: URL) {
        if !FileManager.default.fileExists(atPath: url.path) { FileManager.default.createFile(atPath: url.path, contents: nil) }
        handle = try? FileHandle(forWritingTo: url)
        _ = try? handle?.seekToEnd()
    }

    func write(stage: String, stageIndex: Int, step: Int, result: TrainingStepResult, lr: Float, rate: Double, elapsed: Double) {
        func num(_ v: Float?) -> String { v.map { $0.isFinite ? String(format: "%.6g", Double($0)) : "null" } ?? "null" }
        let line = "{\"stage\": \(jsonString(stage)), \"stageIndex\": \(stageIndex), \"step\": \(step), \"loss\": \(num(result.loss)), "
            + "\"mse\": \(num(result.mse)), \"faceMSE\": \(num(result.faceMSE)), \"handMSE\": \(num(result.handMSE)), "
            + "\"gradNorm\": \(num(result.gradientNorm)), \"lr\": \(num(lr)), \"itPerSec\": \(String(format: "%.4g", rate)), "
            + "\"elapsed\": \(String(format: "%.1f", elapsed)), \"time\": \(jsonString(ISO8601DateFormatter().string(from: Date())))}\n"
        handle?.write(Data(line.utf8))
    }
}

/// The progress bar: stage, steps, loss (smoothed), it/s, ETA. A bar on a terminal, a line every few seconds otherwise.
private final class TrainProgress {
    let stage: TrainRecipe.Stage
    let index: Int
    let stageCount: Int
    let json: Bool
    let tty = isatty(STDERR_FILENO) != 0
    var start = Date()
    var startStep = 0
    var smoothed: Float?
    var lastPrint = Date.distantPast
    var rate: Double = 0
    var elapsed: Double { Date().timeIntervalSince(start) }

    init(stage: TrainRecipe.Stage, index: Int, stageCount: Int, json: Bool) {
        (self.stage, self.index, self.stageCount, self.json) = (stage, index, stageCount, json)
    }

    func begin(at step: Int) {
        start = Date()
        startStep = step
    }

    func update(step: Int, loss: Float) {
        smoothed = smoothed.map { 0.95 * $0 + 0.05 * loss } ?? loss
        let done = step - startStep
        rate = Double(done) / max(elapsed, 1e-6)
        let eta = rate > 0 ? Double(stage.steps - step) / rate : 0
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= (tty && !json ? 0.25 : 5) || step == stage.steps else { return }
        lastPrint = now
        let loss = String(format: "%.4f", Double(smoothed ?? loss))
        if json {
            print("{\"event\": \"step\", \"stage\": \(jsonString(stage.name)), \"step\": \(step), \"steps\": \(stage.steps), \"loss\": \(loss), \"itPerSec\": \(String(format: "%.3f", rate)), \"eta\": \(Int(eta))}")
            fflush(nil)
            return
        }
        let width = 24, filled = Int(Double(width) * Double(step) / Double(max(1, stage.steps)))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let text = "stage \(index + 1)/\(stageCount) \(stage.name) \(bar) \(step)/\(stage.steps)  loss \(loss)  "
            + String(format: "%.2f it/s", rate) + "  ETA \(Self.duration(eta))"
        FileHandle.standardError.write(Data((tty ? "\r\u{1B}[K" + text : text + "\n").utf8))
    }

    func end() {
        if tty && !json { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(String(format: "%02d", t % 3600 / 60))m" : "\(t / 60)m\(String(format: "%02d", t % 60))s"
    }
}
