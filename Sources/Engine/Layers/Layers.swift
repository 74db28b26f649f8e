/// PyTorch's default initialisation for linear and convolution layers: `U(−1/√fanIn, 1/√fanIn)` for weight and
/// bias (kaiming-uniform with a = √5 reduces to this bound for the weight).
func uniformInit(_ shape: [Int], fanIn: Int, rng: inout Philox) -> Tensor {
    let t = rng.uniform(shape)
    let bound = 1 / Float(max(fanIn, 1)).squareRoot()
    for i in 0..<t.count { t.data[i] = (2 * t.data[i] - 1) * bound }
    return t
}

/// `y = x·Wᵀ + b` over the last dimension. Keys: `weight [out, in]`, `bias [out]`.
public final class LinearLayer: Module {
    /// `[out, in]`.
    public let weight: Tensor
    /// `[out]`, if any.
    public let bias: Tensor?

    /// A layer with PyTorch's default initialisation drawn from `rng`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias hasBias: Bool = true, rng: inout Philox) {
        weight = uniformInit([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng)
        bias = hasBias ? uniformInit([outFeatures], fanIn: inFeatures, rng: &rng) : nil
        super.init()
        register("weight", weight)
        if let bias { register("bias", bias) }
    }

    /// Applies the layer. x: `[..., in]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { linear(x, weight, bias) }
}

/// 2-D convolution. Keys: `weight [out, in, k, k]`, `bias [out]`. Clips are passed as `[N·F, C, H, W]`.
public final class Conv2dLayer: Module {
    /// `[out, in, kh, kw]`.
    public let weight: Tensor
    /// `[out]`, if any.
    public let bias: Tensor?
    /// Stride (rows, columns).
    public let stride: (Int, Int)
    /// Zero padding (rows, columns).
    public let padding: (Int, Int)

    /// A square-kernel layer with PyTorch's default initialisation.
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias hasBias: Bool = true, rng: inout Philox) {
        let fanIn = inChannels * kernel * kernel
        weight = uniformInit([outChannels, inChannels, kernel, kernel], fanIn: fanIn, rng: &rng)
        bias = hasBias ? uniformInit([outChannels], fanIn: fanIn, rng: &rng) : nil
        self.stride = (stride, stride)
        self.padding = (padding, padding)
        super.init()
        register("weight", weight)
        if let bias { register("bias", bias) }
    }

    /// Applies the layer. x: `[B, C, H, W]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { conv2d(x, weight, bias, stride: stride, padding: padding) }

    /// The layer plus a per-image bias `[B, Co]` and/or a residual `[B, Co, Ho, Wo]` (folded into the convolution's
    /// output pass in inference; see `conv2d(_:_:_:padding:rowBias:residual:)`). Stride-1 layers only.
    public func callAsFunction(_ x: Tensor, rowBias: Tensor?, residual: Tensor?) -> Tensor {
        precondition(stride == (1, 1), "Conv2dLayer: the fused adds need stride 1")
        return conv2d(x, weight, bias, padding: padding, rowBias: rowBias, residual: residual)
    }
}

/// Group normalisation with affine parameters. Keys: `weight [C]` (ones), `bias [C]` (zeros).
public final class GroupNormLayer: Module {
    /// Number of groups.
    public let groups: Int
    /// ε.
    public let eps: Float
    /// γ, `[C]`.
    public let weight: Tensor
    /// β, `[C]`.
    public let bias: Tensor

    /// `groups` must divide `channels`.
    public init(groups: Int, channels: Int, eps: Float = 1e-5) {
        precondition(channels % groups == 0, "GroupNormLayer: \(groups) groups do not divide \(channels) channels")
        self.groups = groups
        self.eps = eps
        weight = Tensor.full([channels], 1)
        bias = Tensor.zeros([channels])
        super.init()
        register("weight", weight)
        register("bias", bias)
    }

    /// Applies the layer. x: `[B, C, *]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps) }

    /// The layer followed by SiLU (one pass in inference; see `groupNormSiLU`).
    public func withSiLU(_ x: Tensor) -> Tensor { groupNormSiLU(x, groups: groups, weight: weight, bias: bias, eps: eps) }
}

/// Layer normalisation over the last dimension. Keys: `weight [C]`, `bias [C]`.
public final class LayerNormLayer: Module {
    /// ε.
    public let eps: Float
    /// γ.
    public let weight: Tensor
    /// β.
    public let bias: Tensor

    /// A layer for `channels` features.
    public init(_ channels: Int, eps: Float = 1e-5) {
        self.eps = eps
        weight = Tensor.full([channels], 1)
        bias = Tensor.zeros([channels])
        super.init()
        register("weight", weight)
        register("bias", bias)
    }

    /// Applies the layer. x: `[..., C]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { layerNorm(x, weight: weight, bias: bias, eps: eps) }
}
