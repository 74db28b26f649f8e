import COpenBLAS
import Foundation

// Element-wise arithmetic with one-sided broadcasting, and the activations (SiLU, GELU).

extension Tensor {
    /// For `b` broadcast against `a` (b's shape right-aligned, each dim equal or 1): the element strides of b in
    /// a's index space (0 on broadcast dims). Nil when the shapes are incompatible.
    static func broadcastStrides(_ a: [Int], _ b: [Int]) -> [Int]? {
        guard b.count <= a.count else { return nil }
        let padded = [Int](repeating: 1, count: a.count - b.count) + b
        var strides = [Int](repeating: 0, count: a.count)
        var acc = 1
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            if padded[i] == a[i] { strides[i] = padded[i] == 1 ? 0 : acc } else if padded[i] == 1 { strides[i] = 0 } else { return nil }
            acc *= padded[i]
        }
        return strides
    }

    /// Calls `body(outOffset, bOffset, run, bStep)` for runs of the last dimension of `shape`, where b's index
    /// advances by `bStep` (0 or 1) along the run.
    static func forEachRun(_ shape: [Int], _ bStrides: [Int], _ body: (Int, Int, Int, Int) -> Void) {
        let rank = shape.count
        if rank == 0 { body(0, 0, 1, 0); return }
        let run = shape[rank - 1], bStep = bStrides[rank - 1]
        let rows = shape.dropLast().reduce(1, *)
        if run == 0 || rows == 0 { return }
        var idx = [Int](repeating: 0, count: rank)
        var bOff = 0
        for r in 0..<rows {
            body(r * run, bOff, run, bStep)
            var d = rank - 2
            while d >= 0 {
                idx[d] += 1
                bOff += bStrides[d]
                if idx[d] < shape[d] { break }
                bOff -= bStrides[d] * shape[d]
                idx[d] = 0
                d -= 1
            }
        }
    }

    /// `a + beta·b` for b broadcastable to a (or a to b).
    static func addScaled(_ a: Tensor, _ b: Tensor, beta: Float) -> Tensor {
        if b.count > a.count || (b.count == a.count && b.rank > a.rank) {
            // a is the broadcast one: compute beta·b + a.
            let y = addScaledKernel(b, a, alphaOfLarge: beta, betaOfSmall: 1)
            recordAddBackward(y, large: b, small: a, alphaLarge: beta, betaSmall: 1)
            return y
        }
        let y = addScaledKernel(a, b, alphaOfLarge: 1, betaOfSmall: beta)
        recordAddBackward(y, large: a, small: b, alphaLarge: 1, betaSmall: beta)
        return y
    }

    private static func addScaledKernel(_ large: Tensor, _ small: Tensor, alphaOfLarge: Float, betaOfSmall: Float) -> Tensor {
        guard let bs = broadcastStrides(large.shape, small.shape) else {
            preconditionFailure("add: shapes \(large.shape) and \(small.shape) do not broadcast")
        }
        let y = Tensor(shape: large.shape)
        let o = y.data, a = large.data, b = small.data
        if small.count == large.count {
            parallelFor(large.count, costPerItem: 2) { r in
                for i in r { o[i] = alphaOfLarge * a[i] + betaOfSmall * b[i] }
            }
            return y
        }
        forEachRun(large.shape, bs) { off, bOff, run, step in
            if step == 0 {
                let v = betaOfSmall * b[bOff]
                for i in 0..<run { o[off + i] = alphaOfLarge * a[off + i] + v }
            } else {
                for i in 0..<run { o[off + i] = alphaOfLarge * a[off + i] + betaOfSmall * b[bOff + i] }
            }
        }
        return y
    }

    /// Sums `g` (shape of large) down to `small`'s shape along broadcast dims, times `scale`.
    static func reduceToShape(_ g: Tensor, _ small: [Int], scale: Float) -> Tensor {
        let r = Tensor.zeros(small)
        let bs = broadcastStrides(g.shape, small)!
        let o = r.data, s = g.data
        if r.count == g.count {
            for i in 0..<g.count { o[i] = scale * s[i] }
            return r
        }
        forEachRun(g.shape, bs) { off, bOff, run, step in
            if step == 0 {
                var acc: Float = 0
                for i in 0..<run { acc += s[off + i] }
                o[bOff] += scale * acc
            } else {
                for i in 0..<run { o[bOff + i] += scale * s[off + i] }
            }
        }
        return r
    }

    private static func recordAddBackward(_ y: Tensor, large: Tensor, small: Tensor, alphaLarge: Float, betaSmall: Float) {
        guard let tape = tapeOf(large, small) else { return }
        tape.record(y) { gy in
            if large.requiresGrad {
                if alphaLarge == 1 { large.accumulateGrad(gy) } else { large.accumulateGrad(reduceToShape(gy, large.shape, scale: alphaLarge), owned: true) }
            }
            if small.requiresGrad { small.accumulateGrad(reduceToShape(gy, small.shape, scale: betaSmall), owned: true) }
        }
    }

    /// `a + b`, b broadcast to a's shape (or a to b's).
    public static func + (a: Tensor, b: Tensor) -> Tensor { addScaled(a, b, beta: 1) }

    /// `a − b`, b broadcast to a's shape (or a to b's).
    public static func - (a: Tensor, b: Tensor) -> Tensor { addScaled(a, b, beta: -1) }

    /// `a ⊙ b` (element-wise), b broadcast to a's shape (or a to b's).
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (large, small) = (b.count > a.count || (b.count == a.count && b.rank > a.rank)) ? (b, a) : (a, b)
        guard let bs = broadcastStrides(large.shape, small.shape) else {
            preconditionFailure("multiply: shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let y = mulKernel(large, small, bs)
        if let tape = tapeOf(large, small) {
            tape.record(y) { gy in
                if large.requiresGrad { large.accumulateGrad(mulKernel(gy, small, bs), owned: true) }
                if small.requiresGrad {
                    let prod = Tensor(shape: large.shape)
                    for i in 0..<large.count { prod.data[i] = gy.data[i] * large.data[i] }
                    small.accumulateGrad(reduceToShape(prod, small.shape, scale: 1), owned: true)
                }
            }
        }
        return y
    }

    private static func mulKernel(_ large: Tensor, _ small: Tensor, _ bs: [Int]) -> Tensor {
        let y = Tensor(shape: large.shape)
        let o = y.data, a = large.data, b = small.data
        if small.count == large.count {
            for i in 0..<large.count { o[i] = a[i] * b[i] }
            return y
        }
        forEachRun(large.shape, bs) { off, bOff, run, step in
            if step == 0 { let v = b[bOff]; for i in 0..<run { o[off + i] = a[off + i] * v } }
            else { for i in 0..<run { o[off + i] = a[off + i] * b[bOff + i] } }
        }
        return y
    }

    /// `s·x`.
    public static func * (x: Tensor, s: Float) -> Tensor {
        let y = Tensor(shape: x.shape)
        let o = y.data, a = x.data
        for i in 0..<x.count { o[i] = s * a[i] }
        if let tape = x.tape {
            tape.record(y) { gy in
                let g = Tensor(shape: x.shape)
                for i in 0..<x.count { g.data[i] = s * gy.data[i] }
                x.accumulateGrad(g, owned: true)
            }
        }
        return y
    }

    /// `s·x`.
    public static func * (s: Float, x: Tensor) -> Tensor { x * s }

    /// `x + s`.
    public static func + (x: Tensor, s: Float) -> Tensor {
        let y = Tensor(shape: x.shape)
        let o = y.data, a = x.data
        for i in 0..<x.count { o[i] = a[i] + s }
        if let tape = x.tape { tape.record(y) { gy in x.accumulateGrad(gy) } }
        return y
    }

    // MARK: - Activations

    /// Runs `forward(x, y, range)` in parallel and records `backward(x, y, gy, gx, range)`; both are plain loops
    /// over pointers so they vectorise.
    @inline(__always)
    private func activation(_ forward: @escaping (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Range<Int>) -> Void,
                            _ backward: @escaping (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Range<Int>) -> Void) -> Tensor {
        let y = Tensor(shape: shape)
        let yd = y.data, xd = data
        parallelFor(count, costPerItem: 16) { r in forward(xd, yd, r) }
        if let tape {
            tape.record(y) { [self] gy in
                let g = Tensor(shape: shape)
                let gd = g.data, gyd = gy.data
                parallelFor(count, costPerItem: 16) { r in backward(data, yd, gyd, gd, r) }
                accumulateGrad(g, owned: true)
            }
        }
        return y
    }

    /// SiLU: `x·σ(x)`, `σ(x) = 1/(1+e^−x)`; derivative `σ(x)·(1 + x·(1 − σ(x)))`.
    public func silu() -> Tensor {
        activation({ x, y, r in Kernels.silu(x + r.lowerBound, y + r.lowerBound, r.count) },
                   { x, _, gy, gx, r in Kernels.siluBackward(x + r.lowerBound, gy + r.lowerBound, gx + r.lowerBound, r.count) })
    }

    /// GELU, exact form (PyTorch's default): `x·Φ(x) = x·½(1 + erf(x/√2))`; derivative `Φ(x) + x·φ(x)`.
    public func gelu() -> Tensor {
        activation({ x, y, r in Kernels.gelu(x + r.lowerBound, y + r.lowerBound, r.count) },
                   { x, _, gy, gx, r in Kernels.geluBackward(x + r.lowerBound, gy + r.lowerBound, gx + r.lowerBound, r.count) })
    }

    /// Sigmoid `1/(1+e^−x)`; derivative `y(1−y)`.
    public func sigmoid() -> Tensor {
        activation({ x, y, r in for i in r { y[i] = 1 / (1 + Kernels.exp(-x[i])) } },
                   { _, y, gy, gx, r in for i in r { gx[i] = gy[i] * y[i] * (1 - y[i]) } })
    }
}



