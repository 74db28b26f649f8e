import Engine
import Foundation
import Testing

@Suite struct PhiloxTests {
    /// Known-answer vectors from Random123's `kat_vectors` (philox4x32 10: counter[4] key[2] → output[4]).
    @Test func knownAnswers() {
        let cases: [((UInt32, UInt32, UInt32, UInt32), (UInt32, UInt32), [UInt32])] = [
            ((0, 0, 0, 0), (0, 0), [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]),
            ((.max, .max, .max, .max), (.max, .max), [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]),
            ((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), (0xa409_3822, 0x299f_31d0),
             [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]),
        ]
        for (ctr, key, want) in cases {
            let o = Philox.block(counter: ctr, key: key)
            #expect([o.0, o.1, o.2, o.3] == want)
        }
    }

    /// Same seed → same bits for 1 and 2 threads; different seeds/offsets differ; moments of N(0, 1).
    @Test func normalIsDeterministicAndStandard() {
        let n = 200_003
        func draw(_ seed: UInt64, _ threads: Int, offset: UInt64 = 0) -> [Float] {
            let t = Tensor(shape: [n])
            Philox(seed: seed, offset: offset).fillNormal(t.data, count: n, width: threads)
            return t.values
        }
        let a = draw(42, 1), b = draw(42, 2)
        #expect(a == draw(42, 5))
        #expect(a == b)
        #expect(a != draw(43, 2))
        #expect(a != draw(42, 2, offset: 1))
        let mean = a.reduce(0.0) { $0 + Double($1) } / Double(n)
        let variance = a.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n) - mean * mean
        let kurtosis = a.reduce(0.0) { $0 + pow(Double($1), 4) } / Double(n) / (variance * variance)
        // Standard errors for n = 2e5: mean 0.0022, variance 0.0032, kurtosis ~0.011.
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.015)
        #expect(abs(kurtosis - 3) < 0.06)
        let tail = Double(a.filter { abs($0) > 1.96 }.count) / Double(n)
        #expect(abs(tail - 0.05) < 0.003)
    }
}

@Suite struct BufferPoolTests {
    /// A 10-layer stack (conv, group norm, SiLU, attention-free) run repeatedly: after warm-up the thread's pool
    /// hands back the same buffers and no fresh allocation happens.
    @Test func warmForwardAllocatesNothing() {
        var rng = Philox(seed: 7)
        let layers = (0..<10).map { _ in (rng.normal([8, 8, 3, 3]) * 0.1, rng.normal([8])) }
        let input = rng.normal([4, 8, 12, 12])
        func forward() -> Float {
            var x = input
            for (w, b) in layers {
                x = groupNorm(conv2d(x, w, b, stride: (1, 1), padding: (1, 1)), groups: 4, weight: nil, bias: nil).silu()
            }
            let pooled = upsampleNearest(averagePool(x, factor: 2), factor: 2)
            return pooled.data[0]
        }
        let first = forward()
        _ = forward()
        let before = BufferPool.current.freshAllocations
        var last: Float = 0
        for _ in 0..<3 { last = forward() }
        #expect(BufferPool.current.freshAllocations == before, "warm forward passes allocated new buffers")
        #expect(before > 0)
        #expect(last == first)
    }
}

@Suite struct TapeTests {
    /// Gradients add up across two backward passes (micro-batches) and inference records nothing.
    @Test func accumulationAndInference() {
        let w = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let x = Tensor(shape: [1, 3], values: [1, -1, 2])
        for _ in 0..<2 {
            let tape = Tape()
            tape.watch(w)
            tape.backward(linear(x, w, nil).sum())
        }
        // d Σ(x Wᵀ)/dW = [x; x], twice.
        #expect(w.grad?.values == [2, -2, 4, 2, -2, 4])
        // No tape: nothing recorded, no gradient.
        let y = linear(x, Tensor(shape: [2, 3], values: [1, 0, 0, 0, 1, 0]), nil)
        #expect(y.tape == nil)
        #expect(y.values == [1, -1])
    }

