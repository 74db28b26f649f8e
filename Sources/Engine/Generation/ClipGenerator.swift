import Imaging

/// Runs one generation request on the calling thread: encodes the reference, conditions and prompts once, then
/// the denoising loop with the network as its model. Used by `GenerationSession` on its engine thread.
///
/// Dropped conditions (for classifier-free guidance) are: the reference → the features of a blank (mid-grey)
/// reference image; the prompt → the empty prompt; the pose → no guidance residuals.
public final class ClipGenerator {
    /// The network (weights shared; not thread-safe: one generator per thread).
    public let network: AnimatorNetwork
    private var referenceCache: (image: RGBImage, tokens: [Int: Tensor])?
    private var blankReference: [Int: Tensor]?
    private var promptCache: [String: [Float]] = [:]

    public init(network: AnimatorNetwork) { self.network = network }

    /// Validates a request against the network; one line naming the field when it does not fit.
    public func validate(_ request: GenerationRequest) throws(GenerationError) {
        let c = network.config, s = c.imageSize
        guard request.frameCount >= 1 else { throw GenerationError("frame count must be at least 1, got \(request.frameCount)") }
        guard request.reference.width == s, request.reference.height == s else {
            throw GenerationError("reference image is \(request.reference.width)×\(request.reference.height), the model works at \(s)×\(s) (resize it first)")
        }
        let expected = request.frameCount * c.conditionChannels * s * s
        guard request.conditions.count == expected else {
            throw GenerationError("condition maps hold \(request.conditions.count) values, expected \(expected) (\(request.frameCount) frames × \(c.conditionChannels) × \(s) × \(s))")
        }
        guard !request.prompts.isEmpty else { throw GenerationError("at least one prompt is needed (it may be empty)") }
        guard request.framePrompts.isEmpty || request.framePrompts.count == request.frameCount else {
            throw GenerationError("\(request.framePrompts.count) per-frame prompt weights for \(request.frameCount) frames")
        }
        guard request.referenceNoise.isFinite, (0...1).contains(request.referenceNoise) else {
            throw GenerationError("reference noise strength must be between 0 and 1, got \(request.referenceNoise)")
        }
        if let context = request.context, context.length > c.frameWindow {
            throw GenerationError("context window of \(context.length) frames is longer than the model's window of \(c.frameWindow)")
        }
    }

    /// Words of the prompts the model does not know (reported, never silently dropped).
    public func warnings(for request: GenerationRequest) -> [String] {
        var out: [String] = []
        for prompt in request.prompts {
            let t = network.prompt.tokenizer.tokenize(prompt)
            if !t.unknownWords.isEmpty {
                out.append("prompt \"\(prompt)\": unknown words \(t.unknownWords.map(\.word).joined(separator: ", ")) (the model's vocabulary has \(network.config.vocabulary.count) words)")
            }
            if !t.truncated.isEmpty {
                out.append("prompt \"\(prompt)\": longer than \(network.config.promptLength - 1) words; ignored: \(t.truncated.joined(separator: " "))")
            }
        }
        return out
    }

