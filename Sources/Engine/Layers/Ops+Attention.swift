import COpenBLAS
import Foundation

/// The short-attention kernels (≤ 16 keys) this CPU can run, best first: AVX-512 (one query's scores in one 16-lane
/// register, eight queries at a time) and AVX2 (two 8-lane halves, four queries at a time), forward and backward.
package enum ShortAttentionKernel: Sendable, CaseIterable {
    case avx512, avx2

    /// Kernels available here, best first (empty without AVX2: the GEMM path runs instead).
    package static let available: [ShortAttentionKernel] =
        !Kernels.hasAVX2 ? [] : Kernels.hasAVX512 ? [.avx512, .avx2] : [.avx2]

    /// Tests pin a kernel with `ShortAttentionKernel.$forced.withValue(.avx2) { … }`.
    @TaskLocal package static var forced: ShortAttentionKernel?

    /// The kernel attention uses now.
    package static var current: ShortAttentionKernel? { forced.flatMap { available.contains($0) ? $0 : nil } ?? available.first }
}

/// The long-attention kernels (more than 16 keys) this CPU can run, best first: AVX-512 and AVX2, forward and backward
/// (the backward when workers can own whole pairs). Without either, or when disabled, OpenBLAS GEMMs run.
package enum LongAttentionKernel: Sendable, CaseIterable {
    case avx512, avx2

    /// Kernels available here, best first.
    package static let available: [LongAttentionKernel] =
        !Kernels.hasAVX2 ? [] : Kernels.hasAVX512 ? [.avx512, .avx2] : [.avx2]
    /// Tests pin a kernel with `LongAttentionKernel.$forced.withValue(.avx2) { … }`.
    @TaskLocal package static var forced: LongAttentionKernel?
    /// Tests compare with the GEMM path through `LongAttentionKernel.$disabled.withValue(true) { … }`.
    @TaskLocal package static var disabled = false
    /// The kernel attention uses now (nil: the GEMM path).
    static var current: LongAttentionKernel? {
        disabled ? nil : forced.flatMap { available.contains($0) ? $0 : nil } ?? available.first
    }
}

/// Shapes of one multi-head attention call and the per-(batch, head) kernels.
private struct AttentionGeometry {
    let batch: Int, lq: Int, lk: Int, heads: Int, d: Int, dv: Int
    var cq: Int { heads * d }
    var cv: Int { heads * dv }
    var scale: Float { 1 / Float(d).squareRoot() }
    /// Query rows per block so a block of scores stays ≤ 64 K floats (256 KB, cache-resident between its GEMMs).
    var queryBlock: Int { max(1, min(lq, 65_536 / max(lk, 1))) }
    var blocksPerPair: Int { (lq + queryBlock - 1) / queryBlock }

    /// Forward for query block `blk` of pair (b, h): `O = softmax(scale·Q Kᵀ) V`; `s` holds `queryBlock·lk` floats.
    func forward(_ b: Int, _ h: Int, block blk: Int, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                 out: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>, rowsParallel: Bool) {
        let kp = k + b * lk * cq + h * d, vp = v + b * lk * cv + h * dv
        let i0 = blk * queryBlock, n = min(queryBlock, lq - i0)
        let qp = q + (b * lq + i0) * cq + h * d
        Kernels.gemm(transB: true, m: n, n: lk, k: d, alpha: scale, a: qp, lda: cq, b: kp, ldb: cq, c: s, ldc: lk)
        softmaxRows(s, n, rowsParallel)
        Kernels.gemm(m: n, n: dv, k: lk, a: s, lda: lk, b: vp, ldb: cv, c: out + (b * lq + i0) * cv + h * dv, ldc: cv)
    }

    /// Offsets of pair (b, h) in q (and dq), k (and dk), v (and dv) and the output (and its gradient).
    func offsets(_ b: Int, _ h: Int) -> (q: Int, k: Int, v: Int, o: Int) {
        (b * lq * cq + h * d, b * lk * cq + h * d, b * lk * cv + h * dv, b * lq * cv + h * dv)
    }
    /// Row stride of a pair's packed Kᵀ (and Vᵀ) for the AVX-512 kernels: lk rounded up to whole 16-lane vectors.
    var ldkt: Int { (lk + 15) / 16 * 16 }

