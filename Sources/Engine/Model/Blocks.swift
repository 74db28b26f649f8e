// Building blocks of the animation network. Shapes as comments: `BF` = clips × frames, `HW` = positions.

extension Module {
    /// Sets every parameter of this module to zero (zero-initialised projections: a new branch starts as identity).
    func zeroParameters() {
        for t in parameters { t.data.update(repeating: 0, count: t.count) }
    }
}

/// Residual block: `x + conv(SiLU(GN(conv(SiLU(GN(x))) + W·SiLU(temb))))`, with a 1×1 skip when widths differ.
/// Keys: `norm1`, `conv1`, `time` (if timed), `norm2`, `conv2`, `skip` (if widths differ).
public final class ResBlock: Module {
    let norm1: GroupNormLayer
    let conv1: Conv2dLayer
    let time: LinearLayer?
    let norm2: GroupNormLayer
    let conv2: Conv2dLayer
    let skip: Conv2dLayer?

    /// `timeWidth` 0 makes a block without timestep input (the reference encoder's).
    public init(_ inChannels: Int, _ outChannels: Int, timeWidth: Int, groups: Int, rng: inout Philox) {
        norm1 = GroupNormLayer(groups: groups, channels: inChannels)
        conv1 = Conv2dLayer(inChannels, outChannels, kernel: 3, padding: 1, rng: &rng)
        time = timeWidth > 0 ? LinearLayer(timeWidth, outChannels, rng: &rng) : nil
        norm2 = GroupNormLayer(groups: groups, channels: outChannels)
        conv2 = Conv2dLayer(outChannels, outChannels, kernel: 3, padding: 1, rng: &rng)
        skip = inChannels != outChannels ? Conv2dLayer(inChannels, outChannels, kernel: 1, rng: &rng) : nil
        super.init()
        register("norm1", norm1)
        register("conv1", conv1)
        if let time { register("time", time) }
        register("norm2", norm2)
        register("conv2", conv2)
        if let skip { register("skip", skip) }
    }

    /// x: `[BF, Cin, H, W]`, temb: `[BF, T]` (ignored by untimed blocks) → `[BF, Cout, H, W]`.
    public func callAsFunction(_ x: Tensor, _ temb: Tensor?) -> Tensor {
        var bias: Tensor?
        if let time, let temb { bias = time(temb.silu()) }  // [BF, Cout]
        let h = conv1(norm1.withSiLU(x), rowBias: bias, residual: nil)
        return conv2(norm2.withSiLU(h), rowBias: nil, residual: skip.map { $0(x) } ?? x)
    }
}

/// Multi-head attention projections: `out(attention(q(x), k(c), v(c)))`. Keys: `q`, `k`, `v`, `out`.
public final class AttentionLayer: Module {
    let q: LinearLayer
    let k: LinearLayer
    let v: LinearLayer
    let out: LinearLayer
    let heads: Int

    /// Queries of width `width` attend to a context of width `contextWidth`.
    public init(width: Int, contextWidth: Int, heads: Int, rng: inout Philox) {
        q = LinearLayer(width, width, bias: false, rng: &rng)
        k = LinearLayer(contextWidth, width, bias: false, rng: &rng)
        v = LinearLayer(contextWidth, width, bias: false, rng: &rng)
        out = LinearLayer(width, width, rng: &rng)
        self.heads = heads
        super.init()
        register("q", q)
        register("k", k)
        register("v", v)
        register("out", out)
    }

    /// x: `[B, Lq, C]`, context: `[B, Lk, Cc]` → `[B, Lq, C]`.
    public func callAsFunction(_ x: Tensor, context: Tensor) -> Tensor {
        out(attention(q(x), k(context), v(context), heads: heads))
    }
}

/// Spatial transformer: self-attention whose keys/values also see the reference image's tokens (ReferenceNet
/// style), cross-attention to the prompt tokens, and a GELU feed-forward; residual around the whole.
/// Keys: `norm`, `projIn`, `ln1`, `attn1`, `ln2`, `attn2`, `ln3`, `ff1`, `ff2`, `projOut`.
public final class SpatialTransformer: Module {
    let norm: GroupNormLayer
    let projIn: LinearLayer
    let ln1: LayerNormLayer
    let attn1: AttentionLayer
    let ln2: LayerNormLayer
    let attn2: AttentionLayer
    let ln3: LayerNormLayer
    let ff1: LinearLayer
    let ff2: LinearLayer
    let projOut: LinearLayer

