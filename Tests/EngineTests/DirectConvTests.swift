@testable import Engine
import Testing

/// The direct stride-1 convolution (C kernels over padded flattened planes) against a naive double-precision
/// convolution written from the definition, and against the im2col + GEMM path, on shapes that exercise its edges:
/// output channels that do not fill a channel block, widths where a vector of positions spans several rows, planes
/// smaller than one kernel step, non-square kernels and paddings, zero padding, and a bias.
@Suite("Direct convolution")
struct DirectConvTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let b, c, h, w, co, kh, kw, ph, pw: Int
        let bias: Bool
        var testDescription: String { "[\(b),\(c),\(h),\(w)] → \(co) k\(kh)×\(kw) p\(ph),\(pw)\(bias ? " +bias" : "")" }
    }

    static let cases: [Case] = [
        Case(b: 1, c: 1, h: 7, w: 5, co: 1, kh: 3, kw: 3, ph: 1, pw: 1, bias: false),
        Case(b: 3, c: 5, h: 7, w: 5, co: 6, kh: 3, kw: 3, ph: 1, pw: 1, bias: true),
        Case(b: 2, c: 3, h: 9, w: 11, co: 3, kh: 3, kw: 3, ph: 1, pw: 1, bias: true),
        Case(b: 1, c: 4, h: 8, w: 8, co: 12, kh: 5, kw: 5, ph: 2, pw: 2, bias: false),
        Case(b: 2, c: 7, h: 6, w: 9, co: 9, kh: 1, kw: 3, ph: 0, pw: 1, bias: true),
        Case(b: 1, c: 2, h: 5, w: 5, co: 4, kh: 3, kw: 3, ph: 0, pw: 0, bias: false),
        Case(b: 2, c: 32, h: 8, w: 8, co: 64, kh: 3, kw: 3, ph: 1, pw: 1, bias: true),
        Case(b: 2, c: 16, h: 64, w: 64, co: 16, kh: 3, kw: 3, ph: 1, pw: 1, bias: true),
        Case(b: 1, c: 48, h: 16, w: 16, co: 24, kh: 3, kw: 3, ph: 1, pw: 1, bias: true),
        Case(b: 1, c: 37, h: 9, w: 10, co: 8, kh: 3, kw: 3, ph: 1, pw: 1, bias: true),  // channel groups 16 + 16 + 5
        Case(b: 3, c: 5, h: 7, w: 5, co: 6, kh: 1, kw: 1, ph: 0, pw: 0, bias: true),
        Case(b: 2, c: 32, h: 16, w: 16, co: 16, kh: 1, kw: 1, ph: 0, pw: 0, bias: false),
        Case(b: 2, c: 3, h: 5, w: 6, co: 5, kh: 1, kw: 1, ph: 1, pw: 1, bias: true),
        Case(b: 1, c: 4, h: 6, w: 7, co: 4, kh: 3, kw: 3, ph: 2, pw: 2, bias: false),
        Case(b: 2, c: 3, h: 6, w: 5, co: 4, kh: 2, kw: 4, ph: 0, pw: 3, bias: true),
        // The blocked weight gradient: 1×1 with channel groups 12 + 12 + 12 + 1 (a short last triple), 3×3 with two
        // chunks of positions per image and groups of 7 channels (a partial last one), 1 channel into 7 × 5.
        Case(b: 3, c: 37, h: 16, w: 16, co: 10, kh: 1, kw: 1, ph: 0, pw: 0, bias: false),
        Case(b: 2, c: 40, h: 20, w: 20, co: 7, kh: 3, kw: 3, ph: 1, pw: 1, bias: false),
        Case(b: 2, c: 1, h: 7, w: 5, co: 5, kh: 1, kw: 1, ph: 0, pw: 0, bias: false),
        Case(b: 1, c: 3, h: 48, w: 47, co: 5, kh: 3, kw: 3, ph: 1, pw: 1, bias: false),  // > 2048 positions: per-image loop
    ]

    @Test("direct kernel = naive convolution = im2col path", arguments: cases)
    func matchesNaive(_ t: Case) {
        var rng = Philox(seed: UInt64(t.c * 131 + t.co * 7 + t.h))
        let x = rng.normal([t.b, t.c, t.h, t.w]), w = rng.normal([t.co, t.c, t.kh, t.kw])
        let bias = t.bias ? rng.normal([t.co]) : nil
        let g = ConvGeometry(batch: t.b, channels: t.c, height: t.h, width: t.w, outChannels: t.co, kernelH: t.kh, kernelW: t.kw,
                             strideH: 1, strideW: 1, padH: t.ph, padW: t.pw)
        let direct = conv2dForward(g, x.data, w.data, bias?.data)
        let im2col = conv2dForward(g, x.data, w.data, bias?.data, method: .im2col)
        // Every kernel the CPU runs, not only the one `best` picks (AVX2's on an AVX-512 machine too).
        let variants = DirectConv.Kernel.available.map { DirectConv.forward(g, x.data, w.data, bias?.data, kernel: $0) }
        #expect(direct.shape == [t.b, t.co, g.outH, g.outW])
        // Naive reference in double precision, straight from the definition (cross-correlation, zero padding).
        var reference = [Double](repeating: 0, count: t.b * t.co * g.outH * g.outW)
        let (xv, wv, bv) = (x.values, w.values, bias?.values)
        for b in 0..<t.b { for o in 0..<t.co { for y in 0..<g.outH { for xx in 0..<g.outW {
            var s = Double(bv?[o] ?? 0)
            for ch in 0..<t.c { for i in 0..<t.kh { for j in 0..<t.kw {
                let (iy, ix) = (y - t.ph + i, xx - t.pw + j)
                guard iy >= 0, iy < t.h, ix >= 0, ix < t.w else { continue }
                s += Double(xv[((b * t.c + ch) * t.h + iy) * t.w + ix]) * Double(wv[((o * t.c + ch) * t.kh + i) * t.kw + j])
            } } }
            reference[((b * t.co + o) * g.outH + y) * g.outW + xx] = s
        } } } }
        let scale = reference.map(abs).max() ?? 1
        let errDirect = zip(direct.values, reference).map { abs(Double($0) - $1) }.max() ?? .infinity
        let errIm2col = zip(im2col.values, reference).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(errDirect <= 1e-5 * scale, "direct: max error \(errDirect) of \(scale)")
        #expect(errIm2col <= 1e-5 * scale, "im2col: max error \(errIm2col) of \(scale)")
        for (i, v) in variants.enumerated() {
            let err = zip(v.values, reference).map { abs(Double($0) - $1) }.max() ?? .infinity
            #expect(err <= 1e-5 * scale, "kernel \(i): max error \(err) of \(scale)")
        }
    }

    /// Where the CPU has AVX2 the direct kernel is what runs (otherwise the test above compared im2col with itself).
    @Test func directKernelAvailableOnAVX2() {
        #expect((DirectConv.Kernel.best(forOutputChannels: 16) != nil) == Kernels.hasAVX2)
    }

    /// The same convolution at every thread count gives the same bits: each output's sum runs in a fixed order
    /// whichever worker computes it.
    @Test func sameBitsAtAnyWidth() {
        var rng = Philox(seed: 11)
        let x = rng.normal([3, 16, 20, 20]), w = rng.normal([24, 16, 3, 3]), bias = rng.normal([24])
        let g = ConvGeometry(batch: 3, channels: 16, height: 20, width: 20, outChannels: 24, kernelH: 3, kernelW: 3,
                             strideH: 1, strideW: 1, padH: 1, padW: 1)
        guard let kernel = DirectConv.Kernel.best(forOutputChannels: 24) else { return }
        let results = [1, 2, 3, 5].map { n in DirectConv.forward(g, x.data, w.data, bias.data, kernel: kernel, width: n) }
        for r in results.dropFirst() { #expect(r.values == results[0].values) }
    }

    @Test("direct weight gradient = naive Σ gy·x over images and positions", arguments: cases)
    func weightGradientMatchesNaive(_ t: Case) {
        for kernel in DirectConv.Kernel.available where kernel.wgrad != nil { weightGradient(t, kernel) }
    }

    func weightGradient(_ t: Case, _ kernel: DirectConv.Kernel) {
        var rng = Philox(seed: UInt64(t.c * 31 + t.co * 5 + t.w))
        let g = ConvGeometry(batch: t.b, channels: t.c, height: t.h, width: t.w, outChannels: t.co, kernelH: t.kh, kernelW: t.kw,
                             strideH: 1, strideW: 1, padH: t.ph, padW: t.pw)
        let x = rng.normal([t.b, t.c, t.h, t.w]), gy = rng.normal([t.b, t.co, g.outH, g.outW])
        let gw = DirectConv.weightGradient(g, x.data, gy.data, kernel: kernel)
        #expect(gw.shape == [t.co, t.c, t.kh, t.kw])
        let (xv, gv) = (x.values, gy.values)
        var worst = 0.0, scale = 0.0
        for o in 0..<t.co { for ch in 0..<t.c { for i in 0..<t.kh { for j in 0..<t.kw {
            var s = 0.0
            for b in 0..<t.b { for y in 0..<g.outH { for xx in 0..<g.outW {
                let (iy, ix) = (y - t.ph + i, xx - t.pw + j)
                guard iy >= 0, iy < t.h, ix >= 0, ix < t.w else { continue }
                s += Double(gv[((b * t.co + o) * g.outH + y) * g.outW + xx]) * Double(xv[((b * t.c + ch) * t.h + iy) * t.w + ix])
            } } }
            worst = max(worst, abs(Double(gw.values[((o * t.c + ch) * t.kh + i) * t.kw + j]) - s))
            scale = max(scale, abs(s))
        } } } }
        #expect(worst <= 1e-5 * max(scale, 1), "vector width \(kernel.vectorWidth), block \(kernel.channelBlock): max error \(worst) of \(scale)")
    }

    /// The 1×1 backward (per-image GEMMs over the threads, dW summed in fixed runs of images) against the naive sums,
    /// batches that give 1, 2, 3, 4 and 6 runs; and the same bits at every thread count.
    @Test("1×1 backward = naive dx and dW, same bits at any width",
          arguments: [(1, 1, 2, 6, 6), (2, 5, 6, 4, 4), (3, 5, 6, 7, 5), (5, 13, 9, 5, 3), (16, 32, 20, 8, 8)])
    func pointwiseBackwardMatchesNaive(_ shape: (Int, Int, Int, Int, Int)) {
        let (b, c, co, h, w) = shape
        var rng = Philox(seed: UInt64(b * 97 + c * 13 + co))
        let g = ConvGeometry(batch: b, channels: c, height: h, width: w, outChannels: co, kernelH: 1, kernelW: 1,
                             strideH: 1, strideW: 1, padH: 0, padW: 0)
        let x = rng.normal([b, c, h, w]), wt = rng.normal([co, c, 1, 1]), gy = rng.normal([b, co, h, w])
        let runs = [1, 2, 3].map { width -> ([Float], [Float]) in
            let gw = Tensor(shape: [co, c, 1, 1]), gx = Tensor(shape: [b, c, h, w])
            pointwiseBackward(g, x.data, wt.data, gy.data, gw: gw.data, gx: gx.data, width: width)
            return (gw.values, gx.values)
        }
        for r in runs.dropFirst() { #expect(r.0 == runs[0].0); #expect(r.1 == runs[0].1) }
        let (xv, wv, gv, p) = (x.values, wt.values, gy.values, h * w)
        var worstW = 0.0, scaleW = 0.0, worstX = 0.0, scaleX = 0.0
        for o in 0..<co { for ch in 0..<c {
            var s = 0.0
            for i in 0..<b { for q in 0..<p { s += Double(gv[(i * co + o) * p + q]) * Double(xv[(i * c + ch) * p + q]) } }
            worstW = max(worstW, abs(Double(runs[0].0[o * c + ch]) - s)); scaleW = max(scaleW, abs(s))
        } }
        for i in 0..<b { for ch in 0..<c { for q in 0..<p {
            var s = 0.0
            for o in 0..<co { s += Double(wv[o * c + ch]) * Double(gv[(i * co + o) * p + q]) }
            worstX = max(worstX, abs(Double(runs[0].1[(i * c + ch) * p + q]) - s)); scaleX = max(scaleX, abs(s))
        } } }
        #expect(worstW <= 1e-5 * max(scaleW, 1), "dW: max error \(worstW) of \(scaleW)")
        #expect(worstX <= 1e-5 * max(scaleX, 1), "dx: max error \(worstX) of \(scaleX)")
    }

    /// The weight gradient's bits do not depend on the thread count either: 3×3 over several chunks of positions
    /// and channel groups, and 1×1 (triples of channels).
    @Test(arguments: [(3, 40, 21, 3), (2, 37, 9, 1)])
    func blockedWeightGradientSameBitsAtAnyWidth(_ shape: (Int, Int, Int, Int)) {
        let (b, c, co, k) = shape
        guard let kernel = DirectConv.Kernel.bestWeightGradient(forOutputChannels: co) else { return }
        var rng = Philox(seed: 9)
        let g = ConvGeometry(batch: b, channels: c, height: 19, width: 23, outChannels: co, kernelH: k, kernelW: k,
                             strideH: 1, strideW: 1, padH: k / 2, padW: k / 2)
        let x = rng.normal([b, c, 19, 23]), gy = rng.normal([b, co, 19, 23])
        let results = [1, 2, 3, 4].map { DirectConv.weightGradient(g, x.data, gy.data, kernel: kernel, width: $0).values }
        for r in results.dropFirst() { #expect(r == results[0]) }
    }

    /// The weight gradient's bits do not depend on the thread count either.
    @Test func weightGradientSameBitsAtAnyWidth() {
        guard let kernel = DirectConv.Kernel.bestWeightGradient(forOutputChannels: 12) else { return }
        var rng = Philox(seed: 5)
        let g = ConvGeometry(batch: 3, channels: 10, height: 13, width: 11, outChannels: 12, kernelH: 3, kernelW: 3,
                             strideH: 1, strideW: 1, padH: 1, padW: 1)
        let x = rng.normal([3, 10, 13, 11]), gy = rng.normal([3, 12, 13, 11])
        let results = [1, 2, 3].map { DirectConv.weightGradient(g, x.data, gy.data, kernel: kernel, width: $0).values }
        #expect(results[1] == results[0])
        #expect(results[2] == results[0])
    }
}