    /// Conv2d over a batch larger than one im2col chunk equals image-by-image convolution.
    @Test func convChunkingMatchesPerImage() {
        var rng = Philox(seed: 3)
        let x = rng.normal([40, 16, 24, 24]), w = rng.normal([8, 16, 3, 3])
        let all = conv2d(x, w, nil, stride: (1, 1), padding: (1, 1))
        for b in [0, 17, 39] {
            let one = conv2d(Tensor(shape: [1, 16, 24, 24], values: Array(x.values[(b * 9216)..<((b + 1) * 9216)])), w, nil,
                             stride: (1, 1), padding: (1, 1))
            let slice = Array(all.values[(b * 4608)..<((b + 1) * 4608)])
            let err = zip(slice, one.values).map { abs($0 - $1) }.max() ?? .infinity
            let scale = one.values.map(abs).max() ?? 0
            // GEMM blocking differs with N, so bits may differ; values agree to float rounding.
            #expect(err <= 1e-5 * scale, "image \(b): max diff \(err) of \(scale)")
        }
    }
}

@Suite struct DeterminismTests {
    /// The same seed gives the same bits: noise, convolution, attention (parallel pair path), norms, backward.
    @Test func sameSeedSameBits() {
        func run() -> ([Float], [Float]) {
            var rng = Philox(seed: 2024)
            let x = rng.normal([4, 8, 10, 10]), w = rng.normal([8, 8, 3, 3]) * 0.1
            let tape = Tape()
            tape.watch(w)
            let h = groupNorm(conv2d(x, w, nil, stride: (1, 1), padding: (1, 1)), groups: 2, weight: nil, bias: nil).silu()
            let tokens = h.permuted([0, 2, 3, 1]).reshaped([4, 100, 8])
            let y = attention(tokens, tokens, tokens, heads: 2)
            tape.backward(y.mean())
            return (y.values, w.grad!.values)
        }
        let a = run(), b = run()
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
    }
}

/// The vectorised exp behind softmax against Foundation's `exp` over the range softmax feeds it (x − max ≤ 0) and
/// beyond: a wrong constant in the range reduction or the polynomial shows as errors far above 3e-7.
@Suite struct FastExpTests {
    @Test func exp8MatchesFoundationExpWithin3e7Relative() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let v = SIMD8<Float>((0..<8).map { x + Float($0) * 0.0137 })
            let e = Kernels.exp8(v)
            for i in 0..<8 where v[i] < 88 {
                let ref = Foundation.exp(Double(v[i]))
                worst = max(worst, Float(abs(Double(e[i]) - ref) / ref))
            }
            x += 0.1
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")
        #expect(Kernels.exp8(SIMD8(repeating: 0)) == SIMD8(repeating: 1))
    }
}

