import ArgumentParser
import Dancers
import Engine
import Foundation
import Imaging
import Media

/// `zoetrope render PROJECT`: the studio's generation, headless — same project document, same engine API.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a project's clip without the studio and export it (MP4, GIF or PNG frames).",
        discussion: """
        Reads PROJECT (*.zoetrope.json: reference image, poses, model, seed, sampler, guidance, prompt keyframes,
        output settings), generates the clip on the CPU and exports it. Paths in the project are relative to it.

        Exit codes: 0 done; 1 bad input (project, model, images, poses); 3 generation or export failed; 130 interrupted.

        Examples:
          zoetrope render demo/demo.zoetrope.json                       export to the project's output path
          zoetrope render demo/demo.zoetrope.json -o clip.gif --force   another file, replacing it
          zoetrope render p.zoetrope.json --steps 8 --seed 7 --json     scripted: one JSON event per line on stdout
        """
    )

    @Argument(help: "The project file (*.zoetrope.json).")
    var project: String

    @Option(name: [.short, .customLong("output")], help: "Output file or folder (default: the project's output path).")
    var output: String?

    @Option(help: "Override the project's steps.")
    var steps: Int?

    @Option(help: "Override the project's seed.")
    var seed: UInt64?

    @Option(help: "Model checkpoint (default: the project's, else the bundled demo model).")
    var model: String?

    @Flag(help: "Print events as JSON lines on stdout (started, step, finished) instead of a progress bar.")
    var json = false

    @Flag(help: "Replace an existing output.")
    var force = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let steps, !(1...1000).contains(steps) { throw ValidationError("--steps must be from 1 to 1000, got \(steps)") }
    }

    func run() throws {
        do {
            try render()
        } catch let failure as RenderFailure {
            FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
            throw ExitCode(failure.code)
        }
    }

    private func render() throws {
        try global.apply()
        let projectURL = URL(fileURLWithPath: project)
        let document: ProjectDocument
        do { document = try ProjectDocument.load(from: projectURL) } catch { throw RenderFailure(error.description) }
        let setup = try RenderSetup(document: document, projectURL: projectURL, modelOverride: model)
        var request = try setup.request(document: document)
        if let steps { request.sampler.steps = steps }
        if let seed { request.seed = seed }

        let outputURL = output.map { URL(fileURLWithPath: $0) }
            ?? ProjectDocument.resolve(document.output.path, relativeTo: projectURL)
        // -o decides the kind by its extension; otherwise the project's output format does.
        let chosen = output != nil ? ClipFormat.inferred(from: outputURL)
            : ClipFormat(rawValue: document.output.format) ?? ClipFormat.inferred(from: outputURL)
        guard let format = chosen else {
            throw RenderFailure("\(outputURL.path): unknown output kind (use .mp4, .gif or a folder name)")
        }
        if !force, FileManager.default.fileExists(atPath: outputURL.path) {
            throw RenderFailure("\(outputURL.path): already exists (use --force to replace it)")
        }

        let generator = ClipGenerator(network: setup.network)
        do { try generator.validate(request) } catch { throw RenderFailure("\(projectURL.path): \(error.description)") }
        let warnings = generator.warnings(for: request)
        let progress = Progress(json: json, total: request.sampler.steps)
        progress.started(warnings: warnings)
        let frames: [RGBImage]
        do {
            guard let result = try generator.run(request, onStep: { i, n, _ in progress.step(i, n); return true }) else {
                throw ExitCode(130)
            }
            frames = result
        } catch let error as GenerationError {
            throw RenderFailure("\(projectURL.path): \(error.description)", code: 3)
        }

        var options = ClipOptions(format: format)
        options.fps = document.fps
        options.upscale = document.output.upscale
        options.filter = ResampleFilter(rawValue: document.output.filter) ?? .nearest
        options.overwrite = force
        let poseMaps = setup.poses.map { ConditionMaps.poseMap($0, width: setup.size, height: setup.size) }
        let report: ClipReport
        do {
            report = try ClipExporter.export(frameCount: frames.count, to: outputURL, options: options) { i in
                switch document.output.layout {
                case "pose|result": return [poseMaps[i], frames[i]]
                case "reference|pose|result": return [setup.reference, poseMaps[i], frames[i]]
                default: return [frames[i]]
                }
            }
        } catch {
            throw RenderFailure("\(error)", code: 3)
        }
        progress.finished(path: outputURL.path, frames: report.frameCount)
    }
}

/// Everything loaded from a project's files before generating: the model, the reference, the poses.
struct RenderSetup {
    let network: AnimatorNetwork
    let reference: RGBImage
    let poses: [Pose]
    var size: Int { network.config.imageSize }

