import ArgumentParser
import Dancers
import Engine
import Foundation
import Imaging
import Media

/// `zoetrope eval --checkpoint X`: the model against held-out Dancers clips (test split: identities and motions
/// never seen in training), with two baselines in the same table.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint on held-out procedural clips: L1/PSNR/SSIM (frame, face, hands), flicker, FD proxy.",
        discussion: """
        Clips come from the Dancers test split (identities and motions the trainer never sees). Each clip is generated
        from its pose sequence and per-frame captions, with a reference frame of the same person from another clip
        (another dance, often other light and expression).
        Baselines: copy-the-reference (every frame is the reference) and the model without pose guidance.
        "FD (proxy)" is a Fréchet distance between Gaussian fits of features from a fixed, seeded random
        convolutional network — a proxy for distribution distance, not FVD.

        Example:
          zoetrope eval --checkpoint demo/model.safetensors --clips 8 --out runs/eval
        """)

    @Option(name: .long, help: ArgumentHelp("The model to evaluate (default: the bundled demo/model.safetensors).", valueName: "FILE"))
    var checkpoint: String?

    @Option(name: .long, help: "Held-out clips to evaluate.")
    var clips = 8

    @Option(name: .long, help: "Frames per clip.")
    var frames = 16

    @Option(name: .long, help: "Denoising steps.")
    var steps = 20

    @Option(name: .long, help: "Sampler: ddim, euler, euler-a or dpmpp-2m.")
    var sampler = "dpmpp-2m"

    @Option(name: .long, help: "Guidance scale (reference and prompt together; the unconditional pass keeps the pose).")
    var guidance = 1.5

    @Option(name: .long, help: "Start noise strength (HIA's reference-noise start): 1 = pure noise, below 1 starts from the reference image noised to that level.")
    var referenceNoise = 1.0

    @Option(name: .long, help: "Dataset seed of the held-out split.")
    var datasetSeed: UInt64 = 7

    @Option(name: .long, help: "Sampling seed.")
    var seed: UInt64 = 1

    @Flag(name: .long, help: "Feed the sharp cue (1, 1) instead of the one inferred from the shutter and the pose speed (for models trained with training.blurCondition false: the blur ablation).")
    var noBlurCue = false

    @Flag(name: .long, help: "Skip the no-pose baseline (halves the time).")
    var noBaselines = false

    @Flag(name: .long, help: "Also report one-step denoising: the x0 the model predicts from the noised ground truth at several timesteps.")
    var denoising = false

    @Option(name: [.short, .long], help: ArgumentHelp("Folder for eval.md, eval.json and sample frames.", valueName: "DIR"))
    var out: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...256).contains(clips) else { throw ValidationError("--clips must be 1 to 256, got \(clips)") }
        guard (2...64).contains(frames) else { throw ValidationError("--frames must be 2 to 64, got \(frames)") }
        guard (1...1000).contains(steps) else { throw ValidationError("--steps must be 1 to 1000, got \(steps)") }
        guard SamplerKind(rawValue: sampler) != nil else { throw ValidationError("--sampler must be ddim, euler, euler-a or dpmpp-2m, got \(sampler)") }
        guard guidance.isFinite, guidance >= 0 else { throw ValidationError("--guidance must be a non-negative number") }
        guard referenceNoise.isFinite, referenceNoise > 0, referenceNoise <= 1 else {
            throw ValidationError("--reference-noise must be in (0, 1] (1 = start from pure noise), got \(referenceNoise)")
        }
    }

    func run() throws {
        try global.apply()
        guard let modelURL = checkpoint.map({ URL(fileURLWithPath: $0) }) ?? ProjectLoader.bundledModel() else {
            throw ValidationError("no --checkpoint given and no bundled demo/model.safetensors found")
        }
        let network: AnimatorNetwork
        do { network = try AnimatorNetwork.loadCheckpoint(path: modelURL.path) } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let s = network.config.imageSize
        var config = SynthConfiguration()
        config.width = s
        config.height = s
        config.frames = frames + 4
        config.identities = 1_000_000
        config.seed = datasetSeed
        config.split = .test
        let dancers = try DancerGenerator(config)
        let generator = ClipGenerator(network: network)
        var methods: [(name: String, guidance: GuidanceConfig?)] = [("Zoetrope", .init(base: [.pose], terms: [GuidanceTerm([.reference, .prompt], scale: .constant(guidance))]))]
        if !noBaselines {
            methods.append(("without pose guidance", .init(base: [], terms: [GuidanceTerm([.reference, .prompt], scale: .constant(guidance))])))
        }
        methods.append(("copy the reference", nil))
        var scores = methods.map { _ in EvalScores() }
        var gtFeatures: [[Double]] = [], methodFeatures = methods.map { _ in [[Double]]() }
        let features = RandomFeatureNetwork(seed: 2026)
        let outURL = out.map { URL(fileURLWithPath: $0) }
        if let outURL { try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true) }
        let started = Date()
        if denoising {
            print(try DenoisingCheck.run(network: network, dancers: dancers, clips: clips, frames: frames, referenceOffset: config.identities))
        }
        for c in 0..<clips {
            let clip = dancers.clip(c)
            let window = Array(clip.frames[0..<frames])
            // The reference: the same person in another clip (another dance, often other light and expression),
            // so copying it is not already the answer.
            let reference = dancers.clip(c + config.identities).frames[frames / 2].image
            let poses = window.map(\.pose)
            let inferred = ConditionMaps.inferenceCues(poses: poses, shutter: clip.shutter, size: s)
            let cues = noBlurCue ? inferred.map { $0.map { _ in 1 } } : inferred
            var request = GenerationRequest(reference: reference, conditions: ConditionMaps.clip(poses: poses, cues: cues, size: s),
                                            frameCount: frames)
            // Prompt traveling over the clip's own captions: one-hot weights per frame.
            var prompts: [String] = []
            for f in window where !prompts.contains(promptCaption(f)) { prompts.append(promptCaption(f)) }
            request.prompts = prompts
            request.framePrompts = window.enumerated().map { i, f in .single(frame: i, prompt: prompts.firstIndex(of: promptCaption(f)) ?? 0) }
            request.seed = seed &+ UInt64(c)
            request.sampler.steps = steps
            request.referenceNoise = referenceNoise
            request.sampler.sampler = SamplerKind(rawValue: sampler) ?? .dpmSolver2M
            let truth = window.map(\.image)
            gtFeatures += truth.map(features.callAsFunction)
            for (m, method) in methods.enumerated() {
                let result: [RGBImage]
                if let g = method.guidance {
                    request.guidance = g
                    guard let frames = try generator.run(request, onStep: { _, _, _ in true }) else { continue }
                    result = frames
                } else {
                    result = Array(repeating: reference, count: frames)
                }
                try scores[m].add(result: result, truth: truth, frames: window, size: s)
                methodFeatures[m] += result.map(features.callAsFunction)
                if let outURL, c < 2, method.guidance != nil {
                    let sheet = ContactSheetRow.make(truth: truth, result: result)
                    try PNGWriter.write(sheet, to: outURL.appendingPathComponent("clip\(c)-\(m).png"))
                }
            }
            FileHandle.standardError.write(Data("eval: clip \(c + 1)/\(clips) done (\(Int(Date().timeIntervalSince(started))) s)\n".utf8))
        }
        let fd = methodFeatures.map { FrechetDistance.between(gtFeatures, $0) }
        let report = EvalReport(checkpoint: modelURL.path, clips: clips, frames: frames, steps: steps, guidance: guidance, sampler: sampler, referenceNoise: referenceNoise,
                                methods: methods.map(\.name), scores: scores, fd: fd)
        print(report.markdown)
        if let outURL {
            try report.markdown.write(to: outURL.appendingPathComponent("eval.md"), atomically: true, encoding: .utf8)
            try report.json.write(to: outURL.appendingPathComponent("eval.json"), atomically: true, encoding: .utf8)
        }
    }
}