/// The inference-only fused group norm + SiLU against the two ops it replaces, and against the definition in double
/// precision (a fused kernel that skipped the SiLU, or applied it before the affine map, would fail).
@Suite struct GroupNormSiLUTests {
    @Test(arguments: [([2, 8, 7, 5], 4), ([1, 3, 9, 1], 1), ([3, 16, 16, 16], 8)])
    func fusedMatchesSeparateAndDefinition(_ shape: [Int], _ groups: Int) throws {
        var rng = Philox(seed: UInt64(shape.reduce(1, *)))
        let x = rng.normal(shape), w = rng.normal([shape[1]]), b = rng.normal([shape[1]])
        let fused = groupNormSiLU(x, groups: groups, weight: w, bias: b)
        let separate = groupNorm(x, groups: groups, weight: w, bias: b).silu()
        let (n, c) = (shape[0], shape[1]), s = x.count / (n * c), cpg = c / groups
        let xv = x.values, wv = w.values, bv = b.values
        var worst = 0.0
        for img in 0..<n { for g in 0..<groups {
            let range = ((img * c + g * cpg) * s)..<((img * c + (g + 1) * cpg) * s)
            let values = range.map { Double(xv[$0]) }
            let mu = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(values.count)
            for i in range {
                let ch = (i / s) % c
                let v = (Double(xv[i]) - mu) / (variance + 1e-5).squareRoot() * Double(wv[ch]) + Double(bv[ch])
                worst = max(worst, abs(v / (1 + Foundation.exp(-v)) - Double(fused.values[i])))
            }
        } }
        #expect(worst <= 2e-5, "fused vs definition: \(worst)")
        let apart = zip(fused.values, separate.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(apart <= 2e-5, "fused vs separate: \(apart)")
        // Under a tape the fused call is the two recorded ops: same values, and gradients flow to x, γ and β.
        let tape = Tape()
        let (tx, tw, tb) = (x.copy(), w.copy(), b.copy())
        tape.watch([tx, tw, tb])
        let y = groupNormSiLU(tx, groups: groups, weight: tw, bias: tb)
        #expect(y.values == separate.values)
        tape.backward(y.sum())
        #expect(tx.grad != nil && tw.grad != nil && tb.grad != nil)
    }
}

/// The residual block's fused convolution adds (per-image bias, residual) give exactly the separate ops' values, in
/// inference (fused) and under a tape (recorded ops, with gradients reaching the bias and the residual).
@Suite struct FusedConvAddTests {
    @Test(arguments: [[2, 3, 7, 5], [3, 16, 16, 16]])
    func fusedEqualsSeparate(_ shape: [Int]) throws {
        var rng = Philox(seed: UInt64(shape.reduce(1, *)))
        let co = 12
        let x = rng.normal(shape), w = rng.normal([co, shape[1], 3, 3]), b = rng.normal([co])
        let rowBias = rng.normal([shape[0], co]), residual = rng.normal([shape[0], co, shape[2], shape[3]])
        let plain = conv2d(x, w, b, padding: (1, 1))
        let separate = residual + (plain + rowBias.reshaped([shape[0], co, 1, 1]))
        let fused = conv2d(x, w, b, padding: (1, 1), rowBias: rowBias, residual: residual)
        #expect(fused.values == separate.values)
        #expect(conv2d(x, w, b, padding: (1, 1), rowBias: rowBias, residual: nil).values == (plain + rowBias.reshaped([shape[0], co, 1, 1])).values)
        #expect(conv2d(x, w, b, padding: (1, 1), rowBias: nil, residual: residual).values == (residual + plain).values)
        let tape = Tape()
        let (tr, tres) = (rowBias.copy(), residual.copy())
        tape.watch([tr, tres])
        let y = conv2d(x, w, b, padding: (1, 1), rowBias: tr, residual: tres)
        #expect(y.values == separate.values)
        tape.backward(y.sum())
        let perImage = Float(shape[2] * shape[3])
        #expect(try #require(tr.grad).values.allSatisfy { $0 == perImage })
        #expect(try #require(tres.grad).values.allSatisfy { $0 == 1 })
    }
}

/// Permutations that are batched transposes (the layout changes around the transformer blocks) take a blocked
/// kernel; every permutation must still put each element where the definition says, including matrices whose sides
/// are not multiples of the 8×8 block, and permutations that are not transposes.
@Suite struct PermuteTests {
    @Test(arguments: [([3, 17, 11], [0, 2, 1]), ([2, 64, 256], [0, 2, 1]), ([2, 3, 5, 19], [0, 3, 1, 2]),
                      ([2, 19, 3, 5], [0, 2, 3, 1]), ([9, 13], [1, 0]), ([2, 3, 8, 9], [0, 1, 3, 2]),
                      ([2, 3, 4, 5], [0, 2, 1, 3]), ([4, 9, 10, 2], [3, 1, 0, 2])])
    func matchesDefinition(_ shape: [Int], _ dims: [Int]) {
        let n = shape.reduce(1, *)
        let x = Tensor(shape: shape, values: (0..<n).map { Float($0) })
        let y = x.permuted(dims)
        let outShape = dims.map { shape[$0] }
        #expect(y.shape == outShape)
        var inStrides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * shape[d + 1] }
        var expected = [Float](repeating: 0, count: n)
        for flat in 0..<n {
            var rem = flat, src = 0
            for d in stride(from: outShape.count - 1, through: 0, by: -1) {
                src += (rem % outShape[d]) * inStrides[dims[d]]
                rem /= outShape[d]
            }
            expected[flat] = Float(src)
        }
        #expect(y.values == expected)
    }
}
