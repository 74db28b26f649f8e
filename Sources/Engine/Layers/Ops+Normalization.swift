import COpenBLAS
import Foundation

/// Group normalisation: x `[B, C, *]` split into `groups` groups of channels; each (image, group) normalised to
/// zero mean and unit variance (biased), then scaled and shifted per channel.
///
/// `y = (x − μ)/√(σ² + ε)·γ_c + β_c`. Matches: `torch.nn.functional.group_norm`. Clips `[N, F, C, H, W]` are
/// normalised per frame (pass `[N·F, C, H, W]`). Parallel over (image, group).
public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
    groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, silu: false)
}

/// `groupNorm(x, …).silu()`, the pre-activation of every residual block. When nothing records gradients (inference)
/// the SiLU is applied in the same pass as the normalisation's affine map, saving a read and a write of the tensor;
/// with a tape it is the two recorded ops.
public func groupNormSiLU(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
    if tapeOf(x, weight, bias) != nil { return groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps).silu() }
    return groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, silu: true)
}

private func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, silu: Bool) -> Tensor {
    let b = x.shape[0], c = x.shape[1]
    precondition(groups >= 1 && c % groups == 0, "groupNorm: \(groups) groups do not divide \(c) channels")
    let s = x.count / max(b * c, 1), cpg = c / groups, n = cpg * s
    let y = Tensor(shape: x.shape)
    let mean = Tensor(shape: [b * groups]), rstd = Tensor(shape: [b * groups])
    let xd = x.data, yd = y.data, md = mean.data, rd = rstd.data
    let wd = weight?.data, bd = bias?.data
    parallelFor(b * groups, costPerItem: n) { range in
        for bg in range {
            let base = xd + bg * n
            var mu: Float = 0, variance: Float = 0
            if Kernels.hasAVX2 {
                zt_mean_var_avx2(base, n, &mu, &variance)
            } else {
                mu = Kernels.sum(base, n) / Float(n)
                variance = Kernels.sumSquares(base, n, centre: mu) / Float(n)
            }
            let r = 1 / (variance + eps).squareRoot()
            md[bg] = mu; rd[bg] = r
            let g0 = (bg % groups) * cpg
            for ci in 0..<cpg {
                let ch = g0 + ci
                let scale = r * (wd?[ch] ?? 1), shift = (bd?[ch] ?? 0) - mu * scale
                let src = base + ci * s, dst = yd + bg * n + ci * s
                if Kernels.hasAVX2 {
                    zt_affine_avx2(src, dst, s, scale, shift, silu ? 1 : 0)
                } else {
                    for i in 0..<s { dst[i] = src[i] * scale + shift }
                    if silu { Kernels.siluPortable(dst, dst, s) }
                }
            }
        }
    }
    withExtendedLifetime((mean, rstd)) {}
    if let tape = tapeOf(x, weight, bias) {
        precondition(!silu, "groupNorm: the fused SiLU is for inference only")
        tape.record(y) { gy in
            // The closure must own mean/rstd (their buffers would otherwise return to the pool).
            let md = mean.data, rd = rstd.data
            // ĝ = gy·γ;  dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂));  dγ_c = Σ gy·x̂;  dβ_c = Σ gy.
            let gx: Tensor? = x.requiresGrad ? Tensor(shape: x.shape) : nil
            let partialW = Tensor.zeros([b, c]), partialB = Tensor.zeros([b, c])
            let gyd = gy.data, gxd = gx?.data, pw = partialW.data, pb = partialB.data
            parallelFor(b * groups, costPerItem: 2 * n) { range in
                for bg in range {
                    let mu = md[bg], r = rd[bg]
                    let g0 = (bg % groups) * cpg, img = bg / groups
                    var sumG: Float = 0, sumGX: Float = 0
                    for ci in 0..<cpg {
                        let ch = g0 + ci, w = wd?[ch] ?? 1
                        let src = xd + bg * n + ci * s, g = gyd + bg * n + ci * s
                        var sg: Float = 0, sgx: Float = 0
                        if Kernels.hasAVX2 { zt_sum_dot_avx2(g, src, s, &sg, &sgx) } else { sg = Kernels.sum(g, s); sgx = Kernels.dot(g, src, s) }
                        // Σ gy·x̂ = r·(Σ gy·x − μ Σ gy)
                        let sgxhat = r * (sgx - mu * sg)
                        pw[img * c + ch] = sgxhat; pb[img * c + ch] = sg
                        sumG += w * sg; sumGX += w * sgxhat
                    }
                    guard let gxd else { continue }
                    let meanG = sumG / Float(n), meanGX = sumGX / Float(n)
                    for ci in 0..<cpg {
                        let ch = g0 + ci, w = wd?[ch] ?? 1
                        let src = xd + bg * n + ci * s, g = gyd + bg * n + ci * s, dst = gxd + bg * n + ci * s
                        if Kernels.hasAVX2 {
                            zt_gn_backward_avx2(src, g, dst, s, mu, r, w, meanG, meanGX)
                            continue
                        }
                        for i in 0..<s {
                            let xhat = (src[i] - mu) * r
                            dst[i] = r * (w * g[i] - meanG - xhat * meanGX)
                        }
                    }
                }
            }
            if let gx { x.accumulateGrad(gx, owned: true) }
            if let weight, weight.requiresGrad { weight.accumulateGrad(partialW.sum(axisZeroOf: b, c), owned: true) }
            if let bias, bias.requiresGrad { bias.accumulateGrad(partialB.sum(axisZeroOf: b, c), owned: true) }
        }
    }
    return y
}

