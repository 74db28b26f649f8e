@testable import Engine
import Foundation
import Testing

/// The attention kernels — short (≤ 16 keys: temporal attention across frames, cross-attention to prompt tokens)
/// and long (AVX-512, spatial self-attention with reference keys) — against attention written from its definition in
/// double precision. Every kernel the CPU runs is checked (the
/// AVX2 one on AVX-512 machines too), on shapes that exercise the kernels' edges: one key, a key count that fills
/// no vector, exactly 16 keys, query counts that are not a multiple of the 8-query block, head widths that are not a
/// multiple of 16, and values of another width than the keys.
/// Expects `got` within 2e-6 of `want` relative to the larger of its largest magnitude and 1.
private func check(_ got: [Float], _ want: [Double], _ what: String) {
    let scale = max(want.map(abs).max() ?? 1, 1)
    let err = zip(got, want).map { abs(Double($0) - $1) }.max() ?? .infinity
    #expect(got.count == want.count && err <= 2e-6 * scale, "\(what): max error \(err) of \(scale)")
}

@Suite("Attention kernels")
struct AttentionKernelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let b, lq, lk, heads, d, dv: Int
        var testDescription: String { "b\(b) lq\(lq) lk\(lk) h\(heads) d\(d) dv\(dv)" }
    }

    static let cases: [Case] = [
        Case(b: 1, lq: 1, lk: 1, heads: 1, d: 1, dv: 1),
        Case(b: 2, lq: 16, lk: 16, heads: 4, d: 32, dv: 32),
        Case(b: 3, lq: 7, lk: 5, heads: 2, d: 16, dv: 24),
        Case(b: 1, lq: 33, lk: 9, heads: 3, d: 17, dv: 40),
        Case(b: 2, lq: 256, lk: 16, heads: 2, d: 64, dv: 64),
        Case(b: 1, lq: 9, lk: 16, heads: 1, d: 128, dv: 128),
    ]

    /// softmax(q·kᵀ/√d)·v per (batch, head), and the gradients of Σ y·gy, in double precision from the definitions:
    /// dV_j = Σ_i P_ij gy_i; dP_ij = gy_i·v_j; dS = P ⊙ (dP − Σ_j P dP); dQ_i = s Σ_j dS_ij k_j; dK_j = s Σ_i dS_ij q_i.
    static func reference(_ q: [Float], _ k: [Float], _ v: [Float], _ gy: [Float], _ t: Case)
        -> (y: [Double], gq: [Double], gk: [Double], gv: [Double]) {
        let (cq, cv) = (t.heads * t.d, t.heads * t.dv)
        var y = [Double](repeating: 0, count: t.b * t.lq * cv)
        var gq = [Double](repeating: 0, count: q.count), gk = [Double](repeating: 0, count: k.count)
        var gv = [Double](repeating: 0, count: v.count)
        let scale = 1 / Double(t.d).squareRoot()
        func qi(_ b: Int, _ i: Int, _ h: Int, _ c: Int) -> Int { (b * t.lq + i) * cq + h * t.d + c }
        func kj(_ b: Int, _ j: Int, _ h: Int, _ c: Int) -> Int { (b * t.lk + j) * cq + h * t.d + c }
        func vj(_ b: Int, _ j: Int, _ h: Int, _ c: Int) -> Int { (b * t.lk + j) * cv + h * t.dv + c }
        func oi(_ b: Int, _ i: Int, _ h: Int, _ c: Int) -> Int { (b * t.lq + i) * cv + h * t.dv + c }
        for b in 0..<t.b { for h in 0..<t.heads { for i in 0..<t.lq {
            var s = [Double](repeating: 0, count: t.lk)
            for j in 0..<t.lk {
                for c in 0..<t.d { s[j] += Double(q[qi(b, i, h, c)]) * Double(k[kj(b, j, h, c)]) }
                s[j] *= scale
            }
            let m = s.max()!
            let e = s.map { Foundation.exp($0 - m) }, total = e.reduce(0, +)
            let p = e.map { $0 / total }
            var dp = [Double](repeating: 0, count: t.lk)
            for c in 0..<t.dv {
                let g = Double(gy[oi(b, i, h, c)])
                for j in 0..<t.lk {
                    y[oi(b, i, h, c)] += p[j] * Double(v[vj(b, j, h, c)])
                    gv[vj(b, j, h, c)] += p[j] * g
                    dp[j] += g * Double(v[vj(b, j, h, c)])
                }
            }
            let dot = zip(p, dp).map(*).reduce(0, +)
            for j in 0..<t.lk {
                let ds = p[j] * (dp[j] - dot) * scale
                for c in 0..<t.d {
                    gq[qi(b, i, h, c)] += ds * Double(k[kj(b, j, h, c)])
                    gk[kj(b, j, h, c)] += ds * Double(q[qi(b, i, h, c)])
                }
            }
        } } }
        return (y, gq, gk, gv)
    }

    @Test("every short-attention kernel = attention from the definition, forward and backward", arguments: cases)
    func matchesDefinition(_ t: Case) throws {
        var rng = Philox(seed: UInt64(t.lq * 31 + t.lk * 7 + t.d))
        let q = rng.normal([t.b, t.lq, t.heads * t.d]), k = rng.normal([t.b, t.lk, t.heads * t.d])
        let v = rng.normal([t.b, t.lk, t.heads * t.dv]), gy = rng.normal([t.b, t.lq, t.heads * t.dv])
        let expected = Self.reference(q.values, k.values, v.values, gy.values, t)
        #expect(!ShortAttentionKernel.available.isEmpty || !Kernels.hasAVX2)
        for kernel in ShortAttentionKernel.available {
            let tape = Tape()
            let (wq, wk, wv) = (q.copy(), k.copy(), v.copy())
            tape.watch([wq, wk, wv])
            let y = ShortAttentionKernel.$forced.withValue(kernel) { attention(wq, wk, wv, heads: t.heads) }
            #expect(y.shape == [t.b, t.lq, t.heads * t.dv])
            tape.backward(y, seed: gy)
            check(y.values, expected.y, "\(kernel) forward")
            check(try #require(wq.grad).values, expected.gq, "\(kernel) dQ")
            check(try #require(wk.grad).values, expected.gk, "\(kernel) dK")
            check(try #require(wv.grad).values, expected.gv, "\(kernel) dV")
        }
    }

    static let longCases: [Case] = [
        Case(b: 2, lq: 33, lk: 37, heads: 2, d: 16, dv: 24),
        Case(b: 1, lq: 64, lk: 128, heads: 4, d: 32, dv: 32),
        Case(b: 1, lq: 9, lk: 17, heads: 1, d: 1, dv: 3),
        Case(b: 2, lq: 20, lk: 500, heads: 2, d: 16, dv: 16),
        Case(b: 2, lq: 11, lk: 40, heads: 1, d: 40, dv: 36),
        Case(b: 1, lq: 53, lk: 300, heads: 2, d: 32, dv: 20),  // blocks of 24 queries and a tail of 5; runs of 128 keys
    ]

    /// Attention over more than 16 keys: every long kernel the CPU runs (AVX-512, AVX2) and the GEMM path, each
    /// against the definition, forward and backward (a kernel's own backward where workers own whole pairs).
    @Test("long attention, AVX-512 and AVX2 kernels and GEMM path = the definition", arguments: longCases)
    func longMatchesDefinition(_ t: Case) throws {
        var rng = Philox(seed: UInt64(t.lq * 17 + t.lk * 3 + t.d))
        let q = rng.normal([t.b, t.lq, t.heads * t.d]), k = rng.normal([t.b, t.lk, t.heads * t.d])
        let v = rng.normal([t.b, t.lk, t.heads * t.dv]), gy = rng.normal([t.b, t.lq, t.heads * t.dv])
        let expected = Self.reference(q.values, k.values, v.values, gy.values, t)
        for kernel in LongAttentionKernel.available.map(Optional.some) + [nil] {
            let tape = Tape()
            let (wq, wk, wv) = (q.copy(), k.copy(), v.copy())
            tape.watch([wq, wk, wv])
            let y = LongAttentionKernel.$disabled.withValue(kernel == nil) {
                LongAttentionKernel.$forced.withValue(kernel) { attention(wq, wk, wv, heads: t.heads) }
            }
            tape.backward(y, seed: gy)
            let path = kernel.map { "\($0) kernel" } ?? "GEMM path"
            check(y.values, expected.y, "\(path) forward")
            check(try #require(wq.grad).values, expected.gq, "\(path) dQ")
            check(try #require(wk.grad).values, expected.gk, "\(path) dK")
            check(try #require(wv.grad).values, expected.gv, "\(path) dV")
        }
    }
}

/// The AVX-512 and AVX2 linear kernels (small weights) and the OpenBLAS path against the definition in double precision, forward
/// and all gradients, on shapes that leave partial 16-column chunks, partial 64-column groups and partial 6-row blocks.
@Suite("Linear kernel")
struct LinearKernelTests {
    @Test(arguments: [(7, 5, 3), (100, 64, 64), (33, 130, 70), (1, 1, 1), (13, 256, 128)])
    func matchesDefinition(_ shape: (Int, Int, Int)) throws {
        let (m, k, n) = shape
        var rng = Philox(seed: UInt64(m * 7 + k * 3 + n))
        let x = rng.normal([m, k]), w = rng.normal([n, k]), b = rng.normal([n]), gy = rng.normal([m, n])
        var y = [Double](repeating: 0, count: m * n), gx = [Double](repeating: 0, count: m * k)
        var gw = [Double](repeating: 0, count: n * k), gb = [Double](repeating: 0, count: n)
        let (xv, wv, bv, gv) = (x.values, w.values, b.values, gy.values)
        for r in 0..<m { for o in 0..<n {
            var s = Double(bv[o])
            for i in 0..<k { s += Double(xv[r * k + i]) * Double(wv[o * k + i]) }
            y[r * n + o] = s
            let g = Double(gv[r * n + o])
            gb[o] += g
            for i in 0..<k { gx[r * k + i] += g * Double(wv[o * k + i]); gw[o * k + i] += g * Double(xv[r * k + i]) }
        } }
        for kernel in LinearKernel.available.map(Optional.some) + [nil] {
            let tape = Tape()
            let (tx, tw, tb) = (x.copy(), w.copy(), b.copy())
            tape.watch([tx, tw, tb])
            let pinned = { (f: () -> Tensor) in
                LinearKernel.$disabled.withValue(kernel == nil) { LinearKernel.$forced.withValue(kernel) { f() } }
            }
            let out = pinned { linear(tx, tw, tb) }
            tape.backward(out, seed: gy)
            let path = kernel.map { "\($0)" } ?? "OpenBLAS"
            check(out.values, y, "\(path) forward")
            check(try #require(tx.grad).values, gx, "\(path) dx")
            check(try #require(tw.grad).values, gw, "\(path) dW")
            check(try #require(tb.grad).values, gb, "\(path) db")
            let noBias = pinned { linear(x, w, nil) }
            check(noBias.values, zip(y, (0..<(m * n)).map { Double(bv[$0 % n]) }).map { $0 - $1 }, "\(path) forward without bias")
        }
    }
}