    /// Short key sequences (temporal attention over ≤ 16 frames, cross-attention to ≤ 16 prompt tokens) go to the
    /// kernels of COpenBLAS/kernels.h, one pair per call: GEMMs of 16×16×32 were mostly call and packing overhead.
    var usesShortKernel: Bool { ShortAttentionKernel.current != nil && lk <= 16 && d <= Int(ZT_ATTN_MAXD) && dv <= Int(ZT_ATTN_MAXD) }

    /// Longer key sequences take the long kernels when the CPU has them and the heads are narrow enough that Kᵀ
    /// and V of a pair stay in cache (their backward only when workers can own whole pairs; else the GEMM path).
    var longKernel: LongAttentionKernel? {
        guard d <= Int(ZT_ATTN_MAXD), dv <= Int(ZT_ATTN_MAXD), lk * (d + dv) <= 1 << 18 else { return nil }
        return LongAttentionKernel.current
    }

    func shortForward(_ b: Int, _ h: Int, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                      out: UnsafeMutablePointer<Float>, kernel: ShortAttentionKernel) {
        let o = offsets(b, h)
        switch kernel {
        case .avx512: zt_attn_short_forward_avx512(q + o.q, cq, lq, k + o.k, cq, lk, d, v + o.v, cv, dv, scale, out + o.o, cv)
        case .avx2: zt_attn_short_forward(q + o.q, cq, lq, k + o.k, cq, lk, d, v + o.v, cv, dv, scale, out + o.o, cv)
        }
    }

    func shortBackward(_ b: Int, _ h: Int, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                       go: UnsafePointer<Float>, gq: UnsafeMutablePointer<Float>?, gk: UnsafeMutablePointer<Float>?,
                       gv: UnsafeMutablePointer<Float>?, kernel: ShortAttentionKernel) {
        let o = offsets(b, h)
        let (gqp, gkp, gvp) = (gq.map { $0 + o.q }, gk.map { $0 + o.k }, gv.map { $0 + o.v })
        switch kernel {
        case .avx512: zt_attn_short_backward_avx512(q + o.q, cq, lq, k + o.k, cq, lk, d, v + o.v, cv, dv, scale, go + o.o, cv, gqp, gkp, gvp)
        case .avx2: zt_attn_short_backward(q + o.q, cq, lq, k + o.k, cq, lk, d, v + o.v, cv, dv, scale, go + o.o, cv, gqp, gkp, gvp)
        }
    }

    /// Kᵀ and V of pair (b, h) into `kt` and `vp` for the long kernels.
    func longPack(_ b: Int, _ h: Int, k: UnsafePointer<Float>, v: UnsafePointer<Float>, kt: UnsafeMutablePointer<Float>,
                  vp: UnsafeMutablePointer<Float>, ldvp: Int, kernel: LongAttentionKernel) {
        let o = offsets(b, h)
        switch kernel {
        case .avx512:
            zt_attn_kt_avx512(k + o.k, cq, lk, d, kt, ldkt)
            zt_attn_pack_v_avx512(v + o.v, cv, lk, dv, vp, ldvp)
        case .avx2:
            zt_attn_kt_avx2(k + o.k, cq, lk, d, kt, ldkt)
            zt_attn_pack_v_avx2(v + o.v, cv, lk, dv, vp, ldvp)
        }
    }

    /// Queries [i0, i1) of pair (b, h) through a long kernel; `kt`, `vp` hold the pair's packed Kᵀ and V
    /// (`longPack`), `s` the kernel's scratch (eight rows of scores; AVX2: `zt_attn_long_forward_scratch_avx2`).
    func longForward(_ b: Int, _ h: Int, queries: Range<Int>, q: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                     kt: UnsafePointer<Float>, vp: UnsafePointer<Float>, ldvp: Int, s: UnsafeMutablePointer<Float>,
                     kernel: LongAttentionKernel) {
        let o = offsets(b, h)
        switch kernel {
        case .avx512:
            zt_attn_long_forward_avx512(q + o.q, cq, queries.lowerBound, queries.upperBound, kt, ldkt, lk, d, vp, ldvp, dv,
                                        scale, out + o.o, cv, s)
        case .avx2:
            zt_attn_long_forward_avx2(q + o.q, cq, queries.lowerBound, queries.upperBound, kt, ldkt, lk, d, vp, ldvp, dv,
                                      scale, out + o.o, cv, s)
        }
    }

