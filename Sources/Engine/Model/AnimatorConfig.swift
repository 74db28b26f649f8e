/// The animation network's shape: widths, depths, attention placement, frame window, prompt vocabulary.
///
/// Stored as JSON in the checkpoint's metadata (`"zoetrope.config"`), so a file is self-describing.
public struct AnimatorConfig: Codable, Sendable, Equatable {
    /// Frame side in pixels (frames are square, RGB, values in [-1, 1]).
    public var imageSize: Int = 64
    /// Side of the square pixel patches folded into channels before the first convolution (space-to-depth) and
    /// unfolded after the last; 2 runs a 64×64 model's UNet at 32×32 (a quarter of the work per layer, but weak
    /// low-noise denoising: see docs/DECISIONS.md). The defaults are the shipped model's (demo/recipe.json).
    public var patchSize: Int = 1
    /// Channels at each UNet level; level `l` works at `imageSize / (patchSize · 2^l)`.
    public var channels: [Int] = [16, 32, 64, 128]
    /// Levels with spatial attention (reference keys/values + prompt cross-attention).
    public var attentionLevels: [Int] = [2, 3]
    /// Levels with temporal attention across frames.
    public var temporalLevels: [Int] = [2, 3]
    /// Attention heads (channels per head = width / heads).
    public var heads: Int = 4
    /// Groups of every group norm (must divide every width).
    public var normGroups: Int = 8
    /// Frames the temporal layers see at once (longer clips use context windows).
    public var frameWindow: Int = 16
    /// Condition channels of the guidance branch: pose map (3), hand motion dx and dy (2), sharpness cue (1).
    public var conditionChannels: Int = 6
    /// Width of the prompt encoder.
    public var promptWidth: Int = 64
    /// Transformer layers of the prompt encoder.
    public var promptLayers: Int = 2
    /// Tokens per prompt (start token included).
    public var promptLength: Int = 16
    /// The prompt vocabulary, in id order (see `PromptTokenizer`).
    public var vocabulary: [String] = []
    /// Temporal layers present (false for the image stages of progressive training).
    public var hasTemporal: Bool = true

    public init() {}

    /// Decodes a stored configuration; absent fields take their defaults, except `patchSize`, which is 1 in files
    /// written before it existed (their networks had no patch stem).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Every architecture field is required (a checkpoint that lacks one is damaged), except `patchSize`, which
        // came later: files written before it have no stem, i.e. patch size 1.
        imageSize = try c.decode(Int.self, forKey: .imageSize)
        patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? 1
        channels = try c.decode([Int].self, forKey: .channels)
        attentionLevels = try c.decode([Int].self, forKey: .attentionLevels)
        temporalLevels = try c.decode([Int].self, forKey: .temporalLevels)
        heads = try c.decode(Int.self, forKey: .heads)
        normGroups = try c.decode(Int.self, forKey: .normGroups)
        frameWindow = try c.decode(Int.self, forKey: .frameWindow)
        conditionChannels = try c.decode(Int.self, forKey: .conditionChannels)
        promptWidth = try c.decode(Int.self, forKey: .promptWidth)
        promptLayers = try c.decode(Int.self, forKey: .promptLayers)
        promptLength = try c.decode(Int.self, forKey: .promptLength)
        vocabulary = try c.decode([String].self, forKey: .vocabulary)
        hasTemporal = try c.decode(Bool.self, forKey: .hasTemporal)
    }

    /// A configuration for tests: tiny widths, still every kind of block.
    public static var tiny: AnimatorConfig {
        var c = AnimatorConfig()
        c.imageSize = 16
        c.patchSize = 2
        c.channels = [8, 16]
        c.attentionLevels = [1]
        c.temporalLevels = [1]
        c.heads = 2
        c.normGroups = 4
        c.frameWindow = 4
        c.promptWidth = 8
        c.promptLayers = 1
        c.promptLength = 4
        c.vocabulary = ["smiling", "warm", "light"]
        return c
    }

    /// Checks the numbers fit together; the message names the field.
    public func validate() throws(ModelConfigError) {
        func fail(_ m: String) -> ModelConfigError { ModelConfigError(message: m) }
        guard !channels.isEmpty, channels.allSatisfy({ $0 > 0 }) else { throw fail("\"channels\" must be a non-empty list of positive widths") }
        guard patchSize >= 1, patchSize <= 8 else { throw fail("\"patchSize\" \(patchSize) must be between 1 and 8") }
        guard imageSize > 0, imageSize % (patchSize << (channels.count - 1)) == 0 else {
            throw fail("\"imageSize\" \(imageSize) must be divisible by \(patchSize << (channels.count - 1)) (patch \(patchSize) × 2^\(channels.count - 1) for \(channels.count) levels)")
        }
        guard normGroups > 0, channels.allSatisfy({ $0 % normGroups == 0 }) else {
            throw fail("\"normGroups\" \(normGroups) must divide every width in \(channels)")
        }
        guard heads > 0, channels.allSatisfy({ $0 % heads == 0 }), promptWidth % heads == 0 else {
            throw fail("\"heads\" \(heads) must divide every width and the prompt width")
        }
        for l in attentionLevels + temporalLevels where !(0..<channels.count).contains(l) {
            throw fail("attention level \(l) does not exist (levels 0..<\(channels.count))")
        }
        guard frameWindow >= 1, conditionChannels >= 1, promptLength >= 1, promptLayers >= 0, promptWidth > 0 else {
            throw fail("\"frameWindow\", \"conditionChannels\", \"promptLength\" and \"promptWidth\" must be positive")
        }
    }
}

/// A model configuration that cannot work; names the field.
public struct ModelConfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "model configuration: \(message)" }
}
