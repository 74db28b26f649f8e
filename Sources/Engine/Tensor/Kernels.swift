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
        // Large products split across the engine's threads (OpenBLAS runs single-threaded; see ComputeThreads.set).
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta,
             c: c, ldc: ldc, threads: ParallelRegion.isInside ? 1 : ComputeThreads.width)
    }

    /// How a large product is cut into pieces: by columns of C (in 16-column blocks, the kernels' natural width) when
    /// it is wide, else by rows. The cut depends on the shape alone, never on the thread count, and every piece is
    /// its own `cblas_sgemm` call whoever runs it, so the result is the same bit for bit on any number of threads.
    /// (Cutting by thread count did not: OpenBLAS picks other kernels for smaller products — its small-matrix
    /// kernels below 100³ on AVX-512 machines — which round differently.) Six pieces spread evenly over 1, 2, 3 and 6
    /// threads; pieces stay ≥ 64 columns or ≥ 32 rows so that packing stays small beside the arithmetic.
    package struct GemmSplit: Sendable {
        package let byColumns: Bool
        package let pieces: Int

        package init(m: Int, n: Int, k: Int) {
            let work = Double(m) * Double(n) * Double(k)
            let blocks = (n + 15) / 16
            func most(_ units: Int, minimum: Int) -> Int { [6, 4, 3, 2].first { units >= $0 * minimum } ?? 1 }
            if work < 524_288 { byColumns = true; pieces = 1 }
            else if blocks >= 8 { byColumns = true; pieces = most(blocks, minimum: 4) }
            else { byColumns = false; pieces = most(m, minimum: 32) }
        }

        /// Piece `p`'s columns (by columns) or rows (by rows).
        package func range(_ p: Int, m: Int, n: Int) -> Range<Int> {
            if byColumns {
                let blocks = (n + 15) / 16
                return Swift.min(n, blocks * p / pieces * 16)..<Swift.min(n, blocks * (p + 1) / pieces * 16)
            }
            return m * p / pieces..<m * (p + 1) / pieces
        }
    }

    /// `gemm` on up to `width` threads, cut as `GemmSplit` says; the result does not depend on `width`.
    package static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads width: Int) {
        _ = ComputeThreads.openBLASPinned
        let split = GemmSplit(m: m, n: n, k: k)
        if split.pieces == 1 {
            blasGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                     beta: beta, c: c, ldc: ldc)
            return
        }
        let au = UncheckedSendable(a), bu = UncheckedSendable(b), cu = UncheckedSendable(c)
        let lanes = Swift.max(1, Swift.min(width, split.pieces))
        parallelFor(lanes, costPerItem: 1 << 20, width: lanes) { chunk in
            for w in chunk {
                for p in split.pieces * w / lanes..<split.pieces * (w + 1) / lanes {
                    let r = split.range(p, m: m, n: n)
                    guard !r.isEmpty else { continue }
                    if split.byColumns {
                        blasGemm(transA: transA, transB: transB, m: m, n: r.count, k: k, alpha: alpha, a: au.value, lda: lda,
                                 b: transB ? bu.value + r.lowerBound * ldb : bu.value + r.lowerBound, ldb: ldb, beta: beta,
                                 c: cu.value + r.lowerBound, ldc: ldc)
                    } else {
                        blasGemm(transA: transA, transB: transB, m: r.count, n: n, k: k, alpha: alpha,
                                 a: transA ? au.value + r.lowerBound : au.value + r.lowerBound * lda, lda: lda, b: bu.value,
                                 ldb: ldb, beta: beta, c: cu.value + r.lowerBound * ldc, ldc: ldc)
                    }
                }
            }
        }
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