/// Layer normalisation over the last dimension: `y = (x − μ)/√(σ² + ε)·γ + β`, x `[..., C]`.
/// Matches: `torch.nn.functional.layer_norm(x, (C,), γ, β, ε)`.
public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
    let c = x.shape.last ?? 1, rows = x.count / max(c, 1)
    let y = Tensor(shape: x.shape)
    let mean = Tensor(shape: [rows]), rstd = Tensor(shape: [rows])
    let xd = x.data, yd = y.data, md = mean.data, rd = rstd.data, wd = weight?.data, bd = bias?.data
    parallelFor(rows, costPerItem: 4 * c) { range in
        for row in range {
            let src = xd + row * c, dst = yd + row * c
            let mu = Kernels.sum(src, c) / Float(c)
            let r = 1 / (Kernels.sumSquares(src, c, centre: mu) / Float(c) + eps).squareRoot()
            md[row] = mu; rd[row] = r
            if Kernels.hasAVX2 {
                zt_layernorm_row_avx2(src, dst, c, mu, r, wd, bd)
            } else {
                for i in 0..<c { dst[i] = (src[i] - mu) * r * (wd?[i] ?? 1) + (bd?[i] ?? 0) }
            }
        }
    }
    withExtendedLifetime((mean, rstd)) {}
    if let tape = tapeOf(x, weight, bias) {
        tape.record(y) { gy in
            let md = mean.data, rd = rstd.data
            let gx: Tensor? = x.requiresGrad ? Tensor(shape: x.shape) : nil
            let gyd = gy.data, gxd = gx?.data
            let gamma = weight ?? Tensor.full([c], 1)
            let wv = gamma.data
            parallelFor(rows, costPerItem: 6 * c) { range in
                guard let gxd else { return }
                for row in range {
                    let src = xd + row * c, g = gyd + row * c, dst = gxd + row * c
                    let mu = md[row], r = rd[row]
                    if Kernels.hasAVX2 {
                        zt_ln_backward_row_avx2(src, g, wv, dst, c, mu, r)
                        continue
                    }
                    var sumG: Float = 0, sumGX: Float = 0
                    for i in 0..<c {
                        let gh = g[i] * wv[i]
                        sumG += gh; sumGX += gh * (src[i] - mu) * r
                    }
                    let meanG = sumG / Float(c), meanGX = sumGX / Float(c)
                    for i in 0..<c { dst[i] = r * (g[i] * wv[i] - meanG - (src[i] - mu) * r * meanGX) }
                }
            }
            withExtendedLifetime(gamma) {}
            if let gx { x.accumulateGrad(gx, owned: true) }
            if weight?.requiresGrad == true || bias?.requiresGrad == true {
                // Partial sums over a fixed number of row chunks (not the thread count), then a fixed-order
                // reduction: the result is the same for every thread count.
                let chunks = max(1, min(8, rows))
                let partial = Tensor.zeros([chunks, 2 * c])
                let pd = partial.data
                parallelFor(chunks, costPerItem: rows * c / chunks) { ws in
                    for w in ws {
                        let pw = pd + w * 2 * c, pb = pw + c
                        for row in (rows * w / chunks)..<(rows * (w + 1) / chunks) {
                            let src = xd + row * c, g = gyd + row * c, mu = md[row], r = rd[row]
                            if Kernels.hasAVX2 {
                                zt_ln_params_row_avx2(src, g, pw, pb, c, mu, r)
                            } else {
                                for i in 0..<c { pw[i] += g[i] * (src[i] - mu) * r; pb[i] += g[i] }
                            }
                        }
                    }
                }
                let gw = Tensor.zeros([c]), gb = Tensor.zeros([c])
                for w in 0..<chunks {
                    Kernels.addInPlace(gw.data, pd + w * 2 * c, c)
                    Kernels.addInPlace(gb.data, pd + w * 2 * c + c, c)
                }
                if let weight, weight.requiresGrad { weight.accumulateGrad(gw, owned: true) }
                if let bias, bias.requiresGrad { bias.accumulateGrad(gb, owned: true) }
            }
        }
    }
    return y
}

extension Tensor {
    /// Column sums of a `[rows, cols]` buffer (no tape): `[cols]`.
    fileprivate func sum(axisZeroOf rows: Int, _ cols: Int) -> Tensor {
        let out = Tensor.zeros([cols])
        for r in 0..<rows { Kernels.addInPlace(out.data, data + r * cols, cols) }
        return out
    }

    /// Softmax over the last dimension. Matches: `torch.softmax(x, -1)`.
    public func softmax() -> Tensor {
        let c = shape.last ?? 1, rows = count / max(c, 1)
        let y = copy()
        let yd = y.data
        parallelFor(rows, costPerItem: 8 * c) { r in for row in r { Kernels.softmaxRow(yd + row * c, c) } }
        if let tape {
            tape.record(y) { [self] gy in
                let gx = Tensor(shape: shape)
                let gxd = gx.data, gyd = gy.data
                parallelFor(rows, costPerItem: 4 * c) { r in
                    for row in r { Kernels.softmaxRowBackward(y: yd + row * c, gy: gyd + row * c, gx: gxd + row * c, c) }
                }
                accumulateGrad(gx, owned: true)
            }
        }
        return y
    }
}
