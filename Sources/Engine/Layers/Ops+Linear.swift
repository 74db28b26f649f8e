import COpenBLAS

/// The linear kernels of COpenBLAS/kernels.h for small weights, best first: AVX-512 (six rows × 64 columns per step)
/// and AVX2 (six rows × 16 columns). Larger weights, CPUs without AVX2, and `disabled` take one OpenBLAS GEMM.
package enum LinearKernel: Sendable, CaseIterable {
    case avx512, avx2

    /// Kernels available here, best first.
    package static let available: [LinearKernel] = !Kernels.hasAVX2 ? [] : Kernels.hasAVX512 ? [.avx512, .avx2] : [.avx2]
    /// Tests pin a kernel with `LinearKernel.$forced.withValue(.avx2) { … }`.
    @TaskLocal package static var forced: LinearKernel?
    /// Tests compare with the OpenBLAS path through `LinearKernel.$disabled.withValue(true) { … }`.
    @TaskLocal package static var disabled = false
    /// The kernel for a weight of `inF` × `outF`: AVX-512 up to 1024 × 1024 (4 MB: they stay in cache while every
    /// row streams past), AVX2 up to 32 K weights (beyond, OpenBLAS was as fast or faster on a Zen 3 core: 128 × 512
    /// at 65 GFLOP/s against 81); nil for the OpenBLAS path.
    static func kernel(_ inF: Int, _ outF: Int) -> LinearKernel? {
        guard !disabled, inF <= 1024, outF <= 1024 else { return nil }
        let k = forced.flatMap { available.contains($0) ? $0 : nil } ?? available.first
        return k == .avx2 && inF * outF > 32_768 ? nil : k
    }

    /// y (rows × n, bias added when given) = x (rows × k) · w, w as [k][n]; rows split across the engine's threads.
    func run(_ x: UnsafePointer<Float>, rows: Int, k: Int, _ w: UnsafePointer<Float>, n: Int,
             bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>) {
        let block = 96, blocks = (rows + block - 1) / block
        parallelFor(blocks, costPerItem: block * k * n) { r in
            for b in r {
                let r0 = b * block, count = min(block, rows - r0)
                switch self {
                case .avx512: zt_linear_avx512(x + r0 * k, k, count, k, w, n, n, bias, y + r0 * n, n)
                case .avx2: zt_linear_avx2(x + r0 * k, k, count, k, w, n, n, bias, y + r0 * n, n)
                }
            }
        }
    }
}

/// Linear map over the last dimension: `y = x·Wᵀ + b`. x: `[..., in]`, weight: `[out, in]` (PyTorch layout),
/// bias: `[out]`. One GEMM over all leading dimensions.
public func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor {
    let inF = weight.shape[1], outF = weight.shape[0]
    precondition(x.shape.last == inF, "linear: input \(x.shape) does not end in \(inF)")
    let m = x.count / max(inF, 1)
    var outShape = x.shape
    outShape[outShape.count - 1] = outF
    let y = Tensor(shape: outShape)
    let small = LinearKernel.kernel(inF, outF)
    if let small {
        let wt = Tensor(shape: [inF, outF])  // Wᵀ, [in][out]
        for o in 0..<outF { for i in 0..<inF { wt.data[i * outF + o] = weight.data[o * inF + i] } }
        small.run(x.data, rows: m, k: inF, wt.data, n: outF, bias: bias?.data, y.data)
    } else {
        if let bias {
            for r in 0..<m { (y.data + r * outF).update(from: bias.data, count: outF) }
        }
        Kernels.gemm(transB: true, m: m, n: outF, k: inF, a: x.data, lda: inF, b: weight.data, ldb: inF,
                     beta: bias == nil ? 0 : 1, c: y.data, ldc: outF)
    }
    if let tape = tapeOf(x, weight, bias) {
        tape.record(y) { gy in
            if x.requiresGrad {
                // dx = gy·W
                let gx = Tensor(shape: x.shape)
                if let small {
                    small.run(gy.data, rows: m, k: outF, weight.data, n: inF, bias: nil, gx.data)
                } else {
                    Kernels.gemm(m: m, n: inF, k: outF, a: gy.data, lda: outF, b: weight.data, ldb: inF, c: gx.data, ldc: inF)
                }
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