    func softmaxRows(_ s: UnsafeMutablePointer<Float>, _ n: Int, _ parallel: Bool) {
        let lk = lk
        if parallel { parallelFor(n, costPerItem: 8 * lk) { r in for i in r { Kernels.softmaxRow(s + i * lk, lk) } } }
        else { for i in 0..<n { Kernels.softmaxRow(s + i * lk, lk) } }
    }

    /// Backward for pair (b, h), recomputing P per query block:
    /// `dV += Pᵀ dO`, `dP = dO Vᵀ`, `dS = P ⊙ (dP − rowsum(dP ⊙ P))`, `dQ = scale·dS K`, `dK += scale·dSᵀ Q`.
    func backward(_ b: Int, _ h: Int, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                  go: UnsafePointer<Float>, gq: UnsafeMutablePointer<Float>?, gk: UnsafeMutablePointer<Float>?,
                  gv: UnsafeMutablePointer<Float>?, s: UnsafeMutablePointer<Float>, dp: UnsafeMutablePointer<Float>,
                  rowsParallel: Bool) {
        let qb = queryBlock
        let kp = k + b * lk * cq + h * d, vp = v + b * lk * cv + h * dv
        var i0 = 0
        while i0 < lq {
            let n = min(qb, lq - i0)
            let qp = q + (b * lq + i0) * cq + h * d
            let gop = go + (b * lq + i0) * cv + h * dv
            Kernels.gemm(transB: true, m: n, n: lk, k: d, alpha: scale, a: qp, lda: cq, b: kp, ldb: cq, c: s, ldc: lk)
            softmaxRows(s, n, rowsParallel)
            if let gv {
                Kernels.gemm(transA: true, m: lk, n: dv, k: n, a: s, lda: lk, b: gop, ldb: cv, beta: 1, c: gv + b * lk * cv + h * dv, ldc: cv)
            }
            if gq != nil || gk != nil {
                Kernels.gemm(transB: true, m: n, n: lk, k: dv, a: gop, lda: cv, b: vp, ldb: cv, c: dp, ldc: lk)
                let lk = lk
                for i in 0..<n { Kernels.softmaxRowBackward(y: s + i * lk, gy: dp + i * lk, gx: dp + i * lk, lk) }
                if let gq {
                    Kernels.gemm(m: n, n: d, k: lk, alpha: scale, a: dp, lda: lk, b: kp, ldb: cq, c: gq + (b * lq + i0) * cq + h * d, ldc: cq)
                }
                if let gk {
                    Kernels.gemm(transA: true, m: lk, n: d, k: n, alpha: scale, a: dp, lda: lk, b: qp, ldb: cq, beta: 1, c: gk + b * lk * cq + h * d, ldc: cq)
                }
            }
            i0 += n
        }
    }
}