    public init(width: Int, promptWidth: Int, heads: Int, groups: Int, rng: inout Philox) {
        norm = GroupNormLayer(groups: groups, channels: width)
        projIn = LinearLayer(width, width, rng: &rng)
        ln1 = LayerNormLayer(width)
        attn1 = AttentionLayer(width: width, contextWidth: width, heads: heads, rng: &rng)
        ln2 = LayerNormLayer(width)
        attn2 = AttentionLayer(width: width, contextWidth: promptWidth, heads: heads, rng: &rng)
        ln3 = LayerNormLayer(width)
        ff1 = LinearLayer(width, 2 * width, rng: &rng)
        ff2 = LinearLayer(2 * width, width, rng: &rng)
        projOut = LinearLayer(width, width, rng: &rng)
        super.init()
        register("norm", norm)
        register("projIn", projIn)
        register("ln1", ln1)
        register("attn1", attn1)
        register("ln2", ln2)
        register("attn2", attn2)
        register("ln3", ln3)
        register("ff1", ff1)
        register("ff2", ff2)
        register("projOut", projOut)
    }

    /// x: `[BF, C, H, W]`; reference: `[BF, Lr, C]` tokens joined to the self-attention keys/values (nil: none);
    /// prompt: `[BF, L, Dp]` → `[BF, C, H, W]`.
    public func callAsFunction(_ x: Tensor, reference: Tensor?, prompt: Tensor) -> Tensor {
        let (bf, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var tokens = projIn(norm(x).reshaped([bf, c, h * w]).permuted([0, 2, 1]))    // [BF, HW, C]
        let n1 = ln1(tokens)
        let context = reference.map { Tensor.concat([n1, $0], axis: 1) } ?? n1
        tokens = tokens + attn1(n1, context: context)
        tokens = tokens + attn2(ln2(tokens), context: prompt)
        tokens = tokens + ff2(ff1(ln3(tokens)).gelu())
        return x + projOut(tokens).permuted([0, 2, 1]).reshaped([bf, c, h, w])
    }
}

/// Temporal transformer: at every position, attention across the frames of a clip, with sinusoidal frame
/// positions; the output projection starts at zero, so adding it to a trained image model changes nothing at first.
/// Keys: `norm`, `projIn`, `ln`, `attn`, `projOut`.
public final class TemporalTransformer: Module {
    let norm: GroupNormLayer
    let projIn: LinearLayer
    let ln: LayerNormLayer
    let attn: AttentionLayer
    let projOut: LinearLayer
    /// Frame positions `[1, maxFrames, C]` (a constant, not a parameter).
    let positions: Tensor

    public init(width: Int, heads: Int, groups: Int, maxFrames: Int, rng: inout Philox) {
        norm = GroupNormLayer(groups: groups, channels: width)
        projIn = LinearLayer(width, width, rng: &rng)
        ln = LayerNormLayer(width)
        attn = AttentionLayer(width: width, contextWidth: width, heads: heads, rng: &rng)
        projOut = LinearLayer(width, width, rng: &rng)
        projOut.zeroParameters()
        let frames = Tensor(shape: [maxFrames], values: (0..<maxFrames).map(Float.init))
        positions = timestepEmbedding(frames, dim: width).reshaped([1, maxFrames, width])
        super.init()
        register("norm", norm)
        register("projIn", projIn)
        register("ln", ln)
        register("attn", attn)
        register("projOut", projOut)
    }

    /// x: `[B·F, C, H, W]` with the F frames of each clip consecutive → same shape.
    public func callAsFunction(_ x: Tensor, frames f: Int) -> Tensor {
        let (bf, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(bf % f == 0 && f <= positions.shape[1], "TemporalTransformer: \(bf) rows are not clips of \(f) frames")
        let b = bf / f
        let framePositions = f == positions.shape[1] ? positions
            : positions.split([f, positions.shape[1] - f], axis: 1)[0]
        var t = norm(x).reshaped([b, f, c, h * w]).permuted([0, 3, 1, 2]).reshaped([b * h * w, f, c])
        t = projIn(t) + framePositions                                           // [B·HW, F, C]
        let n = ln(t)
        t = t + attn(n, context: n)
        let y = projOut(t).reshaped([b, h * w, f, c]).permuted([0, 2, 3, 1]).reshaped([bf, c, h, w])
        return x + y
    }
}
