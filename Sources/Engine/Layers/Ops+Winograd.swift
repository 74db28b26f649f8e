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

    /// Channels (input and output) from which the backward's weight gradient goes through Winograd too; below, the
    /// direct kernel's weight gradient. At 16 channels the 16 small GEMMs per chunk and the transforms cost more than
    /// the direct sum saves: a 25-step 64×64 image stage of the demo recipe ran 1.60 it/s with Winograd's weight
    /// gradient from 16 channels, 2.11 from 32, 2.10 from 64 (1.92 before Winograd), the loss identical.
    static let minimumWeightGradientChannels = 32

    /// A 3×3 stride-1 padding-1 convolution on an AVX2 CPU whose width is a multiple of 16 and height even, or whose
    /// width is 8 and height a multiple of 4 (the model's 8–64 px levels; odd sizes take the direct kernel).
    static func suits(_ g: ConvGeometry) -> Bool {
        Kernels.hasAVX2 && g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.padH == 1
            && g.padW == 1 && (g.width % 16 == 0 && g.height % 2 == 0 || g.width == 8 && g.height % 4 == 0)
            && g.channels >= minimumChannels && g.outChannels >= minimumChannels
    }

    /// Tile rows per chunk: a chunk's transformed input and GEMM results (16 × tiles × channels each) stay within
    /// ~1 MB, L2 of one core; chunks of whole 16-tile panels where a tile row is half of one (even rows at 8 px).
    static func rowsPerChunk(_ g: ConvGeometry) -> Int {
        let tw = g.width / 2, th = g.height / 2
        let mb = (g.outChannels + 5) / 6 * 6
        var rows = max(1, min(th, 16_384 / (tw * max(g.channels, mb))))
        if tw % 16 != 0 && rows > 1 { rows -= rows % 2 }
        if tw == 4 { rows = max(2, rows) }
        return rows
    }

    /// Whole images per chunk where an image is whole panels and the budget of `rowsPerChunk` holds several (8 px:
    /// 16 tiles an image), so that each U_ξ is read once for all of them; the count that spreads the batch most
    /// evenly over `width` workers, the larger on a tie. 1 elsewhere.
    static func imagesPerChunk(_ g: ConvGeometry, width: Int) -> Int {
        let tw = g.width / 2, th = g.height / 2
        guard (tw * th) % 16 == 0, g.batch > 1 else { return 1 }
        let budget = 16_384 / (tw * max(g.channels, (g.outChannels + 5) / 6 * 6))
        let most = min(g.batch, budget / th)
        guard most > 1 else { return 1 }
        let workers = max(1, width)
        func makespan(_ n: Int) -> Int { ((g.batch + n - 1) / n + workers - 1) / workers * n }
        return (1...most).min { a, b in (makespan(a), -a) < (makespan(b), -b) }!
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
        // Items: runs of tile rows of one image, or (perChunk > 1) groups of whole images.
        let th = h / 2, perChunk = imagesPerChunk(g, width: width)
        let rows = perChunk > 1 ? th : rowsPerChunk(g), chunks = (th + rows - 1) / rows
        let groups = (g.batch + perChunk - 1) / perChunk
        let scratch = zt_wino_scratch(c, co, w, perChunk * rows)
        parallelFor(groups * chunks, costPerItem: perChunk * rows * w * 2 * 16 * c * co, width: width) { items in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
            defer { buffer.deallocate() }
            for item in items {
                let (group, chunk) = (item / chunks, item % chunks)
                let b = group * perChunk, n = min(perChunk, g.batch - b)
                let ty0 = chunk * rows, ty1 = min(th, ty0 + rows)
                zt_wino_f23_avx2(xd + b * c * h * w, c, h, w, ud, co, n, ty0, ty1, bd, rowBias.map { $0 + b * co },
                                 residual.map { $0 + b * co * h * w }, yd + b * co * h * w, buffer)
            }
        }
        return y
    }

    /// dW `[Co, C, 3, 3]` = Σ_b Σ_tiles Gᵀ[(A gy Aᵀ) ⊙ (Bᵀ d B)]G, the adjoint of the forward's transforms: per ξ a
    /// GEMM dU_ξ (Co×C) += Z_ξ (Co×tiles) · V_ξᵀ, 2.25× fewer multiply-adds than the direct sum. Where
    /// `tiledWeightGradientSuits`, `weightGradientTiled`; else the images go in groups whose transforms fit ~2 MB,
    /// each group's transforms computed over the threads (an image each), then its 16 products as single-threaded
    /// `cblas_sgemm`s over the threads (a ξ each), every dU_ξ summed over the groups in order by whichever thread
    /// holds that ξ: the same bits on any thread count, and no per-thread dU to add up.
    static func weightGradient(_ g: ConvGeometry, _ xd: UnsafePointer<Float>, _ gyd: UnsafePointer<Float>,
                               width: Int = ComputeThreads.width, method: WeightGradientGEMM = .automatic) -> Tensor {
        let (c, co, h, w, batch) = (g.channels, g.outChannels, g.height, g.width, g.batch)
        if method != .openBLAS && tiledWeightGradientSuits(g) { return weightGradientTiled(g, xd, gyd, width: width) }
        let th = h / 2, tiles = th * (w / 2)
        let group = max(1, min(batch, (1 << 19) / (16 * (c + co) * tiles)))
        let size = 16 * co * c
        let sums = Tensor(shape: [size])
        let sd = sums.data
        let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * c * group * tiles)
        let z = UnsafeMutablePointer<Float>.allocate(capacity: 16 * co * group * tiles)
        defer { v.deallocate(); z.deallocate() }
        _ = ComputeThreads.openBLASPinned
        for b0 in stride(from: 0, to: batch, by: group) {
            let n = min(group, batch - b0), ld = n * tiles
            parallelFor(n, costPerItem: tiles * 16 * (c + co) * 4, width: width) { images in
                let rt = UnsafeMutablePointer<Float>.allocate(capacity: (2 * th + 2) * 4 * (w / 2 + 16))
                defer { rt.deallocate() }
                for i in images {
                    let b = b0 + i
                    zt_wino_input_avx2(xd + b * c * h * w, c, h, w, 0, th, v + i * tiles, ld, 16, c * ld, rt)
                    zt_wino_gy_avx2(gyd + b * co * h * w, co, h, w, 0, th, z + i * tiles, ld, co * ld)
                }
            }
            parallelFor(16, costPerItem: ld * 2 * c * co, width: width) { xis in
                for xi in xis {
                    Kernels.blasGemm(transA: false, transB: true, m: co, n: c, k: ld, alpha: 1, a: z + xi * co * ld, lda: ld,
                                     b: v + xi * c * ld, ldb: ld, beta: b0 == 0 ? 0 : 1, c: sd + xi * co * c, ldc: c)
                }
            }
        }
        return finishWeightGradient(sums, parts: 1, co: co, c: c, width: width)
    }

    /// How the weight gradient's 16 products are computed: `automatic` takes `weightGradientTiled` where
    /// `tiledWeightGradientSuits`, else OpenBLAS; `openBLAS` always the sgemms (the tests compare the two).
    package enum WeightGradientGEMM { case automatic, openBLAS }

    /// The tiled weight gradient where its kernel can take the channels (C a multiple of 16, Co of 8) and an image
    /// has at least 256 tiles (32 px and up). There its chunks keep the transforms in L2, where OpenBLAS's sgemms took
    /// whole images (4 MB of transforms at 64 px × 64 channels, from L3): one core, bench engine's shapes, dW alone,
    /// OpenBLAS → tiled: 64 px c64 48.7 → 37.8 ms, 32 px c128 34.8 → 30.8 ms. On smaller images the two GEMMs run
    /// at the same rate (~80 % of the FMA peak) and the tiled path's transposes made it no faster: 16 px c256 33.5 →
    /// 35.2 ms, 8 px c128 5.1 → 5.8 ms.
    static func tiledWeightGradientSuits(_ g: ConvGeometry) -> Bool {
        g.channels % 16 == 0 && g.outChannels % 8 == 0 && (g.height / 2) * (g.width / 2) >= 256
    }

    /// Tiles per chunk of the tiled weight gradient: a chunk's 16 transformed inputs and gradients (16·(C + Co) floats a
    /// tile) within ~512 KB, at least 64 tiles so each register tile's add into dU is rare.
    static func weightGradientTiles(_ g: ConvGeometry) -> Int { max(64, 8192 / (g.channels + g.outChannels)) }

    /// The weight gradient with its own GEMM kernel (`zt_wino_wgrad_chunk_avx2`): the images in `parts` fixed runs (6,
    /// 4, 3 or 2 from the batch alone, as `pointwiseBackward`), each image in chunks of whole tile rows (about
    /// `weightGradientTiles` tiles), every chunk's transforms consumed while they are in L2. Each run sums its chunks in order into its own dU; the runs' dU are
    /// added in order. Same bits on any thread count.
    static func weightGradientTiled(_ g: ConvGeometry, _ xd: UnsafePointer<Float>, _ gyd: UnsafePointer<Float>,
                                    width: Int) -> Tensor {
        let (c, co, h, w, batch) = (g.channels, g.outChannels, g.height, g.width, g.batch)
        let tw = w / 2, th = h / 2, tiles = th * tw, mb = (co + 5) / 6 * 6
        let parts = [6, 4, 3, 2].first { batch >= $0 } ?? 1
        var rows = max(1, min(th, weightGradientTiles(g) / tw))
        if tw == 4 && rows < th { rows = max(2, rows - rows % 2) }  // 8 px wide: two tile rows a vector
        let size = 16 * co * c
        let sums = Tensor.zeros([parts * size])
        let sd = sums.data
        parallelFor(parts, costPerItem: batch / parts * tiles * 32 * c * co, width: width) { runs in
            let k = rows * tw
            let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * c * k)
            let z = UnsafeMutablePointer<Float>.allocate(capacity: 16 * co * k)
            let vt = UnsafeMutablePointer<Float>.allocate(capacity: k * (c + 16))
            let zt = UnsafeMutablePointer<Float>.allocate(capacity: k * mb)
            let rt = UnsafeMutablePointer<Float>.allocate(capacity: (2 * rows + 2) * 4 * (tw + 16))
            defer { v.deallocate(); z.deallocate(); vt.deallocate(); zt.deallocate(); rt.deallocate() }
            for run in runs {
                let s = sd + run * size
                for b in (batch * run / parts)..<(batch * (run + 1) / parts) {
                    for ty0 in stride(from: 0, to: th, by: rows) {
                        let ty1 = min(th, ty0 + rows), ld = (ty1 - ty0) * tw
                        zt_wino_input_avx2(xd + b * c * h * w, c, h, w, ty0, ty1, v, ld, 16, c * ld, rt)
                        zt_wino_gy_avx2(gyd + b * co * h * w, co, h, w, ty0, ty1, z, ld, co * ld)
                        zt_wino_wgrad_chunk_avx2(v, c * ld, z, co * ld, c, co, ld, s, vt, zt)
                    }
                }
            }
        }
        return finishWeightGradient(sums, parts: parts, co: co, c: c, width: width)
    }
    /// dW from the runs' dU sums (`[parts][16][Co][C]`): the runs added in order into the first, then Gᵀ dU G.
    private static func finishWeightGradient(_ sums: Tensor, parts: Int, co: Int, c: Int, width: Int) -> Tensor {
        let sd = sums.data, size = 16 * co * c
        if parts > 1 {
            parallelFor(size, costPerItem: parts, width: width) { r in
                for i in r { var t = sd[i]; for run in 1..<parts { t += sd[run * size + i] }; sd[i] = t }
            }
        }
        let gw = Tensor(shape: [co, c, 3, 3])
        let gwd = gw.data
        parallelFor(co, costPerItem: c * 64, width: width) { r in
            zt_wino_weights_back(sd, co, c, r.lowerBound, r.upperBound, gwd)
        }
        return gw
    }
}