    /// The bundled demo model, looked up beside the executable's repository and in the working directory.
    static func bundledModel() -> URL? {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [URL(fileURLWithPath: "demo/model.safetensors")]
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("demo/model.safetensors"))
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    init(document: ProjectDocument, projectURL: URL, modelOverride: String?) throws {
        let modelURL: URL
        if let modelOverride {
            modelURL = URL(fileURLWithPath: modelOverride)
        } else if let path = document.model {
            modelURL = ProjectDocument.resolve(path, relativeTo: projectURL)
        } else if let bundled = Self.bundledModel() {
            modelURL = bundled
        } else {
            throw RenderFailure("\(projectURL.path): no \"model\" given and no bundled model found (demo/model.safetensors); set \"model\" or pass --model")
        }
        do { network = try AnimatorNetwork.loadCheckpoint(path: modelURL.path) } catch { throw RenderFailure(error.description) }
        let s = network.config.imageSize
        let referenceURL = ProjectDocument.resolve(document.reference, relativeTo: projectURL)
        do {
            reference = try ImageFile.read(referenceURL).fittedToSquare(side: s, mode: .letterbox, fill: RGB(0, 0, 0), filter: .lanczos3)
        } catch {
            throw RenderFailure("\(error)")
        }
        let posesURL = ProjectDocument.resolve(document.poses, relativeTo: projectURL)
        do { poses = try PoseFileReader().readSequence(posesURL) } catch { throw RenderFailure(error.description) }
        if poses.isEmpty { throw RenderFailure("\(posesURL.path): no poses found") }
        if let frames = document.frames, frames != poses.count {
            throw RenderFailure("\(projectURL.path): \"frames\" is \(frames) but \(posesURL.path) holds \(poses.count) poses (remove \"frames\" or give as many poses)")
        }
    }

    /// The generation request the project describes.
    func request(document: ProjectDocument) throws(RenderFailure) -> GenerationRequest {
        let cues = ConditionMaps.inferenceCues(poses: poses, shutter: Float(document.shutter), size: size)
        var request = GenerationRequest(reference: reference, conditions: ConditionMaps.clip(poses: poses, cues: cues, size: size),
                                        frameCount: poses.count)
        request.seed = document.seed
        request.sampler.steps = document.steps
        request.sampler.sampler = SamplerKind(rawValue: document.sampler) ?? .dpmSolver2M
        let g = document.guidance
        request.guidance = .animation(referenceScale: .ramp(from: g.reference * g.rampStart, to: g.reference),
                                      promptScale: .ramp(from: g.prompt * g.rampStart, to: g.prompt), rescale: g.rescale)
        request.referenceNoise = document.referenceNoise
        let window = min(document.context.length, network.config.frameWindow)
        request.context = poses.count > window
            ? ContextWindowConfig(length: window, overlap: min(document.context.overlap, window - 1),
                                  fusion: ContextFusion(rawValue: document.context.fusion) ?? .pyramid,
                                  closedLoop: document.context.loop)
            : nil
        // Prompt keyframes go through the same parser as prompt_map files, so the semantics are one.
        let map = JSONValue.object([
            ("prompt_map", .object(document.prompts.keyframes.map { (String($0.frame), JSONValue.string($0.prompt)) })),
            ("head_prompt", .string(document.prompts.head)), ("tail_prompt", .string(document.prompts.tail)),
        ])
        let schedule: PromptSchedule
        do {
            schedule = try PromptScheduleParser.parse(map.serialized(), fileName: "prompt keyframes", frameCount: poses.count)
        } catch {
            throw RenderFailure("\(error)")
        }
        var options = PromptTravelOptions()
        options.interpolation = PromptInterpolation(rawValue: document.prompts.interpolation) ?? .lerp
        options.holdRatio = document.prompts.holdRatio
        options.wrapAround = document.prompts.wrap
        request.prompts = schedule.prompts
        request.framePrompts = schedule.framePrompts(options: options)
        request.interpolation = options.interpolation
        return request
    }
}

/// A render that cannot go on: one line, and the exit code.
struct RenderFailure: Error, CustomStringConvertible {
    var description: String
    var code: Int32 = 1
    init(_ description: String, code: Int32 = 1) { self.description = description; self.code = code }
}

/// Progress on stderr (a bar with step, it/s and ETA) or JSON lines on stdout.
final class Progress {
    let json: Bool
    let total: Int
    let start = Date()

    init(json: Bool, total: Int) { self.json = json; self.total = total }

    func emit(_ value: JSONValue) {
        FileHandle.standardOutput.write(Data((value.serialized(indent: 0) + "\n").utf8))
    }

    func started(warnings: [String]) {
        if json {
            emit(.object([("event", .string("started")), ("steps", .integer(Int64(total))), ("warnings", .array(warnings.map { .string($0) }))]))
        } else {
            for w in warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        }
    }

    func step(_ index: Int, _ count: Int) {
        let elapsed = Date().timeIntervalSince(start)
        let done = index + 1
        let rate = Double(done) / max(elapsed, 1e-9)
        if json {
            emit(.object([("event", .string("step")), ("step", .integer(Int64(done))), ("of", .integer(Int64(count))),
                          ("elapsed", .number((elapsed * 1000).rounded() / 1000))]))
        } else {
            let width = 30, filled = width * done / max(count, 1)
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let eta = Double(count - done) / max(rate, 1e-9)
            FileHandle.standardError.write(Data(String(format: "\rrender %@ step %d/%d  %.2f it/s  ETA %.0fs ", bar, done, count, rate, eta).utf8))
        }
    }

    func finished(path: String, frames: Int) {
        if json {
            emit(.object([("event", .string("finished")), ("path", .string(path)), ("frames", .integer(Int64(frames)))]))
        } else {
            FileHandle.standardError.write(Data("\r\u{1B}[Kwrote \(path) (\(frames) frames)\n".utf8))
        }
    }
}
