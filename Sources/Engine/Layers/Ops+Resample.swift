/// Nearest-neighbour upsampling by an integer `factor`: x `[B, C, H, W]` → `[B, C, H·f, W·f]`.
/// Matches: `torch.nn.functional.interpolate(x, scale_factor=f, mode="nearest")`. Backward sums each f×f block.
public func upsampleNearest(_ x: Tensor, factor f: Int) -> Tensor {
    let (bc, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    let (oh, ow) = (h * f, w * f)
    let y = Tensor(shape: [x.shape[0], x.shape[1], oh, ow])
    let xd = x.data, yd = y.data
    parallelFor(bc, costPerItem: oh * ow) { r in
        for p in r {
            let src = xd + p * h * w, dst = yd + p * oh * ow
            for i in 0..<h {
                let row = dst + i * f * ow
                for j in 0..<w { let v = src[i * w + j]; for t in 0..<f { row[j * f + t] = v } }
                for t in 1..<max(f, 1) { (row + t * ow).update(from: row, count: ow) }
            }
        }
    }
    if let tape = x.tape {
        tape.record(y) { gy in
            let gx = Tensor(shape: x.shape)
            let gd = gx.data, gyd = gy.data
            parallelFor(bc, costPerItem: oh * ow) { r in
                for p in r {
                    let src = gyd + p * oh * ow, dst = gd + p * h * w
                    for i in 0..<h {
                        for j in 0..<w {
                            var acc: Float = 0
                            for a in 0..<f { for b in 0..<f { acc += src[(i * f + a) * ow + j * f + b] } }
                            dst[i * w + j] = acc
                        }
                    }
                }
            }
            x.accumulateGrad(gx, owned: true)
        }
    }
    return y
}

/// Average pooling with a square window equal to its stride `f` (no padding; trailing rows/columns that do not
/// fill a window are dropped): x `[B, C, H, W]` → `[B, C, H/f, W/f]`.
/// Matches: `torch.nn.functional.avg_pool2d(x, f)`. Backward spreads `g/f²` over each window.
public func averagePool(_ x: Tensor, factor f: Int) -> Tensor {
    let (bc, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    let (oh, ow) = (h / f, w / f)
    let y = Tensor(shape: [x.shape[0], x.shape[1], oh, ow])
    let xd = x.data, yd = y.data, inv = 1 / Float(f * f)
    parallelFor(bc, costPerItem: h * w) { r in
        for p in r {
            let src = xd + p * h * w, dst = yd + p * oh * ow
            for i in 0..<oh {
                for j in 0..<ow {
                    var acc: Float = 0
                    for a in 0..<f { for b in 0..<f { acc += src[(i * f + a) * w + j * f + b] } }
                    dst[i * ow + j] = acc * inv
                }
            }
        }
    }
    if let tape = x.tape {
        tape.record(y) { gy in
            let gx = Tensor.zeros(x.shape)
            let gd = gx.data, gyd = gy.data
            parallelFor(bc, costPerItem: h * w) { r in
                for p in r {
                    let src = gyd + p * oh * ow, dst = gd + p * h * w
                    for i in 0..<oh {
                        for j in 0..<ow {
                            let v = src[i * ow + j] * inv
                            for a in 0..<f { for b in 0..<f { dst[(i * f + a) * w + j * f + b] = v } }
                        }
                    }
                }
            }
            x.accumulateGrad(gx, owned: true)
        }
    }
    return y
}

/// Space-to-depth: x `[B, C, H, W]` → `[B, C·r², H/r, W/r]`, output channel `c·r² + i·r + j` holding pixel
/// `(y·r + i, x·r + j)` of input channel `c`. Matches: `torch.nn.functional.pixel_unshuffle(x, r)`.
/// Built from a reshape and a permute, so its backward is theirs.
public func pixelUnshuffle(_ x: Tensor, factor r: Int) -> Tensor {
    if r == 1 { return x }
    let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    precondition(h % r == 0 && w % r == 0, "pixelUnshuffle: \(h)×\(w) is not divisible by \(r)")
    return x.reshaped([b, c, h / r, r, w / r, r]).permuted([0, 1, 3, 5, 2, 4]).reshaped([b, c * r * r, h / r, w / r])
}

/// Depth-to-space, the inverse of `pixelUnshuffle`: x `[B, C·r², H, W]` → `[B, C, H·r, W·r]`.
/// Matches: `torch.nn.functional.pixel_shuffle(x, r)`.
public func pixelShuffle(_ x: Tensor, factor r: Int) -> Tensor {
    if r == 1 { return x }
    let (b, cr, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    precondition(cr % (r * r) == 0, "pixelShuffle: \(cr) channels are not divisible by \(r * r)")
    let c = cr / (r * r)
    return x.reshaped([b, c, r, r, h, w]).permuted([0, 1, 4, 2, 5, 3]).reshaped([b, c, h * r, w * r])
}
