import COpenBLAS

/// Low-level kernels shared by the operations: GEMM, fast exp, vector helpers.
package enum Kernels {
    /// Row-major `C = alpha·op(A)·op(B) + beta·C` with `op(A)` m×k and `op(B)` k×n (cblas_sgemm).
    @inline(__always)
    package static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            else if beta != 1 { for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } } }
            return
        }
        // Large products split across the engine's threads (OpenBLAS runs single-threaded; see ComputeThreads.set):
        // by columns of C when it is wide, else by rows. Each element's sum is the same single-threaded sgemm's
        // whatever the split, so results do not depend on the thread count.
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta,
             c: c, ldc: ldc, threads: ParallelRegion.isInside ? 1 : ComputeThreads.width)
    }

    /// `gemm` on up to `width` threads: large products split by columns of C when it is wide, else by rows.
    package static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads width: Int) {
        _ = ComputeThreads.openBLASPinned
        let work: Double = Double(m) * Double(n) * Double(k)
        let byColumns = n >= 32 * width
        if width > 1 && work >= 524_288 && (byColumns || m >= 8 * width) {
            let au = UncheckedSendable(a), bu = UncheckedSendable(b), cu = UncheckedSendable(c)
            let blocks = (n + 15) / 16  // columns go in 16-column blocks: the kernels' natural width
            parallelFor(width, costPerItem: 1 << 20, width: width) { chunks in
                for w in chunks {
                    if byColumns {
                        let j0: Int = Swift.min(n, blocks * w / width * 16), j1: Int = Swift.min(n, blocks * (w + 1) / width * 16)
                        guard j0 < j1 else { continue }
                        blasGemm(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha, a: au.value, lda: lda,
                                 b: transB ? bu.value + j0 * ldb : bu.value + j0, ldb: ldb, beta: beta, c: cu.value + j0, ldc: ldc)
                    } else {
                        let i0: Int = m * w / width, i1: Int = m * (w + 1) / width
                        guard i0 < i1 else { continue }
                        blasGemm(transA: transA, transB: transB, m: i1 - i0, n: n, k: k, alpha: alpha,
                                 a: transA ? au.value + i0 : au.value + i0 * lda, lda: lda, b: bu.value, ldb: ldb,
                                 beta: beta, c: cu.value + i0 * ldc, ldc: ldc)
                    }
                }
            }
            return
        }
        blasGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// One `cblas_sgemm` call, row-major, as given (OpenBLAS's own threading decides the threads).
    @inline(__always)
    package static func blasGemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                 beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `e^x` in float, branch-free so loops over it vectorise; relative error ≤ 2e-7 on [−87, 88].
    ///
    /// `x = n·ln2 + r`, `|r| ≤ ln2/2`; `e^r` by a degree-6 Taylor–Horner polynomial; `2^n` by exponent bits.
    /// `n` is rounded with the 1.5·2²³ trick (adding it leaves the integer in the low mantissa bits), which
    /// vectorises where `rounded()` becomes a libm call.
    @inline(__always)
    package static func exp(_ x: Float) -> Float {
        let xc = Swift.min(Swift.max(x, -87.33), 88.37)
        let magic: Float = 12_582_912
        let t = xc * 1.442_695_04 + magic
        let n = t - magic
        // r = x − n·ln2 in two parts (Cody–Waite) for accuracy.
        let r = (xc - n * 0.693_145_751_953_125) - n * 1.428_606_765_330_187_045e-6
        var p: Float = 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let ni = Int32(bitPattern: t.bitPattern) &- Int32(bitPattern: magic.bitPattern)
        return p * Float(bitPattern: UInt32(bitPattern: (ni &+ 127) &<< 23))
    }

    /// `erf(x)`, Abramowitz & Stegun 7.1.26: `1 − (a₁t + … + a₅t⁵)e^(−x²)`, `t = 1/(1 + p|x|)`; |error| ≤ 1.5e-7.
    @inline(__always)
    package static func erf(_ x: Float) -> Float { erf(x, expMinusXSquared: exp(-x * x)) }

    /// `erf(x)` given `e^(−x²)` already computed (GELU's backward shares it with the normal density).
    @inline(__always)
    package static func erf(_ x: Float, expMinusXSquared emx2: Float) -> Float {
        let ax = Swift.abs(x)
        let t = 1 / (1 + 0.327_591_1 * ax)
        var y: Float = 1.061_405_429
        y = y * t - 1.453_152_027
        y = y * t + 1.421_413_741
        y = y * t - 0.284_496_736
        y = y * t + 0.254_829_592
        let e = 1 - y * t * emx2
        // copysign(e, x) with bit operations, so the loop stays branch- and select-free.
        return Float(bitPattern: e.bitPattern | (x.bitPattern & 0x8000_0000))
    }

    /// `dst[i] += src[i]`.
    @inline(__always)
    package static func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { dst[i] += src[i] }
    }
}

