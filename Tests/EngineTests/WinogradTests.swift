@testable import Engine
import Testing

/// Winograd F(2×2, 3×3) against a double-precision convolution written from the definition, on shapes that reach its
/// edges: output channels that do not fill a 6-channel block, an odd number of 8-tile groups in a chunk (half a
/// panel), chunks of one tile row, tile rows of 8 and 24 tiles, and the fused bias, time bias and residual.
@Suite("Winograd convolution")
struct WinogradTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let b, c, h, w, co: Int
        var testDescription: String { "[\(b),\(c),\(h),\(w)] → \(co)" }
    }

    static let cases: [Case] = [
        Case(b: 2, c: 16, h: 16, w: 16, co: 16),
        Case(b: 1, c: 32, h: 10, w: 32, co: 20),   // 5 tile rows of 16
        Case(b: 3, c: 24, h: 6, w: 16, co: 70),    // 3 tile rows of 8: a chunk ends on half a panel
        Case(b: 1, c: 17, h: 4, w: 48, co: 31),    // 24 tiles a row: three groups of 8
        Case(b: 2, c: 256, h: 16, w: 16, co: 256), // chunks of 2 tile rows
        Case(b: 1, c: 64, h: 64, w: 64, co: 64),
        Case(b: 7, c: 128, h: 8, w: 8, co: 128),  // 8 px: chunks of whole images, the last one short
        Case(b: 1, c: 20, h: 12, w: 8, co: 17),   // 8 px, 6 tile rows of 4: a chunk ends on half a panel
        Case(b: 3, c: 16, h: 4, w: 8, co: 16),    // 8 px, 8 tiles an image: one image a chunk
        Case(b: 5, c: 64, h: 16, w: 16, co: 64),  // 16 px, whole images a chunk
    ]

    static func reference(_ t: Case, _ x: [Float], _ w: [Float], _ bias: [Float], _ rowBias: [Float], _ residual: [Float]) -> [Double] {
        var out = [Double](repeating: 0, count: t.b * t.co * t.h * t.w)
        for b in 0..<t.b { for o in 0..<t.co { for y in 0..<t.h { for xx in 0..<t.w {
            var s = 0.0
            for ch in 0..<t.c { for i in 0..<3 { for j in 0..<3 {
                let (iy, ix) = (y - 1 + i, xx - 1 + j)
                guard iy >= 0, iy < t.h, ix >= 0, ix < t.w else { continue }
                s += Double(x[((b * t.c + ch) * t.h + iy) * t.w + ix]) * Double(w[((o * t.c + ch) * 3 + i) * 3 + j])
            } } }
            let index = ((b * t.co + o) * t.h + y) * t.w + xx
            out[index] = s + Double(bias[o]) + Double(rowBias[b * t.co + o]) + Double(residual[index])
        } } } }
        return out
    }

    @Test("Winograd = naive convolution (+ bias, time bias, residual)", arguments: cases)
    func matchesNaive(_ t: Case) throws {
        try #require(Kernels.hasAVX2)
        var rng = Philox(seed: UInt64(t.c * 17 + t.co + t.w))
        let x = rng.normal([t.b, t.c, t.h, t.w]), w = rng.normal([t.co, t.c, 3, 3]), bias = rng.normal([t.co])
        let rowBias = rng.normal([t.b, t.co]), residual = rng.normal([t.b, t.co, t.h, t.w])
        let g = ConvGeometry(batch: t.b, channels: t.c, height: t.h, width: t.w, outChannels: t.co, kernelH: 3, kernelW: 3,
                             strideH: 1, strideW: 1, padH: 1, padW: 1)
        #expect(Winograd.suits(g))
        let fused = Winograd.forward(g, x.data, w.data, bias.data, rowBias: rowBias.data, residual: residual.data)
        let plain = Winograd.forward(g, x.data, w.data, bias.data)
        let zeros = [Float](repeating: 0, count: max(t.b * t.co, residual.count))
        let expected = Self.reference(t, x.values, w.values, bias.values, rowBias.values, residual.values)
        let expectedPlain = Self.reference(t, x.values, w.values, bias.values, zeros, zeros)
        let scale = expected.map(abs).max()!
        let err = zip(fused.values, expected).map { abs(Double($0) - $1) }.max()!
        let errPlain = zip(plain.values, expectedPlain).map { abs(Double($0) - $1) }.max()!
        #expect(err <= 1e-5 * scale, "fused: max error \(err) of \(scale)")
        #expect(errPlain <= 1e-5 * scale, "plain: max error \(errPlain) of \(scale)")
        // The automatic method takes this path; the direct kernel agrees within rounding.
        let auto = conv2dForward(g, x.data, w.data, bias.data)
        #expect(auto.values == plain.values)
        let direct = conv2dForward(g, x.data, w.data, bias.data, method: .direct)
        let gap = zip(direct.values, plain.values).map { abs($0 - $1) }.max()!
        #expect(gap <= 1e-5 * Float(scale))
    }

    /// Each chunk of tiles is one worker's, computed in a fixed order: the bits do not depend on the thread count.
    @Test func sameBitsAtAnyWidth() throws {
        try #require(Kernels.hasAVX2)
        var rng = Philox(seed: 5)
        let x = rng.normal([3, 40, 32, 32]), w = rng.normal([50, 40, 3, 3]), bias = rng.normal([50])
        let g = ConvGeometry(batch: 3, channels: 40, height: 32, width: 32, outChannels: 50, kernelH: 3, kernelW: 3,
                             strideH: 1, strideW: 1, padH: 1, padW: 1)
        let results = [1, 2, 3, 5].map { n in Winograd.forward(g, x.data, w.data, bias.data, width: n) }
        for r in results.dropFirst() { #expect(r.values == results[0].values) }
        // 8 px, where the width also sets how many images share a chunk.
        let x8 = rng.normal([9, 32, 8, 8]), w8 = rng.normal([24, 32, 3, 3])
        let g8 = ConvGeometry(batch: 9, channels: 32, height: 8, width: 8, outChannels: 24, kernelH: 3, kernelW: 3,
                              strideH: 1, strideW: 1, padH: 1, padW: 1)
        #expect(Set([1, 2, 3, 5].map { Winograd.imagesPerChunk(g8, width: $0) }).count > 1)
        let r8 = [1, 2, 3, 5].map { n in Winograd.forward(g8, x8.data, w8.data, nil, width: n) }
        for r in r8.dropFirst() { #expect(r.values == r8[0].values) }
    }

    /// Shapes the kernel cannot tile, and the first/last layers' few channels, stay on the direct kernel.
    @Test func declinesWhatItCannotTile() {
        func geometry(c: Int, h: Int, w: Int, co: Int, k: Int = 3, p: Int = 1, s: Int = 1) -> ConvGeometry {
            ConvGeometry(batch: 1, channels: c, height: h, width: w, outChannels: co, kernelH: k, kernelW: k,
                         strideH: s, strideW: s, padH: p, padW: p)
        }
        #expect(!Winograd.suits(geometry(c: 64, h: 6, w: 8, co: 64)))      // 4 tiles a row, odd tile rows
        #expect(!Winograd.suits(geometry(c: 64, h: 8, w: 24, co: 64)))     // 12 tiles a row
        #expect(!Winograd.suits(geometry(c: 64, h: 8, w: 4, co: 64)))      // 2 tiles a row
        #expect(Winograd.suits(geometry(c: 64, h: 8, w: 8, co: 64)) == Kernels.hasAVX2)
        #expect(!Winograd.suits(geometry(c: 64, h: 15, w: 16, co: 64)))    // odd height
        #expect(!Winograd.suits(geometry(c: 64, h: 16, w: 16, co: 64, p: 0)))
        #expect(!Winograd.suits(geometry(c: 64, h: 16, w: 16, co: 64, s: 2)))
        #expect(!Winograd.suits(geometry(c: 64, h: 16, w: 16, co: 64, k: 5, p: 2)))
        #expect(!Winograd.suits(geometry(c: 4, h: 64, w: 64, co: 64)))
        #expect(!Winograd.suits(geometry(c: 64, h: 64, w: 64, co: 3)))
        #expect(Winograd.suits(geometry(c: 64, h: 64, w: 64, co: 64)) == Kernels.hasAVX2)
    }
}

extension WinogradTests {
    /// dW = Σ gy·x over images and positions, in double, against Winograd's transformed sums (through the tape, so
    /// the backward's routing is covered too), on both GEMM routes, at 1 and 3 threads.
    @Test("Winograd weight gradient = naive Σ gy·x", arguments: [
        Case(b: 1, c: 16, h: 16, w: 16, co: 20), Case(b: 2, c: 24, h: 6, w: 16, co: 17),
        Case(b: 3, c: 17, h: 4, w: 48, co: 31), Case(b: 7, c: 64, h: 16, w: 32, co: 40),
        Case(b: 4, c: 32, h: 12, w: 8, co: 40),
        // 8 px, 8 tiles an image: two images make rows of 16 tiles, one group of 8 each (the panel layout's zero
        // fill must not touch them), transformed on separate threads.
        Case(b: 2, c: 16, h: 4, w: 8, co: 16), Case(b: 32, c: 128, h: 8, w: 8, co: 128),
        // The tiled kernel (C a multiple of 16, Co of 8, ≥ 256 tiles an image): chunks of 2 tile rows at 64 px; 8 px
        // wide and 100 tile rows tall, chunks of 32 rows and a short last one; chunks of 4 tile rows, Co not a multiple
        // of 6 (a partial register tile).
        Case(b: 2, c: 64, h: 64, w: 64, co: 64), Case(b: 1, c: 32, h: 200, w: 8, co: 32),
        Case(b: 3, c: 48, h: 32, w: 32, co: 56),
    ])
    func weightGradientMatchesNaive(_ t: Case) throws {
        try #require(Kernels.hasAVX2)
        var rng = Philox(seed: UInt64(t.c * 3 + t.co * 11 + t.b))
        let x = rng.normal([t.b, t.c, t.h, t.w]), gy = rng.normal([t.b, t.co, t.h, t.w])
        let w = rng.normal([t.co, t.c, 3, 3])
        let xs = x.values, gys = gy.values
        var expected = [Double](repeating: 0, count: t.co * t.c * 9)
        for b in 0..<t.b { for o in 0..<t.co { for ch in 0..<t.c { for i in 0..<3 { for j in 0..<3 {
            var s = 0.0
            for y in 0..<t.h { for xx in 0..<t.w {
                let (iy, ix) = (y - 1 + i, xx - 1 + j)
                guard iy >= 0, iy < t.h, ix >= 0, ix < t.w else { continue }
                s += Double(gys[((b * t.co + o) * t.h + y) * t.w + xx]) * Double(xs[((b * t.c + ch) * t.h + iy) * t.w + ix])
            } }
            expected[((o * t.c + ch) * 3 + i) * 3 + j] += s
        } } } } }
        let tape = Tape()
        tape.watch(w)
        tape.backward(conv2d(x, w, nil, padding: (1, 1)), seed: gy)
        let got = try #require(w.grad).values
        let scale = expected.map(abs).max()!
        let err = zip(got, expected).map { abs(Double($0) - $1) }.max()!
        #expect(err <= 1e-5 * scale, "max error \(err) of \(scale)")
        // The same bits at any thread count.
        let g = ConvGeometry(batch: t.b, channels: t.c, height: t.h, width: t.w, outChannels: t.co, kernelH: 3, kernelW: 3,
                             strideH: 1, strideW: 1, padH: 1, padW: 1)
        let one = Winograd.weightGradient(g, x.data, gy.data, width: 1), three = Winograd.weightGradient(g, x.data, gy.data, width: 3)
        #expect(one.values == three.values)
        // Both GEMM routes (the tiled kernel where it suits, and OpenBLAS's sgemms) against the definition.
        for method in [Winograd.WeightGradientGEMM.automatic, .openBLAS] {
            let e = zip(Winograd.weightGradient(g, x.data, gy.data, method: method).values, expected).map { abs(Double($0) - $1) }.max()!
            #expect(e <= 1e-5 * scale, "\(method): max error \(e) of \(scale)")
        }
    }
}
