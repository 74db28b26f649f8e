/// The animation network: a pixel-space video UNet (v-prediction) with reference keys/values in its spatial
/// self-attention, cross-attention to prompt tokens, temporal attention across frames, and guidance residuals from
/// the pose / hand-motion / sharpness maps; plus the branches that are computed once per clip (reference encoder,
/// guidance encoder, prompt encoder).
///
/// Checkpoint keys: `unet.*`, `reference.*`, `guidance.*`, `prompt.*`.
public final class AnimatorNetwork: Module {
    /// The shape of this network.
    public let config: AnimatorConfig
    /// The denoiser.
    public let unet: AnimatorUNet
    /// The reference encoder (ReferenceNet).
    public let reference: ReferenceEncoder
    /// The guidance branch.
    public let guidance: GuidanceEncoder
    /// The prompt encoder.
    public let prompt: PromptEncoder
    /// The noise schedule and prediction type the network was trained with (stored in the checkpoint as
    /// `zoetrope.noise`); generation samples on this schedule. Nil: untrained, the sampler's defaults apply.
    public var noise: SamplerConfig?

    /// A freshly initialised network (PyTorch default initialisation from a seeded Philox stream).
    public init(config: AnimatorConfig, seed: UInt64 = 0) throws(ModelConfigError) {
        try config.validate()
        self.config = config
        var rng = Philox(seed: seed)
        unet = AnimatorUNet(config: config, rng: &rng)
        reference = ReferenceEncoder(config: config, rng: &rng)
        guidance = GuidanceEncoder(config: config, rng: &rng)
        prompt = PromptEncoder(config: config, rng: &rng)
        super.init()
        register("unet", unet)
        register("reference", reference)
        register("guidance", guidance)
        register("prompt", prompt)
    }

    /// Levels whose spatial transformers take reference tokens: the configured ones plus the middle block's.
    static func spatialAttentionLevels(_ config: AnimatorConfig) -> [Int] {
        Array(Set(config.attentionLevels + [config.channels.count - 1])).sorted()
    }
}

/// The denoising UNet. Keys: `time.{lin1, lin2}`, `convIn`, `down.N.{down, res, attn, temporal}`,
/// `mid.{res1, attn, temporal, res2}`, `up.N.{res, attn, temporal, upConv}`, `normOut`, `convOut`.
public final class AnimatorUNet: Module {
    let config: AnimatorConfig
    let timeLin1: LinearLayer
    let timeLin2: LinearLayer
    let convIn: Conv2dLayer
    let downConvs: [Conv2dLayer?]
    let downRes: [ResBlock]
    let downAttn: [SpatialTransformer?]
    let downTemporal: [TemporalTransformer?]
    let midRes1: ResBlock
    let midAttn: SpatialTransformer
    let midTemporal: TemporalTransformer?
    let midRes2: ResBlock
    let upRes: [ResBlock]
    let upAttn: [SpatialTransformer?]
    let upTemporal: [TemporalTransformer?]
    let upConvs: [Conv2dLayer?]
    let normOut: GroupNormLayer
    let convOut: Conv2dLayer