extension Kernels {
    /// `Σ p[i]` with 8 float lanes (a fixed order, so the result is reproducible).
    @inline(__always)
    package static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n { acc += raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self); i += 8 }
        var s = acc.sum()
        while i < n { s += p[i]; i += 1 }
        return s
    }

    /// `Σ (p[i] − c)²` with 8 float lanes.
    @inline(__always)
    package static func sumSquares(_ p: UnsafePointer<Float>, _ n: Int, centre c: Float) -> Float {
        var acc = SIMD8<Float>()
        let cv = SIMD8<Float>(repeating: c)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n { let d = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) - cv; acc += d * d; i += 8 }
        var s = acc.sum()
        while i < n { let d = p[i] - c; s += d * d; i += 1 }
        return s
    }

    /// `Σ a[i]·b[i]` with 8 float lanes.
    @inline(__always)
    package static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 8 <= n {
            acc += ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// `max p[i]` with 8 float lanes (−∞ for an empty row).
    @inline(__always)
    package static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            acc = acc.replacing(with: v, where: v .> acc)
            i += 8
        }
        var m = acc.max()
        while i < n { m = Swift.max(m, p[i]); i += 1 }
        return m
    }

    /// True when the CPU has AVX2 and FMA: the C kernels in COpenBLAS/kernels.h are used instead of the Swift loops.
    package static let hasAVX2 = zt_has_avx2_fma() != 0
    /// True when the CPU has AVX-512F (the direct convolution, attention and linear kernels' 16-lane versions).
    package static let hasAVX512 = zt_has_avx512() != 0

    /// Softmax of one row in place: `y = e^(x − max x) / Σ e^(x − max x)` (AVX2 kernel when the CPU has it).
    @inline(__always)
    package static func softmaxRow(_ s: UnsafeMutablePointer<Float>, _ n: Int) {
        if hasAVX2 { zt_softmax_row_avx2(s, n) } else { softmaxRowPortable(s, n) }
    }

    /// The Swift softmax row (any CPU).
    @inline(__always)
    package static func softmaxRowPortable(_ s: UnsafeMutablePointer<Float>, _ n: Int) {
        let m = max(s, n)
        var i = 0
        let shift = SIMD8<Float>(repeating: m)
        var acc = SIMD8<Float>(repeating: 0)
        while i + 8 <= n {
            let p = UnsafeMutableRawPointer(s + i)
            let e = exp8(p.loadUnaligned(as: SIMD8<Float>.self) - shift)
            p.storeBytes(of: e, as: SIMD8<Float>.self)
            acc += e
            i += 8
        }
        var total = acc.sum()
        while i < n { s[i] = exp(s[i] - m); total += s[i]; i += 1 }
        let inv = 1 / total
        for j in 0..<n { s[j] *= inv }
    }

    /// `exp` of 8 lanes: Cephes `expf` (range reduction by ln 2 in two parts, degree-6 polynomial, 2^k through the
    /// exponent bits); relative error below 2e-7 on [-87, 88]; inputs below −87.3 give ~1e-38, not 0.
    @inline(__always)
    package static func exp8(_ v: SIMD8<Float>) -> SIMD8<Float> {
        // Clamp by masked replacement: `clamped(lowerBound:upperBound:)` goes through generic pointwiseMin/Max calls
        // that are not inlined here (5 % of a generation profile); compares and blends are.
        var x = v
        let lo = SIMD8<Float>(repeating: -87.3), hi = SIMD8<Float>(repeating: 88.3)
        x.replace(with: lo, where: x .< lo)
        x.replace(with: hi, where: x .> hi)
        // k = round(x / ln 2): adding 1.5·2²³ rounds to an integer held in the low mantissa bits.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let fx = x * 1.442_695_04 + magic
        let k = fx - magic
        let r = x - k * 0.693_359_375 - k * -2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * r * r + r + 1
        let ki = unsafeBitCast(fx, to: SIMD8<Int32>.self) &- 0x4B40_0000
        return unsafeBitCast(unsafeBitCast(y, to: SIMD8<Int32>.self) &+ (ki &<< 23), to: SIMD8<Float>.self)
    }

    /// Softmax backward for one row: `gx = y ⊙ (gy − Σ gy·y)` (may alias gy).
    @inline(__always)
    package static func softmaxRowBackward(y: UnsafePointer<Float>, gy: UnsafePointer<Float>, gx: UnsafeMutablePointer<Float>, _ n: Int) {
        let d = dot(gy, y, n)
        for i in 0..<n { gx[i] = y[i] * (gy[i] - d) }
    }
}