/// The activations' loops: the AVX2 kernels of COpenBLAS/kernels.h where the CPU has them, else the Swift loops
/// below (the tests' reference; same formulas, results differ only by FMA rounding).
extension Kernels {
    package static func silu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        if hasAVX2 { zt_silu_avx2(x, y, n) } else { siluPortable(x, y, n) }
    }

    package static func siluBackward(_ x: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, _ gx: UnsafeMutablePointer<Float>, _ n: Int) {
        if hasAVX2 { zt_silu_backward_avx2(x, gy, gx, n) } else { siluBackwardPortable(x, gy, gx, n) }
    }

    package static func gelu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        if hasAVX2 { zt_gelu_avx2(x, y, n) } else { geluPortable(x, y, n) }
    }

    package static func geluBackward(_ x: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, _ gx: UnsafeMutablePointer<Float>, _ n: Int) {
        if hasAVX2 { zt_gelu_backward_avx2(x, gy, gx, n) } else { geluBackwardPortable(x, gy, gx, n) }
    }

    package static func siluPortable(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] = x[i] / (1 + exp(-x[i])) }
    }

    package static func siluBackwardPortable(_ x: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, _ gx: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n {
            let s = 1 / (1 + exp(-x[i]))
            gx[i] = gy[i] * s * (1 + x[i] * (1 - s))
        }
    }

    package static func geluPortable(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] = 0.5 * x[i] * (1 + erf(x[i] * 0.707_106_781_186_547_5)) }
    }

    package static func geluBackwardPortable(_ x: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, _ gx: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n {
            let v = x[i]
            // e^(−v²/2) serves both φ(v) and erf(v/√2) (whose argument squared is v²/2).
            let e = exp(-0.5 * v * v)
            let cdf = 0.5 * (1 + erf(v * 0.707_106_781_186_547_5, expMinusXSquared: e))
            let pdf = e * 0.398_942_280_401_432_7
            gx[i] = gy[i] * (cdf + v * pdf)
        }
    }
}