    /// Runs the request. `onStep(index, count, previews)` returns false to cancel (then the result is nil).
    public func run(_ request: GenerationRequest,
                    onStep: (_ index: Int, _ count: Int, _ previews: [Float]) -> Bool) throws -> [RGBImage]? {
        try validate(request)
        let c = network.config, s = c.imageSize, f = request.frameCount
        let perFrame = 3 * s * s
        // Once per clip: reference tokens (cached across requests with the same image), guidance residuals, prompts.
        let reference = referenceTokens(request.reference)
        let blank = blankReferenceTokens()
        let guidance = network.guidance(Tensor(shape: [f, c.conditionChannels, s, s], values: request.conditions))
        let promptEmbeddings = request.prompts.map(promptEmbedding)
        let framePrompt: [[Float]] = (0..<f).map { frame in
            guard !request.framePrompts.isEmpty else { return promptEmbeddings[0] }
            return PromptSchedule.mix(request.framePrompts[frame], embeddings: promptEmbeddings, interpolation: request.interpolation)
        }
        let emptyPrompt = promptEmbedding("")
        let promptShape = [c.promptLength, c.promptWidth]

        var rng = Philox(seed: request.seed)
        let noise: NoiseSource = { count in
            let t = rng.normal([count])
            return t.values
        }
        let model: DenoisingModel = { batch in
            let frames = batch.frames, fw = frames.count, passes = batch.conditions
            let rows = passes.count * fw
            let x = Tensor(shape: [rows, 3, s, s])
            for p in 0..<passes.count {
                batch.input.withUnsafeBufferPointer { (x.data + p * fw * perFrame).update(from: $0.baseAddress!, count: fw * perFrame) }
            }
            var refRows: [Int: Tensor] = [:]
            for (level, tokens) in reference {
                let empty = blank[level]!
                let per = tokens.count
                let t = Tensor(shape: [rows] + Array(tokens.shape.dropFirst()))
                for (p, pass) in passes.enumerated() {
                    let src = pass.contains(.reference) ? tokens : empty
                    for r in 0..<fw { (t.data + (p * fw + r) * per).update(from: src.data, count: per) }
                }
                refRows[level] = t
            }
            let promptRows = Tensor(shape: [rows] + promptShape)
            let promptSize = c.promptLength * c.promptWidth
            for (p, pass) in passes.enumerated() {
                for (r, frame) in frames.enumerated() {
                    let e = pass.contains(.prompt) ? framePrompt[frame] : emptyPrompt
                    e.withUnsafeBufferPointer { (promptRows.data + (p * fw + r) * promptSize).update(from: $0.baseAddress!, count: promptSize) }
                }
            }
            var guidanceRows: [Tensor] = []
            for g in guidance {
                let per = g.count / f
                let t = Tensor.zeros([rows] + Array(g.shape.dropFirst()))
                for (p, pass) in passes.enumerated() where pass.contains(.pose) {
                    for (r, frame) in frames.enumerated() {
                        (t.data + (p * fw + r) * per).update(from: g.data + frame * per, count: per)
                    }
                }
                guidanceRows.append(t)
            }
            let v = self.network.unet(x, timesteps: [Float](repeating: Float(batch.timestep), count: rows), frames: fw,
                                      reference: refRows, prompt: promptRows, guidance: guidanceRows)
            return (0..<passes.count).map { p in Array(UnsafeBufferPointer(start: v.data + p * fw * perFrame, count: fw * perFrame)) }
        }
        let context = request.context ?? (f > c.frameWindow ? ContextWindowConfig(length: c.frameWindow, overlap: min(4, c.frameWindow - 1)) : nil)
        // The schedule belongs to the model: sample on the one it was trained with.
        var sampler = request.sampler
        if let noise = network.noise {
            sampler.betaSchedule = noise.betaSchedule
            sampler.betaStart = noise.betaStart
            sampler.betaEnd = noise.betaEnd
            sampler.trainSteps = noise.trainSteps
            sampler.zeroTerminalSNR = noise.zeroTerminalSNR
            sampler.snrShift = noise.snrShift
            sampler.prediction = noise.prediction
        }
        let loop = DenoisingLoop(sampler: sampler, guidance: request.guidance, context: context)
        let referencePlanar = request.reference.planarFloats()
        let start: ReferenceStart? = request.referenceNoise < 1
            ? ReferenceStart(sample: Array((0..<f).map { _ in referencePlanar }.joined()), strength: request.referenceNoise) : nil
        guard let result = try loop.run(frameCount: f, elementsPerFrame: perFrame, noise: noise, reference: start,
                                        model: model, onStep: { event in onStep(event.step, event.stepCount, event.denoised) })
        else { return nil }
        return Self.images(result, frames: f, size: s)
    }

    /// Planar `F × 3 × S × S` in [-1, 1] → one image per frame.
    public static func images(_ planar: [Float], frames: Int, size: Int) -> [RGBImage] {
        let per = 3 * size * size
        return (0..<frames).map { RGBImage(planar: planar[($0 * per)..<(($0 + 1) * per)], width: size, height: size) }
    }

    private func referenceTokens(_ image: RGBImage) -> [Int: Tensor] {
        if let cached = referenceCache, cached.image == image { return cached.tokens }
        let s = network.config.imageSize
        let tokens = network.reference(Tensor(shape: [1, 3, s, s], values: image.planarFloats()))
        referenceCache = (image, tokens)
        return tokens
    }

    private func blankReferenceTokens() -> [Int: Tensor] {
        if let blankReference { return blankReference }
        let s = network.config.imageSize
        let tokens = network.reference(Tensor.zeros([1, 3, s, s]))
        blankReference = tokens
        return tokens
    }

    private func promptEmbedding(_ prompt: String) -> [Float] {
        if let cached = promptCache[prompt] { return cached }
        let e = network.prompt([network.prompt.tokenizer.tokenize(prompt).ids]).values
        promptCache[prompt] = e
        return e
    }
}

/// A request that cannot run: one line saying why.
public struct GenerationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
