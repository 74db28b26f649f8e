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
        let panels = ProjectLoader.exportPanels(layout: document.output.layout, frames: frames, poses: setup.poses,
                                                reference: setup.reference)
        let report: ClipReport
        do {
            report = try ClipExporter.export(frameCount: frames.count, to: outputURL, options: options, panels: panels)
        } catch {
            throw RenderFailure("\(error)", code: 3)
        }
        progress.finished(path: outputURL.path, frames: report.frameCount)
    }
}

/// Everything loaded from a project's files before generating: the model, the reference, the poses
/// (through Media's `ProjectLoader`, which the studio uses too).
struct RenderSetup {
    let network: AnimatorNetwork
    let reference: RGBImage
    let poses: [Pose]
    let projectURL: URL
    var size: Int { network.config.imageSize }

    init(document: ProjectDocument, projectURL: URL, modelOverride: String?) throws {
        self.projectURL = projectURL
        do {
            network = try ProjectLoader.loadModel(try ProjectLoader.modelURL(document: document, projectURL: projectURL, override: modelOverride))
            reference = try ProjectLoader.loadReference(document: document, projectURL: projectURL, size: network.config.imageSize)
            let all = try ProjectLoader.loadPoses(document: document, projectURL: projectURL)
            poses = try ProjectLoader.clipPoses(document: document, projectURL: projectURL, poses: all)
        } catch {
            throw RenderFailure(error.description)
        }
    }

    /// The generation request the project describes.
    func request(document: ProjectDocument) throws(RenderFailure) -> GenerationRequest {
        do {
            return try ProjectLoader.request(document: document, projectURL: projectURL, reference: reference, poses: poses,
                                             config: network.config)
        } catch {
            throw RenderFailure(error.description)
        }
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