    init(config: AnimatorConfig, rng: inout Philox) {
        self.config = config
        let ch = config.channels, g = config.normGroups, last = ch.count - 1
        let timeWidth = 4 * ch[0]
        timeLin1 = LinearLayer(ch[0], timeWidth, rng: &rng)
        timeLin2 = LinearLayer(timeWidth, timeWidth, rng: &rng)
        convIn = Conv2dLayer(3 * config.patchSize * config.patchSize, ch[0], kernel: 3, padding: 1, rng: &rng)
        func spatial(_ l: Int, _ rng: inout Philox) -> SpatialTransformer? {
            config.attentionLevels.contains(l)
                ? SpatialTransformer(width: ch[l], promptWidth: config.promptWidth, heads: config.heads, groups: g, rng: &rng) : nil
        }
        func temporal(_ l: Int, _ rng: inout Philox) -> TemporalTransformer? {
            config.hasTemporal && config.temporalLevels.contains(l)
                ? TemporalTransformer(width: ch[l], heads: config.heads, groups: g, maxFrames: config.frameWindow, rng: &rng) : nil
        }
        var downConvs: [Conv2dLayer?] = [], downRes: [ResBlock] = []
        var downAttn: [SpatialTransformer?] = [], downTemporal: [TemporalTransformer?] = []
        for l in 0...last {
            downConvs.append(l > 0 ? Conv2dLayer(ch[l - 1], ch[l], kernel: 3, stride: 2, padding: 1, rng: &rng) : nil)
            downRes.append(ResBlock(ch[l], ch[l], timeWidth: timeWidth, groups: g, rng: &rng))
            downAttn.append(spatial(l, &rng))
            downTemporal.append(temporal(l, &rng))
        }
        midRes1 = ResBlock(ch[last], ch[last], timeWidth: timeWidth, groups: g, rng: &rng)
        midAttn = SpatialTransformer(width: ch[last], promptWidth: config.promptWidth, heads: config.heads, groups: g, rng: &rng)
        midTemporal = config.hasTemporal
            ? TemporalTransformer(width: ch[last], heads: config.heads, groups: g, maxFrames: config.frameWindow, rng: &rng) : nil
        midRes2 = ResBlock(ch[last], ch[last], timeWidth: timeWidth, groups: g, rng: &rng)
        var upRes: [ResBlock] = [], upAttn: [SpatialTransformer?] = []
        var upTemporal: [TemporalTransformer?] = [], upConvs: [Conv2dLayer?] = []
        for l in 0...last {  // indexed by level; run from `last` down to 0
            upRes.append(ResBlock(2 * ch[l], ch[l], timeWidth: timeWidth, groups: g, rng: &rng))
            upAttn.append(spatial(l, &rng))
            upTemporal.append(temporal(l, &rng))
            upConvs.append(l > 0 ? Conv2dLayer(ch[l], ch[l - 1], kernel: 3, padding: 1, rng: &rng) : nil)
        }
        normOut = GroupNormLayer(groups: g, channels: ch[0])
        convOut = Conv2dLayer(ch[0], 3 * config.patchSize * config.patchSize, kernel: 3, padding: 1, rng: &rng)
        (self.downConvs, self.downRes, self.downAttn, self.downTemporal) = (downConvs, downRes, downAttn, downTemporal)
        (self.upRes, self.upAttn, self.upTemporal, self.upConvs) = (upRes, upAttn, upTemporal, upConvs)
        super.init()
        let time = register("time", Module())
        time.register("lin1", timeLin1)
        time.register("lin2", timeLin2)
        register("convIn", convIn)
        let down = register("down", Module())
        for l in 0...last {
            let level = down.register(String(l), Module())
            if let c = downConvs[l] { level.register("down", c) }
            level.register("res", downRes[l])
            if let a = downAttn[l] { level.register("attn", a) }
            if let t = downTemporal[l] { level.register("temporal", t) }
        }
        let mid = register("mid", Module())
        mid.register("res1", midRes1)
        mid.register("attn", midAttn)
        if let midTemporal { mid.register("temporal", midTemporal) }
        mid.register("res2", midRes2)
        let up = register("up", Module())
        for l in 0...last {
            let level = up.register(String(l), Module())
            level.register("res", upRes[l])
            if let a = upAttn[l] { level.register("attn", a) }
            if let t = upTemporal[l] { level.register("temporal", t) }
            if let c = upConvs[l] { level.register("upConv", c) }
        }
        register("normOut", normOut)
        register("convOut", convOut)
    }

    /// One denoiser evaluation.
    /// - x: noisy frames `[B·F, 3, H, W]`, the F frames of each clip consecutive.
    /// - timesteps: one per row (`B·F` values, usually equal within a clip).
    /// - reference: tokens per spatial-attention level `[B·F, L_l, C_l]` (already broadcast to frames), or nil.
    /// - prompt: prompt tokens per row `[B·F, L, Dp]`.
    /// - guidance: residuals per level `[B·F, C_l, H_l, W_l]` (`H_l = H / (patch · 2^l)`), or nil.
    /// Returns the v-prediction `[B·F, 3, H, W]`.
    public func callAsFunction(_ x: Tensor, timesteps: [Float], frames: Int, reference: [Int: Tensor]?,
                               prompt: Tensor, guidance: [Tensor]?) -> Tensor {
        let last = config.channels.count - 1
        let t = Tensor(shape: [timesteps.count], values: timesteps)
        let temb = timeLin2(timeLin1(timestepEmbedding(t, dim: config.channels[0])).silu())
        var h = convIn(pixelUnshuffle(x, factor: config.patchSize))
        var skips: [Tensor] = []
        for l in 0...last {
            if let d = downConvs[l] { h = d(h) }
            h = downRes[l](h, temb)
            if let a = downAttn[l] { h = a(h, reference: reference?[l], prompt: prompt) }
            if let tt = downTemporal[l] { h = tt(h, frames: frames) }
            if let guidance { h = h + guidance[l] }
            skips.append(h)
        }
        h = midRes1(h, temb)
        h = midAttn(h, reference: reference?[last], prompt: prompt)
        if let midTemporal { h = midTemporal(h, frames: frames) }
        h = midRes2(h, temb)
        for l in stride(from: last, through: 0, by: -1) {
            h = upRes[l](Tensor.concat([h, skips[l]], axis: 1), temb)
            if let a = upAttn[l] { h = a(h, reference: reference?[l], prompt: prompt) }
            if let tt = upTemporal[l] { h = tt(h, frames: frames) }
            if let c = upConvs[l] { h = c(upsampleNearest(h, factor: 2)) }
        }
        return pixelShuffle(convOut(normOut.withSiLU(h)), factor: config.patchSize)
    }
}
