import COpenBLAS

/// Geometry of one 2-D convolution.
package struct ConvGeometry {
    let batch: Int, channels: Int, height: Int, width: Int
    let outChannels: Int, kernelH: Int, kernelW: Int
    let strideH: Int, strideW: Int, padH: Int, padW: Int
    var outH: Int { (height + 2 * padH - kernelH) / strideH + 1 }
    var outW: Int { (width + 2 * padW - kernelW) / strideW + 1 }
    /// Rows of the im2col matrix: `C·kh·kw`.
    var k: Int { channels * kernelH * kernelW }
    /// Output positions per image.
    var p: Int { outH * outW }
    var isPointwise: Bool { kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0 }

    /// Images per GEMM so the im2col buffer stays within `budget` floats (16 MB; measured on the demo model's
    /// clip: 1–2 MB chunks that stay in L2 were 5–15 % slower, 32–64 MB no faster).
    func imagesPerChunk(budget: Int = 1 << 22) -> Int { max(1, min(batch, budget / max(k * p, 1))) }

    /// Writes `images` images starting at `x` (`[C, H, W]` each, `inStride` apart) as columns: image i's `[K, P]`
    /// block at column `i·P` of `col` (row stride `ld`). One parallel loop over the K rows for the whole chunk
    /// (per-image loops paid a dispatch per image and layer); stride-1 rows are copied with SIMD loads instead of
    /// `memcpy`/`memset` calls, which dominate at 8–32-pixel rows.
    func im2col(_ x: UnsafePointer<Float>, images: Int, inStride: Int, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        let (oh, ow, p) = (outH, outW, self.p)
        parallelFor(k, costPerItem: p * images) { rows in
            for row in rows {
                let c = row / (kernelH * kernelW), ki = (row / kernelW) % kernelH, kj = row % kernelW
                for image in 0..<images {
                    let plane = x + image * inStride + c * height * width
                    let dstRow = col + row * ld + image * p
                    for y in 0..<oh {
                        let iy = y * strideH - padH + ki
                        let dst = dstRow + y * ow
                        if iy < 0 || iy >= height { Self.fill(dst, ow); continue }
                        let src = plane + iy * width
                        if strideW == 1 {
                            // ix = x − padW + kj, valid for x in [lo, hi)
                            let lo = max(0, padW - kj), hi = min(ow, width + padW - kj)
                            if lo > 0 { Self.fill(dst, min(lo, ow)) }
                            if hi > lo { Self.copy(dst + lo, src + lo - padW + kj, hi - lo) }
                            if hi < ow { Self.fill(dst + max(hi, 0), ow - max(hi, 0)) }
                        } else {
                            for xo in 0..<ow {
                                let ix = xo * strideW - padW + kj
                                dst[xo] = ix >= 0 && ix < width ? src[ix] : 0
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    static func copy(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
        while i + 8 <= n {
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { dst[i] = src[i]; i += 1 }
    }

    @inline(__always)
    static func fill(_ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { dst[i] = 0 }
    }

    /// Adds columns `[K, P]` (row stride `ld`) back into image gradient `dx` (`[C, H, W]`): the adjoint of im2col.
    func col2im(_ col: UnsafePointer<Float>, ld: Int, _ dx: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (outH, outW)
        parallelFor(channels, costPerItem: kernelH * kernelW * p) { cs in
            for c in cs {
                let plane = dx + c * height * width
                for ki in 0..<kernelH {
                    for kj in 0..<kernelW {
                        let srcRow = col + ((c * kernelH + ki) * kernelW + kj) * ld
                        for y in 0..<oh {
                            let iy = y * strideH - padH + ki
                            if iy < 0 || iy >= height { continue }
                            let src = srcRow + y * ow, dst = plane + iy * width
                            if strideW == 1 {
                                let lo = max(0, padW - kj), hi = min(ow, width + padW - kj)
                                if hi > lo { for xo in lo..<hi { dst[xo - padW + kj] += src[xo] } }
                            } else {
                                for xo in 0..<ow {
                                    let ix = xo * strideW - padW + kj
                                    if ix >= 0 && ix < width { dst[ix] += src[xo] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// 2-D convolution (cross-correlation, as PyTorch): x `[B, C, H, W]`, weight `[Co, C, kh, kw]`, bias `[Co]`.
///
/// Clips `[N, F, C, H, W]` are passed reshaped to `[N·F, C, H, W]` (`framesAsBatch()`). Frames are batched: the
/// im2col columns of several images sit side by side so one GEMM `W[Co, K] × col[K, g·P]` covers them all (g
/// chosen to keep the column buffer ≤ 16 MB). A 1×1 stride-1 convolution skips im2col: one GEMM per image.
/// Backward: `dW = Σ gy·colᵀ`; for stride 1, `dx` is itself a forward convolution of `gy` with the flipped,
/// transposed kernel (padding `k − 1 − p`), which keeps the GEMM's inner dimension at `Co·kh·kw` and avoids the
/// scatter-add of col2im; other strides use `dcol = Wᵀ·gy` folded by col2im.
public func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) -> Tensor {
    precondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                 "conv2d: input \(x.shape) and weight \(weight.shape) do not match")
    let g = ConvGeometry(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                         outChannels: weight.shape[0], kernelH: weight.shape[2], kernelW: weight.shape[3],
                         strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1)
    precondition(g.outH > 0 && g.outW > 0, "conv2d: input \(x.shape) too small for kernel \(weight.shape)")
    let y = conv2dForward(g, x.data, weight.data, bias?.data)
    if let tape = tapeOf(x, weight, bias) {
        tape.record(y) { gy in conv2dBackward(g, x, weight, bias, gy) }
    }
    return y
}

/// `conv2d(x, weight, bias, padding:) + rowBias[b, o] + residual[b, o, y, x]` — a residual block's time-embedding bias
/// (`[B, Co]`) and skip connection (`[B, Co, Ho, Wo]`), either optional. In inference, on the direct (stride-1)
/// path, the adds happen in the pass that compacts the convolution's output instead of two more passes over the
/// tensor; under a tape, or on the im2col path, they are the usual recorded ops. Same values either way.
public func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, padding: (Int, Int), rowBias: Tensor?, residual: Tensor?) -> Tensor {
    let g = ConvGeometry(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                         outChannels: weight.shape[0], kernelH: weight.shape[2], kernelW: weight.shape[3],
                         strideH: 1, strideW: 1, padH: padding.0, padW: padding.1)
    let inference = tapeOf(x, weight, bias, rowBias, residual) == nil
    if inference, x.rank == 4, weight.rank == 4, x.shape[1] == weight.shape[1], g.outH > 0, g.outW > 0,
       rowBias.map({ $0.count == g.batch * g.outChannels }) ?? true,
       residual.map({ $0.shape == [g.batch, g.outChannels, g.outH, g.outW] }) ?? true,
       let kernel = DirectConv.Kernel.best(forOutputChannels: g.outChannels), DirectConv.suits(g) {
        if g.isPointwise { return pointwiseForward(g, x.data, weight.data, bias?.data, rowBias: rowBias?.data, residual: residual?.data) }
        if Winograd.suits(g) { return Winograd.forward(g, x.data, weight.data, bias?.data, rowBias: rowBias?.data, residual: residual?.data) }
        return DirectConv.forward(g, x.data, weight.data, bias?.data, kernel: kernel, rowBias: rowBias?.data, residual: residual?.data)
    }
    var y = conv2d(x, weight, bias, padding: padding)
    if let rowBias { y = y + rowBias.reshaped([rowBias.shape[0], rowBias.count / rowBias.shape[0], 1, 1]) }
    if let residual { y = residual + y }
    return y
}

/// The forward computation on raw buffers (no tape): a 1×1 stride-1 kernel as one sgemm per image
/// (`pointwiseForward`); a 3×3 padding-1 kernel by Winograd where `Winograd.suits` (the backward's dx too, which
/// comes here as a forward convolution); other stride-1 kernels through the direct kernel where the CPU has one; else im2col of up to
/// `g.imagesPerChunk()` images side by side, one GEMM, copy into `[B, Co, Ho, Wo]`, plus bias.
package func conv2dForward(_ g: ConvGeometry, _ xd: UnsafePointer<Float>, _ wd: UnsafePointer<Float>,
                           _ bd: UnsafePointer<Float>?, method: ConvMethod = .automatic) -> Tensor {
    if method != .im2col {
        if g.isPointwise { return pointwiseForward(g, xd, wd, bd) }
        if method == .automatic && Winograd.suits(g) { return Winograd.forward(g, xd, wd, bd) }
        if let kernel = DirectConv.Kernel.best(forOutputChannels: g.outChannels), DirectConv.suits(g) {
            return DirectConv.forward(g, xd, wd, bd, kernel: kernel)
        }
    }
    let y = Tensor(shape: [g.batch, g.outChannels, g.outH, g.outW])
    let (k, p, co) = (g.k, g.p, g.outChannels)
    let inStride = g.channels * g.height * g.width, outStride = co * p
    let chunk = g.imagesPerChunk()
    let col = Tensor(shape: [k, chunk * p]), out = Tensor(shape: [co, chunk * p])
    var b0 = 0
    while b0 < g.batch {
        let n = min(chunk, g.batch - b0), ld = n * p
        g.im2col(xd + b0 * inStride, images: n, inStride: inStride, col.data, ld: ld)
        Kernels.gemm(m: co, n: ld, k: k, a: wd, lda: k, b: col.data, ldb: ld, c: out.data, ldc: ld)
        // [Co, n·P] → [n, Co, P], adding the bias on the way.
        let src = out.data, dst = y.data + b0 * outStride
        parallelFor(n * co, costPerItem: p) { r in
            for j in r {
                let (i, c) = (j / co, j % co)
                let to = dst + i * outStride + c * p, from = src + c * ld + i * p
                if let bd { let v = bd[c]; for q in 0..<p { to[q] = from[q] + v } } else { to.update(from: from, count: p) }
            }
        }
        b0 += n
    }
    return y
}

/// Backward of `conv2d` (see its summary for the method).
private func conv2dBackward(_ g: ConvGeometry, _ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ gy: Tensor) {
    let (k, p, co) = (g.k, g.p, g.outChannels)
    let inStride = g.channels * g.height * g.width, outStride = co * p
    // dW by the direct kernel where the forward used it (no im2col), else accumulated by the GEMMs below.
    // (1×1: the GEMMs below, which also give dx.)
    // (3×3 padding 1 where `Winograd.suits`: Winograd's weight gradient.)
    let winograd = weight.requiresGrad && Winograd.suits(g) && min(g.channels, g.outChannels) >= Winograd.minimumWeightGradientChannels
    let directKernel = weight.requiresGrad && DirectConv.suits(g) && !g.isPointwise && !winograd
        ? DirectConv.Kernel.bestWeightGradient(forOutputChannels: co) : nil
    let directW = directKernel != nil || winograd
    let gw: Tensor? = winograd ? Winograd.weightGradient(g, x.data, gy.data)
        : directKernel.map { DirectConv.weightGradient(g, x.data, gy.data, kernel: $0) }
        ?? (weight.requiresGrad ? Tensor.zeros(weight.shape) : nil)
    var gx: Tensor? = nil
    // dx as a forward convolution: stride 1, padding k − 1 − p ≥ 0, kernel W̃[c, o, i, j] = W[o, c, kh−1−i, kw−1−j].
    let transposedConv = !g.isPointwise && g.strideH == 1 && g.strideW == 1 && g.padH < g.kernelH && g.padW < g.kernelW
    if x.requiresGrad && transposedConv {
        let (kh, kw, c) = (g.kernelH, g.kernelW, g.channels)
        let flipped = Tensor(shape: [c, co, kh, kw])
        let wd = weight.data, fd = flipped.data
        for o in 0..<co { for ci in 0..<c { for i in 0..<kh { for j in 0..<kw {
            fd[((ci * co + o) * kh + i) * kw + j] = wd[((o * c + ci) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)]
        } } } }
        let gt = ConvGeometry(batch: g.batch, channels: co, height: g.outH, width: g.outW, outChannels: c,
                              kernelH: kh, kernelW: kw, strideH: 1, strideW: 1, padH: kh - 1 - g.padH, padW: kw - 1 - g.padW)
        // With stride 1 the transposed geometry maps back onto exactly H×W (Ho + kh − 1 − 2p = H).
        gx = conv2dForward(gt, gy.data, flipped.data, nil)
    } else if x.requiresGrad {
        // 1×1: every element is written by its image's GEMM (beta 0); col2im adds into zeros.
        gx = g.isPointwise ? Tensor(shape: x.shape) : Tensor.zeros(x.shape)
    }
    if g.isPointwise {
        pointwiseBackward(g, x.data, weight.data, gy.data, gw: gw?.data, gx: gx?.data)
    } else if (gw != nil && !directW) || (gx != nil && !transposedConv) {
        let chunk = g.imagesPerChunk()
        let col = Tensor(shape: [k, chunk * p]), gyc = Tensor(shape: [co, chunk * p])
        var b0 = 0
        while b0 < g.batch {
            let n = min(chunk, g.batch - b0), ld = n * p
            let src = gy.data + b0 * outStride, dst = gyc.data
            parallelFor(n * co, costPerItem: p) { r in
                for j in r { let (i, c) = (j / co, j % co); (dst + c * ld + i * p).update(from: src + i * outStride + c * p, count: p) }
            }
            if let gw, !directW {
                g.im2col(x.data + b0 * inStride, images: n, inStride: inStride, col.data, ld: ld)
                Kernels.gemm(transB: true, m: co, n: k, k: ld, a: gyc.data, lda: ld, b: col.data, ldb: ld, beta: 1, c: gw.data, ldc: k)
            }
            if let gx, !transposedConv {
                Kernels.gemm(transA: true, m: k, n: ld, k: co, a: weight.data, lda: k, b: gyc.data, ldb: ld, c: col.data, ldc: ld)
                for i in 0..<n { g.col2im(col.data + i * p, ld: ld, gx.data + (b0 + i) * inStride) }
            }
            b0 += n
        }
    }
    if let gx { x.accumulateGrad(gx, owned: true) }
    if let gw { weight.accumulateGrad(gw, owned: true) }
    if let bias, bias.requiresGrad {
        // Each channel's images added in order, the channels over the threads.
        let gb = Tensor(shape: [co])
        let gbd = gb.data, gyd = gy.data
        parallelFor(co, costPerItem: g.batch * p) { cs in
            for c in cs {
                var s: Float = 0
                for b in 0..<g.batch { s += Kernels.sum(gyd + b * outStride + c * p, p) }
                gbd[c] = s
            }
        }
        bias.accumulateGrad(gb, owned: true)
    }
}

/// Forward of a 1×1 stride-1 convolution: `y_b = W·x_b` as one single-threaded `cblas_sgemm` per image, the images
/// spread over the threads, each worker adding its images' bias, `rowBias` (`[B, Co]`) and `residual` while the rows
/// are in cache. The direct kernel reuses each loaded input vector in no other tap, so it ran at a third of sgemm's
/// rate here (38 GFLOP/s at 32 px × 128 channels). Every image's product has the same shape on any thread count, so
/// the bits do not depend on it.
package func pointwiseForward(_ g: ConvGeometry, _ xd: UnsafePointer<Float>, _ wd: UnsafePointer<Float>,
                              _ bd: UnsafePointer<Float>?, rowBias: UnsafePointer<Float>? = nil,
                              residual: UnsafePointer<Float>? = nil, width: Int = ComputeThreads.width) -> Tensor {
    let (c, co, p) = (g.channels, g.outChannels, g.p)
    let y = Tensor(shape: [g.batch, co, g.outH, g.outW])
    let yd = y.data
    _ = ComputeThreads.openBLASPinned
    parallelFor(g.batch, costPerItem: c * co * p, width: width) { images in
        for b in images {
            let yb = yd + b * co * p
            Kernels.blasGemm(transA: false, transB: false, m: co, n: p, k: c, alpha: 1, a: wd, lda: c, b: xd + b * c * p,
                             ldb: p, beta: 0, c: yb, ldc: p)
            guard bd != nil || rowBias != nil || residual != nil else { continue }
            // ((W·x + bias) + rowBias) + residual, the order of the recorded ops (adding a missing term's 0 is exact).
            for o in 0..<co {
                let bv = bd?[o] ?? 0, rb = rowBias?[b * co + o] ?? 0, row = yb + o * p
                if let residual {
                    let r = residual + (b * co + o) * p
                    for i in 0..<p { row[i] = row[i] + bv + rb + r[i] }
                } else {
                    for i in 0..<p { row[i] = row[i] + bv + rb }
                }
            }
        }
    }
    return y
}

/// Backward of a 1×1 stride-1 convolution, one single-threaded `cblas_sgemm` per image with the images spread over
/// the threads (one threaded GEMM per image, as before, paid OpenBLAS's packing and a fork/join per image on
/// products of 128×128×1024). `dx_b = Wᵀ·gy_b` is one GEMM per image, each written by one worker. `dW = Σ_b gy_b·x_bᵀ`
/// sums the images in `parts` fixed runs (chosen from the batch alone: 6, 4, 3 or 2, as `GemmSplit`), each run's
/// images one after another into its own buffer, then adds the runs' buffers in order, so the result is the same
/// bit for bit on any thread count.
package func pointwiseBackward(_ g: ConvGeometry, _ xd: UnsafePointer<Float>, _ wd: UnsafePointer<Float>,
                               _ gyd: UnsafePointer<Float>, gw: UnsafeMutablePointer<Float>?, gx: UnsafeMutablePointer<Float>?,
                               width: Int = ComputeThreads.width) {
    let (c, co, p, batch) = (g.channels, g.outChannels, g.p, g.batch)
    let inStride = c * p, outStride = co * p
    _ = ComputeThreads.openBLASPinned
    let gxu = gx.map { UncheckedSendable($0) }
    guard let gw else {
        parallelFor(batch, costPerItem: c * co * p, width: width) { images in
            for b in images {
                Kernels.blasGemm(transA: true, transB: false, m: c, n: p, k: co, alpha: 1, a: wd, lda: c, b: gyd + b * outStride,
                                 ldb: p, beta: 0, c: gxu!.value + b * inStride, ldc: p)
            }
        }
        return
    }
    let parts = [6, 4, 3, 2].first { batch >= $0 } ?? 1
    let size = co * c
    // Run 0 sums into gw, the others into scratch, added after in order. Each image's dx is computed by the run that
    // adds its dW term, right before, while its gy is in cache.
    let scratch = parts > 1 ? Tensor(shape: [(parts - 1) * size]) : nil
    let sd = scratch?.data, gwu = UncheckedSendable(gw)
    parallelFor(parts, costPerItem: batch / parts * c * co * p * (gx == nil ? 1 : 2), width: width) { runs in
        for run in runs {
            let dst = run == 0 ? gwu.value : sd! + (run - 1) * size
            for b in batch * run / parts..<batch * (run + 1) / parts {
                if let gxu {
                    Kernels.blasGemm(transA: true, transB: false, m: c, n: p, k: co, alpha: 1, a: wd, lda: c,
                                     b: gyd + b * outStride, ldb: p, beta: 0, c: gxu.value + b * inStride, ldc: p)
                }
                Kernels.blasGemm(transA: false, transB: true, m: co, n: c, k: p, alpha: 1, a: gyd + b * outStride, lda: p,
                                 b: xd + b * inStride, ldb: p, beta: b == batch * run / parts ? 0 : 1,
                                 c: dst, ldc: c)
            }
        }
    }
    if let sd {
        parallelFor(size, costPerItem: parts, width: width) { r in
            for i in r { var s = gwu.value[i]; for run in 1..<parts { s += sd[(run - 1) * size + i] }; gwu.value[i] = s }
        }
    }
}

/// How `conv2dForward` computes a convolution (tests pin one to compare them).
package enum ConvMethod {
    /// 1×1 kernels as one sgemm per image (`pointwiseForward`); 3×3 padding-1 kernels by Winograd F(2×2, 3×3) where
    /// `Winograd.suits`; the direct kernel where it applies (stride 1, a CPU with AVX2 or AVX-512); else im2col + GEMM.
    case automatic
    /// As `automatic` without Winograd: the direct kernel wherever it applies.
    case direct
    /// im2col + GEMM always.
    case im2col
}

/// Stride-1 convolutions without im2col: the C kernels of COpenBLAS/kernels.h over zero-padded input planes
/// flattened with their padding (see `ZT_DCONV_KERNEL`). The im2col path copies every input value kh·kw times and
/// OpenBLAS then packs that copy again; at the model's 16–64-channel layers each packed value was used in only
/// Co multiply-adds, so the copies cost more than the arithmetic.
package enum DirectConv {
    /// One compiled kernel: vector width (floats) × output-channel block × vectors per block of positions.
    package struct Kernel: Sendable {
        let vectorWidth: Int, channelBlock: Int, vectors: Int
        /// Input channels per pass over the positions of a chunk (nil: all), and the chunk's input budget in floats
        /// for a spatial kernel. AVX2 runs 16 channels over 128-position chunks: the block's weights for the group
        /// (16 × 9 taps × 4 channels, 2.3 KB) and the group's input rows stay in L1 across the chunk, where the
        /// whole channel range (36 KB of weights at 256 channels) overflowed it.
        var channelGroup: Int? = nil
        var spatialBudget: Int = 1 << 14
        let run: @Sendable (UnsafePointer<Float>, Int, Int, UnsafePointer<Float>, UnsafePointer<Int>, Int,
                  UnsafePointer<Float>?, UnsafeMutablePointer<Float>, Int, Int, Int, Int) -> Void
        /// The weight-gradient kernel of the same width and block (`ZT_WGRAD_KERNEL`); nil for a forward-only kernel.
        var wgrad: (@Sendable (UnsafePointer<Float>, Int, UnsafePointer<Float>, Int, Int, Int, Int, UnsafePointer<Int>, Int,
                    UnsafeMutablePointer<Float>) -> Void)?
        /// The cache-blocked weight-gradient kernel over one chunk of positions (`zt_wgrad_chunk_avx2_cb4`), where
        /// this CPU has one for the block; `weightGradient` uses it instead of `wgrad`.
        var wgradChunk: (@Sendable (UnsafePointer<Float>, Int, UnsafePointer<Float>, UnsafePointer<Int>, Int, Int,
                                    UnsafeMutablePointer<Float>) -> Void)? = nil
        /// Positions per kernel iteration.
        var positions: Int { vectorWidth * vectors }

        /// Every kernel this CPU can run (the tests check each, so the AVX2 ones are covered on AVX-512 machines).
        package static let available: [Kernel] = {
            var all: [Kernel] = []
            if Kernels.hasAVX512 {
                all.append(Kernel(vectorWidth: 16, channelBlock: 8, vectors: 3,
                                  run: { zt_dconv_avx512_cb8($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) },
                                  wgrad: { zt_wgrad_avx512_cb8($0, $1, $2, $3, $4, $5, $6, $7, $8, $9) }))
                all.append(Kernel(vectorWidth: 16, channelBlock: 4, vectors: 3,
                                  run: { zt_dconv_avx512_cb4($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) },
                                  wgrad: { zt_wgrad_avx512_cb4($0, $1, $2, $3, $4, $5, $6, $7, $8, $9) }))
            }
            if Kernels.hasAVX2 {
                all.append(Kernel(vectorWidth: 8, channelBlock: 4, vectors: 2, channelGroup: 16, spatialBudget: 1 << 11,
                                  run: { zt_dconv_avx2_cb4($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) },
                                  wgrad: { zt_wgrad_avx2_cb4($0, $1, $2, $3, $4, $5, $6, $7, $8, $9) },
                                  wgradChunk: { zt_wgrad_chunk_avx2_cb4($0, $1, $2, $3, $4, $5, $6) }))
                all.append(Kernel(vectorWidth: 8, channelBlock: 6, vectors: 2, channelGroup: 16, spatialBudget: 1 << 11,
                                  run: { zt_dconv_avx2_cb6($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) },
                                  wgrad: nil))
            }
            return all
        }()

        /// The widest kernel the CPU runs; the 8-channel block where the output channels fill it (AVX2: the 6-channel
        /// block for a multiple of 6 or more than 128 output channels, where its rows past Co waste < 1 %; at 64 and
        /// 128 channels, 3 % wasted rows, bench engine's 64 px backward measured ~5 % slower with it, alternated runs).
        package static func best(forOutputChannels co: Int) -> Kernel? {
            if Kernels.hasAVX512 { return co % 8 == 0 || co > 16 ? available[0] : available[1] }
            guard Kernels.hasAVX2 else { return nil }
            return co % 6 == 0 || co > 128 ? available[1] : available[0]
        }

        /// The kernel `weightGradient` runs: `best`'s, or on AVX2 the 4-channel block (the 6-block is forward only).
        package static func bestWeightGradient(forOutputChannels co: Int) -> Kernel? {
            if Kernels.hasAVX512 { return best(forOutputChannels: co) }
            return available.first
        }
    }

    /// Stride 1, any kernel (1×1 forwards take `pointwiseForward` before this is asked; the tests still run the
    /// direct kernel on them).
    static func suits(_ g: ConvGeometry) -> Bool {
        g.strideH == 1 && g.strideW == 1
    }

    /// Row length Wp and plane size Hp·Wp of the padded input. Each row is `padW` zeros, the W values, then zeros up
    /// to Wp = W + max(padW, kw − 1 − padW): one row's right padding is the next row's left padding (a 3×3 kernel
    /// with padding 1 has Wp = W + 1, not W + 2), so fewer of the positions the kernels compute are discarded —
    /// a ninth of them at 8 px instead of a fifth. Reads past a plane's last row land in the next plane's leading
    /// zeros (or the image's zero slack).
    static func paddedPlane(_ g: ConvGeometry) -> (wp: Int, plane: Int) {
        let wp = g.width + max(g.padW, g.kernelW - 1 - g.padW)
        return (wp, (g.height + 2 * g.padH) * wp)
    }

    /// Flat offset `ki·Wp + kj` of each tap, in weight order.
    static func tapOffsets(_ g: ConvGeometry) -> [Int] {
        let wp = paddedPlane(g).wp
        return (0..<(g.kernelH * g.kernelW)).map { ($0 / g.kernelW) * wp + $0 % g.kernelW }
    }

    /// Index of weight `[o, ch, tap]` in the kernels' blocked layout `[Co/cb][C][taps][cb]`.
    @inline(__always)
    static func blockedIndex(_ o: Int, _ ch: Int, _ tap: Int, channels c: Int, taps: Int, block cb: Int) -> Int {
        (((o / cb) * c + ch) * taps + tap) * cb + o % cb
    }

    /// The input as zero-padded planes `[B][C][Hp·Wp]`, each image followed by zero slack: reads reach position
    /// + (kh−1)·Wp + kw−1 < Hp·Wp + step + kw. Returns the buffer and the floats per image.
    static func pad(_ g: ConvGeometry, _ xd: UnsafePointer<Float>, kernel: Kernel, width: Int) -> (Tensor, Int) {
        let c = g.channels, (wp, plane) = paddedPlane(g)
        let imageStride = c * plane + kernel.positions + g.kernelW
        let padded = Tensor(shape: [g.batch * imageStride])
        let pd = padded.data
        parallelFor(g.batch * c, costPerItem: plane, width: width) { r in
            for j in r {
                let (b, ch) = (j / c, j % c)
                let src = xd + (b * c + ch) * g.height * g.width, dst = pd + b * imageStride + ch * plane
                dst.update(repeating: 0, count: g.padH * wp)
                for y in 0..<g.height {
                    let row = dst + (g.padH + y) * wp
                    row.update(repeating: 0, count: g.padW)
                    ConvGeometry.copy(row + g.padW, src + y * g.width, g.width)
                    (row + g.padW + g.width).update(repeating: 0, count: wp - g.padW - g.width)
                }
                (dst + (g.padH + g.height) * wp).update(repeating: 0, count: g.padH * wp)
                if ch == c - 1 { (dst + plane).update(repeating: 0, count: imageStride - c * plane) }
            }
        }
        return (padded, imageStride)
    }

    /// dW `[Co, C, kh, kw]` = Σ_b Σ_q gy[b][o][q]·x_pad[b][c][q + tap offset], with gy laid out like the forward's
    /// flat outputs (zero at the dropped columns). Images are added one after another and each (block, channel)
    /// belongs to one worker, so the sums run in a fixed order whatever the thread count.
    static func weightGradient(_ g: ConvGeometry, _ xd: UnsafePointer<Float>, _ gyd: UnsafePointer<Float>, kernel: Kernel,
                               width: Int = ComputeThreads.width) -> Tensor {
        let (c, co, kh, kw) = (g.channels, g.outChannels, g.kernelH, g.kernelW)
        let (wp, plane) = paddedPlane(g)
        let (oh, ow) = (g.outH, g.outW)
        let taps = kh * kw, cb = kernel.channelBlock, blocks = (co + cb - 1) / cb
        let vw = kernel.vectorWidth
        let positions = (oh * wp + vw - 1) / vw * vw
        let (padded, imageStride) = pad(g, xd, kernel: kernel, width: width)
        // gy in the flat layout, output channels padded to whole blocks with zero rows.
        let flat = Tensor(shape: [g.batch * blocks * cb * positions])
        let fd = flat.data, pd = padded.data
        parallelFor(g.batch * blocks * cb, costPerItem: positions, width: width) { r in
            for j in r {
                let (b, o) = (j / (blocks * cb), j % (blocks * cb))
                let dst = fd + j * positions
                dst.update(repeating: 0, count: positions)
                guard o < co else { continue }
                let src = gyd + (b * co + o) * oh * ow
                for y in 0..<oh { ConvGeometry.copy(dst + y * wp, src + y * ow, ow) }
            }
        }
        // The blocked kernel up to ~45 × 45 px, and for kernels whose taps do not come in threes (1×1); at 64 px the
        // per-image loop keeps a pass's gy rows in L2 across all the channels and measured ~4 % faster (single-thread
        // C harness, 16 images × 64 channels: 80–82 against 76–78 GF/s), where a channel group rereads them from L3.
        if let chunked = kernel.wgradChunk, cb == 4, vw == 8, positions <= 2048 || taps % 3 != 0 || kernel.wgrad == nil {
            return blockedWeightGradient(g, padded: pd, imageStride: imageStride, flat: fd, positions: positions,
                                         kernel: chunked, width: width)
        }
        let packed = Tensor.zeros([blocks * c * taps * cb])
        let wd = packed.data
        tapOffsets(g).withUnsafeBufferPointer { off in
            let offp = off.baseAddress!
            // Images per pass: a block's gy rows for the pass stay within ~256 KB (cache-resident across the
            // channels that reuse them), and the lane sums are paid once per pass, not per image.
            let perPass = max(1, min(g.batch, (1 << 16) / (cb * positions)))
            var b0 = 0
            while b0 < g.batch {
                let n = min(perPass, g.batch - b0)
                parallelFor(blocks * c, costPerItem: n * taps * positions * cb, width: width) { r in
                    for item in r {
                        let (blk, ch) = (item / c, item % c)
                        let xc = pd + b0 * imageStride + ch * plane, gy = fd + (b0 * blocks + blk) * cb * positions
                        var t0 = 0
                        while t0 < taps {
                            kernel.wgrad!(xc, imageStride, gy, blocks * cb * positions, n, positions, positions, offp + t0,
                                         min(3, taps - t0), wd + ((blk * c + ch) * taps + t0) * cb)
                            t0 += 3
                        }
                    }
                }
                b0 += n
            }
        }
        let gw = Tensor(shape: [co, c, kh, kw])
        let gwd = gw.data
        for o in 0..<co {
            for ch in 0..<c {
                for t in 0..<taps { gwd[(o * c + ch) * taps + t] = wd[blockedIndex(o, ch, t, channels: c, taps: taps, block: cb)] }
            }
        }
        return gw
    }

    /// `weightGradient` through the cache-blocked kernel (`zt_wgrad_chunk_avx2_cb4`, 4 output channels, 8 lanes). The
    /// (channel, tap) pairs are flattened (pair k = channel·taps + tap) and taken three at a time, so a 1×1 kernel
    /// fills the 12 accumulators as a 3×3 does. A work item is one block of 4 output channels × a group of input
    /// channels; it runs over the images in order and over each image's positions in chunks of ~256, whose 4 gy
    /// rows (4 KB) and the group's input rows (≤ 12 KB) stay in L1 across the group's pairs; the pairs' 8-lane
    /// partial sums (≤ 10 KB) are kept in a buffer between chunks and their lanes added in order at the end. Items,
    /// chunks and groups depend on the shape alone and each item owns its sums, so the result is the same bit for bit
    /// on any thread count.
    static func blockedWeightGradient(_ g: ConvGeometry, padded pd: UnsafePointer<Float>, imageStride: Int,
                                      flat fd: UnsafePointer<Float>, positions: Int,
                                      kernel: @Sendable (UnsafePointer<Float>, Int, UnsafePointer<Float>, UnsafePointer<Int>,
                                                         Int, Int, UnsafeMutablePointer<Float>) -> Void,
                                      width: Int) -> Tensor {
        let (c, co, kh, kw) = (g.channels, g.outChannels, g.kernelH, g.kernelW)
        let (wp, plane) = paddedPlane(g)
        let taps = kh * kw, cb = 4, blocks = (co + cb - 1) / cb
        let chunks = max(1, Int((Double(positions) / 256).rounded()))
        let chunk = (positions / chunks + 7) / 8 * 8
        let halo = (kh - 1) * wp + kw - 1
        var group = max(1, min(c, 3072 / (chunk + halo)))
        if taps % 3 != 0 && group >= 3 { group = group / 3 * 3 }  // whole triples of pairs per item
        let groups = (c + group - 1) / group, maxTriples = (group * taps + 2) / 3
        let tapOffset = tapOffsets(g)
        let gw = Tensor(shape: [co, c, kh, kw])
        let gwd = gw.data
        parallelFor(blocks * groups, costPerItem: g.batch * positions * group * taps * cb, width: width) { items in
            let acc = UnsafeMutablePointer<Float>.allocate(capacity: maxTriples * 96)
            let offsets = UnsafeMutablePointer<Int>.allocate(capacity: maxTriples * 3)
            defer { acc.deallocate(); offsets.deallocate() }
            for item in items {
                let (blk, gi) = (item / groups, item % groups)
                let c0 = gi * group, pairs = min(group, c - c0) * taps, triples = (pairs + 2) / 3
                for k in 0..<(triples * 3) {
                    let pair = min(k, pairs - 1)
                    offsets[k] = (pair / taps) * plane + tapOffset[pair % taps]
                }
                acc.update(repeating: 0, count: triples * 96)
                for b in 0..<g.batch {
                    let gyb = fd + (b * blocks + blk) * cb * positions, xb = pd + b * imageStride + c0 * plane
                    var q0 = 0
                    while q0 < positions {
                        let n = min(chunk, positions - q0)
                        kernel(gyb + q0, positions, xb + q0, offsets, triples, n, acc)
                        q0 += n
                    }
                }
                for pair in 0..<pairs {
                    let lanes = acc + pair * 32, (ch, tap) = (c0 + pair / taps, pair % taps)
                    for i in 0..<cb where blk * cb + i < co {
                        var sum: Float = 0
                        for l in 0..<8 { sum += lanes[i * 8 + l] }
                        gwd[((blk * cb + i) * c + ch) * taps + tap] = sum
                    }
                }
            }
        }
        return gw
    }

    /// `rowBias` (`[B, Co]`) and `residual` (`[B, Co, Ho, Wo]`), when given, are added in the pass that compacts the
    /// output (inference's fused adds; see `conv2d(_:_:_:padding:rowBias:residual:)`).
    static func forward(_ g: ConvGeometry, _ xd: UnsafePointer<Float>, _ wd: UnsafePointer<Float>,
                        _ bd: UnsafePointer<Float>?, kernel: Kernel, width: Int = ComputeThreads.width,
                        rowBias: UnsafePointer<Float>? = nil, residual: UnsafePointer<Float>? = nil) -> Tensor {
        let (c, co, taps) = (g.channels, g.outChannels, g.kernelH * g.kernelW)
        let (wp, plane) = paddedPlane(g)
        let (oh, ow) = (g.outH, g.outW)
        let cb = kernel.channelBlock, blocks = (co + cb - 1) / cb
        // Positions computed per image: the Ho rows of Wp (junk where x ≥ Wo), rounded up to the kernel's step.
        let positions = (oh * wp + kernel.positions - 1) / kernel.positions * kernel.positions
        let (padded, imageStride) = pad(g, xd, kernel: kernel, width: width)
        let pd = padded.data
        // Weights [Co, C, kh, kw] → blocks [Co/cb][C][taps][cb], zero beyond Co; bias likewise.
        let packed = Tensor.zeros([blocks * c * taps * cb]), bias = Tensor.zeros([blocks * cb])
        let wpk = packed.data
        for o in 0..<co {
            for ch in 0..<c {
                for t in 0..<taps { wpk[blockedIndex(o, ch, t, channels: c, taps: taps, block: cb)] = wd[(o * c + ch) * taps + t] }
            }
            bias.data[o] = bd?[o] ?? 0
        }
        let offsets = tapOffsets(g)
        // Flat outputs [B][blocks·cb][positions]; work items are (image, position range).
        let out = Tensor(shape: [g.batch * blocks * cb * positions])
        let od = out.data, bsd = bias.data
        let steps = positions / kernel.positions
        let splits = max(1, min(steps, 4 * width / max(1, g.batch)))
        // Within a work item, position chunks whose input (a group of channels: all of them for AVX-512, ~64 KB,
        // 16 for AVX2, ~8 KB) stays cached while every channel block reads it; one whole image per block overflowed
        // L2 at 64 px × 64 channels (1.1 MB) and each block refetched it from L3. A channel group after the first
        // resumes the sums the previous one stored, so the order of the sums, and the result, stay the same.
        // A 1×1 kernel reuses each loaded input vector in no other tap, so its chunk stays in L1 (~16 KB) instead.
        let group = taps == 1 ? c : min(c, kernel.channelGroup ?? c)
        let budget = taps == 1 ? 1 << 12 : kernel.spatialBudget
        let chunk = max(1, budget / max(1, group * kernel.positions)) * kernel.positions
        offsets.withUnsafeBufferPointer { off in
            let offp = off.baseAddress!
            parallelFor(g.batch * splits, costPerItem: positions / splits * co * c * taps, width: width) { r in
                for item in r {
                    let (b, part) = (item / splits, item % splits)
                    let end = steps * (part + 1) / splits * kernel.positions
                    var q0 = steps * part / splits * kernel.positions
                    while q0 < end {
                        let q1 = min(end, q0 + chunk)
                        var c0 = 0
                        while c0 < c {
                            let n = min(group, c - c0)
                            for blk in 0..<blocks {
                                kernel.run(pd + b * imageStride + c0 * plane, plane, n, wpk + (blk * c + c0) * taps * cb, offp,
                                           taps, bsd + blk * cb, od + (b * blocks + blk) * cb * positions, positions, q0, q1,
                                           c0 > 0 ? 1 : 0)
                            }
                            c0 += n
                        }
                        q0 = q1
                    }
                }
            }
        }
        // Keep the Wo valid columns of each row.
        let y = Tensor(shape: [g.batch, co, oh, ow])
        let yd = y.data
        parallelFor(g.batch * co, costPerItem: oh * ow, width: width) { r in
            for j in r {
                let (b, o) = (j / co, j % co)
                let src = od + (b * blocks * cb + o) * positions, dst = yd + j * oh * ow
                guard rowBias != nil || residual != nil else {
                    for yy in 0..<oh { ConvGeometry.copy(dst + yy * ow, src + yy * wp, ow) }
                    continue
                }
                let add = rowBias?[j] ?? 0, res = residual.map { $0 + j * oh * ow }
                for yy in 0..<oh {
                    let s = src + yy * wp, d = dst + yy * ow
                    if let res {
                        let r = res + yy * ow
                        for i in 0..<ow { d[i] = s[i] + add + r[i] }
                    } else {
                        for i in 0..<ow { d[i] = s[i] + add }
                    }
                }
            }
        }
        return y
    }
}
