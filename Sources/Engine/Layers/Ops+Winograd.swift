import COpenBLAS

/// 3×3 stride-1 convolutions with padding 1 by Winograd's F(2×2, 3×3) (`zt_wino_f23_avx2`, COpenBLAS/
/// kernels_winograd.h): 16 multiply-adds per 2×2 output tile and channel pair instead of the direct sum's 36. The
/// direct kernel already ran at sgemm's rate, so cutting the arithmetic was the way left to go faster; measured on the
/// AMD EPYC, one core, 16 px × 256 channels: 166 effective GFLOP/s against the direct kernel's ~75 (the table in
/// docs/BENCHMARKS.md). The transforms add and subtract only, and each output is a fixed sequence of operations on
/// its own chunk of tiles, so the result is the same bit for bit on any thread count; it differs from the direct sum
/// by rounding (~1e-7 relative, the tests bound it against a double-precision reference).
package enum Winograd {
    /// Channels below which the direct kernel stays: with few input channels the transforms' memory traffic is no
    /// longer small against the 16 GEMMs (the first and last convolutions of the model, 4–9 channels).
    static let minimumChannels = 16

    /// A 3×3 stride-1 padding-1 convolution on an AVX2 CPU whose width is a multiple of 16 and height even (the
    /// model's 16–64 px levels; 8 px and odd sizes take the direct kernel).
    static func suits(_ g: ConvGeometry) -> Bool {
        Kernels.hasAVX2 && g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.padH == 1
            && g.padW == 1 && g.width % 16 == 0 && g.height % 2 == 0 && g.channels >= minimumChannels
            && g.outChannels >= minimumChannels
    }

    /// Tile rows per chunk: a chunk's transformed input and GEMM results (16 × tiles × channels each) stay within
    /// ~1 MB, L2 of one core; chunks of whole 16-tile panels where a tile row is half of one.
    static func rowsPerChunk(_ g: ConvGeometry) -> Int {
        let tw = g.width / 2, th = g.height / 2
        let mb = (g.outChannels + 5) / 6 * 6
        var rows = max(1, min(th, 16_384 / (tw * max(g.channels, mb))))
        if tw % 16 != 0 && rows > 1 { rows -= rows % 2 }
        return rows
    }

    /// y = conv(x, w) + bias, then + rowBias (`[B, Co]`) and + residual (`[B, Co, H, W]`) when given, in that order.
    static func forward(_ g: ConvGeometry, _ xd: UnsafePointer<Float>, _ wd: UnsafePointer<Float>, _ bd: UnsafePointer<Float>?,
                        rowBias: UnsafePointer<Float>? = nil, residual: UnsafePointer<Float>? = nil,
                        width: Int = ComputeThreads.width) -> Tensor {
        let (c, co, h, w) = (g.channels, g.outChannels, g.height, g.width)
        let blocks = (co + 5) / 6
        let u = Tensor(shape: [16 * blocks * 6 * c])
        let ud = u.data
        parallelFor(blocks, costPerItem: 6 * c * 64, width: width) { r in
            zt_wino_weights(wd, co, c, blocks, r.lowerBound, r.upperBound, ud)
        }
        let y = Tensor(shape: [g.batch, co, h, w])
        let yd = y.data
        let th = h / 2, rows = rowsPerChunk(g), chunks = (th + rows - 1) / rows
        let scratch = zt_wino_scratch(c, co, w, rows)
        parallelFor(g.batch * chunks, costPerItem: rows * w * 2 * 16 * c * co, width: width) { items in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
            defer { buffer.deallocate() }
            for item in items {
                let (b, chunk) = (item / chunks, item % chunks)
                let ty0 = chunk * rows, ty1 = min(th, ty0 + rows)
                zt_wino_f23_avx2(xd + b * c * h * w, c, h, w, ud, co, ty0, ty1, bd, rowBias.map { $0 + b * co },
                                 residual.map { $0 + b * co * h * w }, yd + b * co * h * w, buffer)
            }
        }
        return y
    }
}
