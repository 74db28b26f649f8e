/// Linear map over the last dimension: `y = x·Wᵀ + b`. x: `[..., in]`, weight: `[out, in]` (PyTorch layout),
/// bias: `[out]`. One GEMM over all leading dimensions.
public func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor {
    let inF = weight.shape[1], outF = weight.shape[0]
    precondition(x.shape.last == inF, "linear: input \(x.shape) does not end in \(inF)")
    let m = x.count / max(inF, 1)
    var outShape = x.shape
    outShape[outShape.count - 1] = outF
    let y = Tensor(shape: outShape)
    if let bias {
        for r in 0..<m { (y.data + r * outF).update(from: bias.data, count: outF) }
    }
    Kernels.gemm(transB: true, m: m, n: outF, k: inF, a: x.data, lda: inF, b: weight.data, ldb: inF,
                 beta: bias == nil ? 0 : 1, c: y.data, ldc: outF)
    if let tape = tapeOf(x, weight, bias) {
        tape.record(y) { gy in
            if x.requiresGrad {
                // dx = gy·W
                let gx = Tensor(shape: x.shape)
                Kernels.gemm(m: m, n: inF, k: outF, a: gy.data, lda: outF, b: weight.data, ldb: inF, c: gx.data, ldc: inF)
                x.accumulateGrad(gx, owned: true)
            }
            if weight.requiresGrad {
                // dW = gyᵀ·x
                let gw = Tensor(shape: weight.shape)
                Kernels.gemm(transA: true, m: outF, n: inF, k: m, a: gy.data, lda: outF, b: x.data, ldb: inF, c: gw.data, ldc: inF)
                weight.accumulateGrad(gw, owned: true)
            }
            if let bias, bias.requiresGrad {
                let gb = Tensor.zeros([outF])
                for r in 0..<m { Kernels.addInPlace(gb.data, gy.data + r * outF, outF) }
                bias.accumulateGrad(gb, owned: true)
            }
        }
    }
    return y
}
