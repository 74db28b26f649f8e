/// Prompt encoder: token embedding + learned positions + pre-norm transformer layers + final layer norm.
/// Keys: `tokens`, `positions`, `layers.N.{ln1, attn, ln2, ff1, ff2}`, `norm`.
public final class PromptEncoder: Module {
    /// `[vocabularySize, D]`.
    let tokens: Tensor
    /// `[promptLength, D]`.
    let positions: Tensor
    let layers: [EncoderLayer]
    let norm: LayerNormLayer
    /// The word tokenizer over the configuration's vocabulary.
    public let tokenizer: PromptTokenizer

    public init(config: AnimatorConfig, rng: inout Philox) {
        tokenizer = PromptTokenizer(words: config.vocabulary, maxLength: config.promptLength)
        let d = config.promptWidth
        tokens = rng.normal([tokenizer.vocabularySize, d]) * 0.02
        positions = rng.normal([config.promptLength, d]) * 0.02
        var built: [EncoderLayer] = []
        for _ in 0..<config.promptLayers { built.append(EncoderLayer(width: d, heads: config.heads, rng: &rng)) }
        layers = built
        norm = LayerNormLayer(d)
        super.init()
        register("tokens", tokens)
        register("positions", positions)
        let list = register("layers", Module())
        for (i, layer) in layers.enumerated() { list.register(String(i), layer) }
        register("norm", norm)
    }

    /// Token ids of P prompts (each `promptLength` long, from `tokenizer`) → embeddings `[P, L, D]`.
    public func callAsFunction(_ ids: [[Int]]) -> Tensor {
        let l = positions.shape[0], d = positions.shape[1]
        precondition(ids.allSatisfy { $0.count == l }, "PromptEncoder: every prompt must have \(l) token ids")
        var h = embeddingLookup(tokens, ids: ids.flatMap { $0 }).reshaped([ids.count, l, d]) + positions.reshaped([1, l, d])
        for layer in layers { h = layer(h) }
        return norm(h)
    }

    /// One pre-norm transformer layer. Keys: `ln1`, `attn`, `ln2`, `ff1`, `ff2`.
    final class EncoderLayer: Module {
        let ln1: LayerNormLayer
        let attn: AttentionLayer
        let ln2: LayerNormLayer
        let ff1: LinearLayer
        let ff2: LinearLayer

        init(width: Int, heads: Int, rng: inout Philox) {
            ln1 = LayerNormLayer(width)
            attn = AttentionLayer(width: width, contextWidth: width, heads: heads, rng: &rng)
            ln2 = LayerNormLayer(width)
            ff1 = LinearLayer(width, 2 * width, rng: &rng)
            ff2 = LinearLayer(2 * width, width, rng: &rng)
            super.init()
            register("ln1", ln1)
            register("attn", attn)
            register("ln2", ln2)
            register("ff1", ff1)
            register("ff2", ff2)
        }

        func callAsFunction(_ x: Tensor) -> Tensor {
            let n = ln1(x)
            let h = x + attn(n, context: n)
            return h + ff2(ff1(ln2(h)).gelu())
        }
    }
}

/// Reference encoder ("ReferenceNet"): the reference image through the UNet's down path (no timestep), giving
/// layer-normed tokens at every attention level. Computed once per clip. Keys: `convIn`, `levels.N.{down, res}`,
/// `mid`, `norms.N`.
public final class ReferenceEncoder: Module {
    let convIn: Conv2dLayer
    let downs: [Conv2dLayer?]
    let res: [ResBlock]
    let norms: [Int: LayerNormLayer]
    let tokenLevels: [Int]
    let patch: Int

