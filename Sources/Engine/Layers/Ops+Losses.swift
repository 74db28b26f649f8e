/// Mean squared error `mean((a − b)²)`, a scalar. Matches: `torch.nn.functional.mse_loss`.
public func mseLoss(_ a: Tensor, _ b: Tensor) -> Tensor {
    let d = a - b
    return (d * d).mean()
}

/// Masked mean `Σ(x·m) / max(Σ m, ε)`, a scalar: the mean of `x` over a region (face, hands) given by mask `m`
/// (broadcast to x). An empty mask gives 0. Gradient flows into x (and m).
public func maskedMean(_ x: Tensor, mask: Tensor, eps: Float = 1e-6) -> Tensor {
    let num = (x * mask).sum()
    var total: Float = 0
    for i in 0..<mask.count { total += mask.data[i] }
    // The normaliser counts broadcast copies: Σ m over x's shape.
    let copies = Float(max(x.count, mask.count)) / Float(max(mask.count, 1))
    return num * (1 / max(total * copies, eps))
}

/// Negative cosine similarity along the last dimension, averaged over all other positions:
/// `−mean(a·b / (max(‖a‖, ε)·max(‖b‖, ε)))` — the representation-alignment loss.
/// Matches: `-torch.nn.functional.cosine_similarity(a, b, dim=-1, eps).mean()` (eps applied per norm).
public func negativeCosineSimilarity(_ a: Tensor, _ b: Tensor, eps: Float = 1e-8) -> Tensor {
    precondition(a.shape == b.shape, "negativeCosineSimilarity: shapes \(a.shape) and \(b.shape) differ")
    let c = a.shape.last ?? 1, rows = a.count / max(c, 1)
    var na = [Float](repeating: 0, count: rows), nb = na, dots = na
    var total: Double = 0
    for r in 0..<rows {
        let pa = a.data + r * c, pb = b.data + r * c
        na[r] = max(Kernels.dot(pa, pa, c).squareRoot(), eps)
        nb[r] = max(Kernels.dot(pb, pb, c).squareRoot(), eps)
        dots[r] = Kernels.dot(pa, pb, c)
        total += Double(dots[r] / (na[r] * nb[r]))
    }
    let y = Tensor(shape: [], values: [Float(-total / Double(max(rows, 1)))])
    if let tape = tapeOf(a, b) {
        tape.record(y) { gy in
            // d cos/da = b/(|a||b|) − cos·a/|a|²  (when |a| > ε; the clamp makes the norm constant otherwise).
            let s = -gy.data[0] / Float(max(rows, 1))
            for (x, other, nx) in [(a, b, na), (b, a, nb)] where x.requiresGrad {
                let g = Tensor(shape: x.shape)
                for r in 0..<rows {
                    let px = x.data + r * c, po = other.data + r * c, dst = g.data + r * c
                    let cosv = dots[r] / (na[r] * nb[r])
                    let rawNorm = Kernels.dot(px, px, c).squareRoot()
                    let k2: Float = rawNorm > eps ? cosv / (nx[r] * nx[r]) : 0
                    for i in 0..<c { dst[i] = s * (po[i] / (na[r] * nb[r]) - k2 * px[i]) }
                }
                x.accumulateGrad(g, owned: true)
            }
        }
    }
    return y
}