/// Scaled dot-product multi-head attention: `softmax(Q Kᵀ/√d) V` per head.
///
/// q `[B, Lq, H·d]`, k `[B, Lk, H·d]`, v `[B, Lk, H·dv]` → `[B, Lq, H·dv]`; head h uses channels `h·d..<(h+1)·d`
/// (as `torch.nn.MultiheadAttention` / diffusers' `Attention` after their head split). The model's four forms are
/// this call on different tokens: spatial self-attention (`[N·F, H·W, C]` tokens), self-attention with a
/// reference's keys/values concatenated along the sequence, cross-attention to prompt tokens (Lk = tokens), and
/// temporal attention (`[N·H·W, F, C]`, after a permute). Heads need no transpose: the GEMMs use leading dimensions.
/// Scores are computed in blocks of queries (≤ 64 K floats, so they stay in cache between the two GEMMs), and
/// recomputed in the backward pass rather than stored. Work items (pair, query block) run one per thread, each
/// GEMM single-threaded; with fewer items than threads, OpenBLAS's threads share each GEMM instead.
/// Matches: `torch.nn.functional.scaled_dot_product_attention` (no mask, no dropout).
public func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int) -> Tensor {
    precondition(q.rank == 3 && k.rank == 3 && v.rank == 3 && q.shape[0] == k.shape[0] && k.shape[0] == v.shape[0]
                 && k.shape[1] == v.shape[1] && q.shape[2] == k.shape[2] && q.shape[2] % heads == 0 && v.shape[2] % heads == 0,
                 "attention: q \(q.shape), k \(k.shape), v \(v.shape) with \(heads) heads do not match")
    let g = AttentionGeometry(batch: q.shape[0], lq: q.shape[1], lk: k.shape[1], heads: heads,
                              d: q.shape[2] / heads, dv: v.shape[2] / heads)
    let y = Tensor(shape: [g.batch, g.lq, g.cv])
    let pairs = g.batch * heads, blocks = g.blocksPerPair, block = g.queryBlock * g.lk
    let (qd, kd, vd, yd) = (q.data, k.data, v.data, y.data)
    let width = ComputeThreads.width
    let short = g.usesShortKernel
    // The kernel is chosen once, so the backward (recorded below) runs the one the forward ran.
    let kernel = ShortAttentionKernel.current ?? .avx2
    let long = short ? nil : g.longKernel
    if short {
        parallelFor(pairs, costPerItem: g.lq * g.lk * (g.d + g.dv) * 2) { r in
            for pair in r { g.shortForward(pair / heads, pair % heads, q: qd, k: kd, v: vd, out: yd, kernel: kernel) }
        }
    } else if let long {
        // Per pair, Kᵀ and V packed once into the worker's scratch, then eight queries at a time with their scores in L1
        // (AVX2: blocks of 24 queries, in groups of six, that share each block of Kᵀ and V in L1). Workers own whole
        // pairs (or, with fewer pairs than workers, query ranges of one pair).
        let (ldkt, ldvp) = (g.ldkt, (g.dv + 15) / 16 * 16)
        let per = g.d * ldkt + g.lk * ldvp + max(8 * ldkt, zt_attn_long_forward_scratch_avx2(ldkt, ldvp))
        let split = max(1, (width + pairs - 1) / pairs)  // query ranges per pair
        let scratch = Tensor(shape: [width, per])
        let sd = scratch.data, items = pairs * split
        parallelFor(width, costPerItem: 1 << 20, width: width) { workers in
            for w in workers {
                let kt = sd + w * per, vp = kt + g.d * ldkt, s = vp + g.lk * ldvp
                var packed = -1
                for item in (items * w / width)..<(items * (w + 1) / width) {
                    let pair = item / split, part = item % split
                    let (b, h) = (pair / heads, pair % heads)
                    if packed != pair {
                        g.longPack(b, h, k: kd, v: vd, kt: kt, vp: vp, ldvp: ldvp, kernel: long)
                        packed = pair
                    }
                    g.longForward(b, h, queries: (g.lq * part / split)..<(g.lq * (part + 1) / split), q: qd, out: yd,
                                  kt: kt, vp: vp, ldvp: ldvp, s: s, kernel: long)
                }
            }
        }
        withExtendedLifetime(scratch) {}
    } else if pairs * blocks >= width && width > 1 {
        // Many (pair, query block) items: one per worker at a time, each GEMM on one thread, scores in cache.
        let scratch = Tensor(shape: [width, block])
        let sd = scratch.data, items = pairs * blocks
        parallelFor(width, costPerItem: 1 << 20, width: width) { workers in
            for w in workers {
                for item in (items * w / width)..<(items * (w + 1) / width) {
                    let pair = item / blocks
                    g.forward(pair / heads, pair % heads, block: item % blocks, q: qd, k: kd, v: vd, out: yd,
                              s: sd + w * block, rowsParallel: false)
                }
            }
        }
        withExtendedLifetime(scratch) {}
    } else {
        let scratch = Tensor(shape: [block])
        for item in 0..<(pairs * blocks) {
            let pair = item / blocks
            g.forward(pair / heads, pair % heads, block: item % blocks, q: qd, k: kd, v: vd, out: yd, s: scratch.data, rowsParallel: true)
        }
    }
    if let tape = tapeOf(q, k, v) {
        tape.record(y) { gy in
            let gq: Tensor? = q.requiresGrad ? Tensor(shape: q.shape) : nil
            let gk: Tensor? = k.requiresGrad ? Tensor.zeros(k.shape) : nil
            let gv: Tensor? = v.requiresGrad ? Tensor.zeros(v.shape) : nil
            let (gqd, gkd, gvd, god) = (gq?.data, gk?.data, gv?.data, gy.data)
            if short {
                parallelFor(pairs, costPerItem: g.lq * g.lk * (g.d + g.dv) * 6) { r in
                    for pair in r {
                        g.shortBackward(pair / heads, pair % heads, q: qd, k: kd, v: vd, go: god, gq: gqd, gk: gkd, gv: gvd, kernel: kernel)
                    }
                }
            } else if let long, pairs >= width || width == 1 {
                // A long kernel's backward, workers owning whole pairs (dK and dV are sums over the pair's queries).
                // Scratch per worker: Kᵀ, Vᵀ, K, the dK and dV sums, and P and dS for a block of queries.
                let ldg = (max(g.d, g.dv) + 15) / 16 * 16
                let per = (g.d + g.dv + 16) * g.ldkt + 3 * g.lk * ldg
                let scratch = Tensor(shape: [width, per])
                let sd = scratch.data
                parallelFor(width, costPerItem: 1 << 20, width: width) { workers in
                    for w in workers {
                        for pair in (pairs * w / width)..<(pairs * (w + 1) / width) {
                            let o = g.offsets(pair / heads, pair % heads)
                            let (gqp, gkp, gvp) = (gqd.map { $0 + o.q }, gkd.map { $0 + o.k }, gvd.map { $0 + o.v })
                            switch long {
                            case .avx512:
                                zt_attn_long_backward_avx512(qd + o.q, g.cq, g.lq, kd + o.k, g.cq, g.lk, g.d, vd + o.v, g.cv, g.dv,
                                                             g.scale, god + o.o, g.cv, gqp, gkp, gvp, sd + w * per)
                            case .avx2:
                                zt_attn_long_backward_avx2(qd + o.q, g.cq, g.lq, kd + o.k, g.cq, g.lk, g.d, vd + o.v, g.cv, g.dv,
                                                           g.scale, god + o.o, g.cv, gqp, gkp, gvp, sd + w * per)
                            }
                        }
                    }
                }
                withExtendedLifetime(scratch) {}
            } else if pairs >= width && width > 1 {
                // dK and dV accumulate over a pair's query blocks, so workers own whole pairs.
                let scratch = Tensor(shape: [width, 2 * block])
                let sd = scratch.data
                parallelFor(width, costPerItem: 1 << 20, width: width) { workers in
                    for w in workers {
                        for pair in (pairs * w / width)..<(pairs * (w + 1) / width) {
                            g.backward(pair / heads, pair % heads, q: qd, k: kd, v: vd, go: god, gq: gqd, gk: gkd, gv: gvd,
                                       s: sd + 2 * w * block, dp: sd + (2 * w + 1) * block, rowsParallel: false)
                        }
                    }
                }
                withExtendedLifetime(scratch) {}
            } else {
                let scratch = Tensor(shape: [2, block])
                for pair in 0..<pairs {
                    g.backward(pair / heads, pair % heads, q: qd, k: kd, v: vd, go: god, gq: gqd, gk: gkd, gv: gvd,
                               s: scratch.data, dp: scratch.data + block, rowsParallel: true)
                }
            }
            if let gq { q.accumulateGrad(gq, owned: true) }
            if let gk { k.accumulateGrad(gk, owned: true) }
            if let gv { v.accumulateGrad(gv, owned: true) }
        }
    }
    return y
}