    public init(config: AnimatorConfig, rng: inout Philox) {
        let ch = config.channels
        patch = config.patchSize
        convIn = Conv2dLayer(3 * patch * patch, ch[0], kernel: 3, padding: 1, rng: &rng)
        var downs: [Conv2dLayer?] = [], res: [ResBlock] = []
        for l in 0..<ch.count {
            downs.append(l > 0 ? Conv2dLayer(ch[l - 1], ch[l], kernel: 3, stride: 2, padding: 1, rng: &rng) : nil)
            res.append(ResBlock(ch[l], ch[l], timeWidth: 0, groups: config.normGroups, rng: &rng))
        }
        self.downs = downs
        self.res = res
        tokenLevels = AnimatorNetwork.spatialAttentionLevels(config)
        var norms: [Int: LayerNormLayer] = [:]
        for l in tokenLevels { norms[l] = LayerNormLayer(ch[l]) }
        self.norms = norms
        super.init()
        register("convIn", convIn)
        let levels = register("levels", Module())
        for l in 0..<ch.count {
            let level = levels.register(String(l), Module())
            if let d = downs[l] { level.register("down", d) }
            level.register("res", res[l])
        }
        let normList = register("norms", Module())
        for l in tokenLevels { normList.register(String(l), norms[l]!) }
    }

    /// Reference images `[B, 3, H, W]` → tokens per attention level `[B, H_l·W_l, C_l]`.
    public func callAsFunction(_ image: Tensor) -> [Int: Tensor] {
        var h = convIn(pixelUnshuffle(image, factor: patch))
        var out: [Int: Tensor] = [:]
        for l in 0..<res.count {
            if let d = downs[l] { h = d(h) }
            h = res[l](h, nil)
            if let norm = norms[l] {
                let (b, c, hh, ww) = (h.shape[0], h.shape[1], h.shape[2], h.shape[3])
                out[l] = norm(h.reshaped([b, c, hh * ww]).permuted([0, 2, 1]))
            }
        }
        return out
    }
}

/// Guidance branch (ControlNet-style, pose-guider cost): the condition maps (pose colours, hand motion dx/dy,
/// sharpness cue) through a small conv encoder, one feature map per UNet level, each through a zero-initialised
/// 1×1 convolution into the UNet's skip path. It does not see the noisy sample, so it runs once per clip.
/// Keys: `convIn`, `levels.N.{conv, zero}`.
public final class GuidanceEncoder: Module {
    let convIn: Conv2dLayer
    let convs: [Conv2dLayer]
    let zeros: [Conv2dLayer]
    let patch: Int

    public init(config: AnimatorConfig, rng: inout Philox) {
        let widths = config.channels.map { max(16, $0 / 2) }
        patch = config.patchSize
        convIn = Conv2dLayer(config.conditionChannels * patch * patch, widths[0], kernel: 3, padding: 1, rng: &rng)
        var convs: [Conv2dLayer] = [], zeros: [Conv2dLayer] = []
        for l in 0..<widths.count {
            let inWidth = l == 0 ? widths[0] : widths[l - 1]
            convs.append(Conv2dLayer(inWidth, widths[l], kernel: 3, stride: l == 0 ? 1 : 2, padding: 1, rng: &rng))
            let zero = Conv2dLayer(widths[l], config.channels[l], kernel: 1, rng: &rng)
            zero.zeroParameters()
            zeros.append(zero)
        }
        self.convs = convs
        self.zeros = zeros
        super.init()
        register("convIn", convIn)
        let levels = register("levels", Module())
        for l in 0..<widths.count {
            let level = levels.register(String(l), Module())
            level.register("conv", convs[l])
            level.register("zero", zeros[l])
        }
    }

    /// Condition maps `[BF, Cc, H, W]` → one residual per level `[BF, C_l, H_l, W_l]`.
    public func callAsFunction(_ conditions: Tensor) -> [Tensor] {
        var h = convIn(pixelUnshuffle(conditions, factor: patch)).silu()
        var out: [Tensor] = []
        for l in 0..<convs.count {
            h = convs[l](h).silu()
            out.append(zeros[l](h))
        }
        return out
    }
}
