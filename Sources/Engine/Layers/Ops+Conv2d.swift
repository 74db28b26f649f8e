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

/// The forward computation on raw buffers (no tape): im2col of up to `g.imagesPerChunk()` images side by side,
/// one GEMM, copy into `[B, Co, Ho, Wo]`, plus bias.
private func conv2dForward(_ g: ConvGeometry, _ xd: UnsafePointer<Float>, _ wd: UnsafePointer<Float>,
                           _ bd: UnsafePointer<Float>?) -> Tensor {
    let y = Tensor(shape: [g.batch, g.outChannels, g.outH, g.outW])
    let (k, p, co) = (g.k, g.p, g.outChannels)
    let inStride = g.channels * g.height * g.width, outStride = co * p
    if g.isPointwise {
        for b in 0..<g.batch {
            Kernels.gemm(m: co, n: p, k: k, a: wd, lda: k, b: xd + b * inStride, ldb: p, c: y.data + b * outStride, ldc: p)
        }
    } else {
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
    }
    if g.isPointwise, let bd {
        let yd = y.data
        parallelFor(g.batch * co, costPerItem: p) { r in
            for j in r { let v = bd[j % co]; let row = yd + j * p; for i in 0..<p { row[i] += v } }
        }
    }
    return y
}

/// Backward of `conv2d` (see its summary for the method).
private func conv2dBackward(_ g: ConvGeometry, _ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ gy: Tensor) {
    let (k, p, co) = (g.k, g.p, g.outChannels)
    let inStride = g.channels * g.height * g.width, outStride = co * p
    let gw: Tensor? = weight.requiresGrad ? Tensor.zeros(weight.shape) : nil
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
        gx = Tensor.zeros(x.shape)
    }
    if g.isPointwise {
        for b in 0..<g.batch {
            let gyb = gy.data + b * outStride
            if let gw { Kernels.gemm(transB: true, m: co, n: k, k: p, a: gyb, lda: p, b: x.data + b * inStride, ldb: p, beta: 1, c: gw.data, ldc: k) }
            if let gx { Kernels.gemm(transA: true, m: k, n: p, k: co, a: weight.data, lda: k, b: gyb, ldb: p, c: gx.data + b * inStride, ldc: p) }
        }
    } else if gw != nil || (gx != nil && !transposedConv) {
        let chunk = g.imagesPerChunk()
        let col = Tensor(shape: [k, chunk * p]), gyc = Tensor(shape: [co, chunk * p])
        var b0 = 0
        while b0 < g.batch {
            let n = min(chunk, g.batch - b0), ld = n * p
            let src = gy.data + b0 * outStride, dst = gyc.data
            parallelFor(n * co, costPerItem: p) { r in
                for j in r { let (i, c) = (j / co, j % co); (dst + c * ld + i * p).update(from: src + i * outStride + c * p, count: p) }
            }
            if let gw {
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
        let gb = Tensor.zeros([co])
        for b in 0..<g.batch {
            for c in 0..<co { gb.data[c] += Kernels.sum(gy.data + b * outStride + c * p, p) }
        }
        bias.accumulateGrad(gb, owned: true)
    }
}
