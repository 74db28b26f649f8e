import COpenBLAS

// Shape operations: reshape, permute, concat, split, repeat, and reductions (sum, mean).

extension Tensor {
    /// The same elements with another shape (a view; no copy). One dimension may be −1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let rest = s.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            s[i] = rest == 0 ? 0 : count / rest
        }
        precondition(s.reduce(1, *) == count, "reshape: \(shape) has \(count) elements, cannot become \(newShape)")
        let y = Tensor(shape: s, sharing: storage)
        if let tape { tape.record(y) { [self] gy in accumulateGrad(Tensor(shape: shape, sharing: gy.storage)) } }
        return y
    }

    /// A clip `[N, F, C, H, W]` viewed as a batch of images `[N·F, C, H, W]` (no copy), for per-frame layers.
    public func framesAsBatch() -> Tensor {
        precondition(rank == 5, "framesAsBatch: expected a clip [N, F, C, H, W], got \(shape)")
        return reshaped([shape[0] * shape[1], shape[2], shape[3], shape[4]])
    }

    /// A batch of images `[N·F, C, H, W]` viewed as clips of `frames` frames `[N, F, C, H, W]` (no copy).
    public func batchAsClips(frames: Int) -> Tensor {
        precondition(rank == 4 && frames > 0 && shape[0] % frames == 0, "batchAsClips: \(shape) is not a whole number of \(frames)-frame clips")
        return reshaped([shape[0] / frames, frames, shape[1], shape[2], shape[3]])
    }

    /// Dimensions reordered: output dim `i` is input dim `dims[i]` (a copy).
    public func permuted(_ dims: [Int]) -> Tensor {
        precondition(dims.sorted() == Array(0..<rank), "permute: \(dims) is not a permutation of 0..<\(rank)")
        let y = Tensor.permuteKernel(self, dims)
        if let tape {
            var inverse = [Int](repeating: 0, count: dims.count)
            for (i, d) in dims.enumerated() { inverse[d] = i }
            tape.record(y) { [self] gy in accumulateGrad(Tensor.permuteKernel(gy, inverse), owned: true) }
        }
        return y
    }

    /// `(batch, rows, cols)` when permuting by `dims` transposes `batch` matrices of rows × cols: dims are an identity
    /// prefix, then input dims [j, n), then [k, j) (e.g. [0, 2, 1], or [0, 3, 1, 2] for [B, F, C, HW] → [B, HW, F, C]).
    static func batchedTranspose(_ shape: [Int], _ dims: [Int]) -> (batch: Int, rows: Int, cols: Int)? {
        let n = dims.count
        var k = 0
        while k < n && dims[k] == k { k += 1 }
        guard k < n - 1, let j = dims[k...].first, j > k else { return nil }
        // dims[k...] must be j, j+1, …, n−1, k, k+1, …, j−1.
        let expected = Array(j..<n) + Array(k..<j)
        guard Array(dims[k...]) == expected else { return nil }
        return (shape[..<k].reduce(1, *), shape[k..<j].reduce(1, *), shape[j...].reduce(1, *))
    }

    static func permuteKernel(_ x: Tensor, _ dims: [Int]) -> Tensor {
        let outShape = dims.map { x.shape[$0] }
        let y = Tensor(shape: outShape)
        if Kernels.hasAVX2, let (batch, rows, cols) = batchedTranspose(x.shape, dims), rows >= 8, cols >= 8 {
            let (s, o) = (x.data, y.data)
            let blocks = (rows + 7) / 8
            parallelFor(batch * blocks, costPerItem: 8 * cols) { range in
                for item in range {
                    let (b, blk) = (item / blocks, item % blocks)
                    zt_transpose_avx2(s + b * rows * cols, rows, cols, o + b * rows * cols, blk * 8, min(rows, blk * 8 + 8))
                }
            }
            return y
        }
        let inStrides = x.strides
        let srcStrides = dims.map { inStrides[$0] }
        let rank = dims.count
        if rank == 0 || y.count == 0 { if y.count > 0 { y.data[0] = x.data[0] }; return y }
        let run = outShape[rank - 1], step = srcStrides[rank - 1]
        let rows = y.count / max(run, 1)
        let o = y.data, s = x.data
        let outerShape = Array(outShape.dropLast()), outerStrides = Array(srcStrides.dropLast())
        parallelFor(rows, costPerItem: run) { range in
            for r in range {
                // Source offset of row r: decompose r over the outer output dims.
                var rem = r, off = 0
                for d in stride(from: outerShape.count - 1, through: 0, by: -1) {
                    off += (rem % outerShape[d]) * outerStrides[d]
                    rem /= outerShape[d]
                }
                let dst = o + r * run
                if step == 1 { dst.update(from: s + off, count: run) } else { for i in 0..<run { dst[i] = s[off + i * step] } }
            }
        }
        return y
    }

    /// `tensors` joined along `axis` (all other dims equal).
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0]
        let ax = axis < 0 ? axis + first.rank : axis
        var outShape = first.shape
        outShape[ax] = tensors.reduce(0) { $0 + $1.shape[ax] }
        for t in tensors {
            precondition(t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == ax || t.shape[$0] == first.shape[$0] },
                         "concat: shapes \(tensors.map(\.shape)) differ outside axis \(ax)")
        }
        let outer = first.shape[..<ax].reduce(1, *)
        let inner = first.shape[(ax + 1)...].reduce(1, *)
        let y = Tensor(shape: outShape)
        let rowOut = outShape[ax] * inner
        var start = 0
        for t in tensors {
            let rowIn = t.shape[ax] * inner
            for o in 0..<outer { (y.data + o * rowOut + start).update(from: t.data + o * rowIn, count: rowIn) }
            start += rowIn
        }
        if let tape = tensors.lazy.compactMap(\.tape).first {
            tape.record(y) { gy in
                var start = 0
                for t in tensors {
                    let rowIn = t.shape[ax] * inner
                    if t.requiresGrad {
                        let g = Tensor(shape: t.shape)
                        for o in 0..<outer { (g.data + o * rowIn).update(from: gy.data + o * rowOut + start, count: rowIn) }
                        t.accumulateGrad(g, owned: true)
                    }
                    start += rowIn
                }
            }
        }
        return y
    }

    /// Pieces of `sizes` along `axis` (the sizes must add up to the dim).
    public func split(_ sizes: [Int], axis: Int) -> [Tensor] {
        let ax = axis < 0 ? axis + rank : axis
        precondition(sizes.reduce(0, +) == shape[ax], "split: sizes \(sizes) do not add up to \(shape[ax])")
        let outer = shape[..<ax].reduce(1, *)
        let inner = shape[(ax + 1)...].reduce(1, *)
        let rowIn = shape[ax] * inner
        var pieces: [Tensor] = []
        var start = 0
        for s in sizes {
            var ps = shape
            ps[ax] = s
            let p = Tensor(shape: ps)
            let rowOut = s * inner
            for o in 0..<outer { (p.data + o * rowOut).update(from: data + o * rowIn + start, count: rowOut) }
            if let tape {
                let offset = start
                tape.record(p) { [self] gy in
                    let g = Tensor.zeros(shape)
                    for o in 0..<outer { (g.data + o * rowIn + offset).update(from: gy.data + o * rowOut, count: rowOut) }
                    accumulateGrad(g, owned: true)
                }
            }
            pieces.append(p)
            start += rowOut
        }
        return pieces
    }

    /// Each entry of dim 0 repeated `times` times consecutively: `[N, …] → [N·times, …]` (a reference image's
    /// features broadcast to every frame). Backward sums the copies.
    public func repeatedInterleaved(_ times: Int) -> Tensor {
        let n = shape[0], inner = count / max(n, 1)
        var s = shape
        s[0] = n * times
        let y = Tensor(shape: s)
        for i in 0..<n { for r in 0..<times { (y.data + (i * times + r) * inner).update(from: data + i * inner, count: inner) } }
        if let tape {
            tape.record(y) { [self] gy in
                let g = Tensor.zeros(shape)
                for i in 0..<n { for r in 0..<times { Kernels.addInPlace(g.data + i * inner, gy.data + (i * times + r) * inner, inner) } }
                accumulateGrad(g, owned: true)
            }
        }
        return y
    }

    // MARK: - Reductions

    /// Sum of all elements (a scalar tensor of shape `[]`), accumulated in Double.
    public func sum() -> Tensor {
        var acc = 0.0
        for i in 0..<count { acc += Double(data[i]) }
        let y = Tensor(shape: [], values: [Float(acc)])
        if let tape { tape.record(y) { [self] gy in accumulateGrad(Tensor.full(shape, gy.data[0]), owned: true) } }
        return y
    }

    /// Mean of all elements (a scalar tensor).
    public func mean() -> Tensor { sum() * (1 / Float(max(count, 1))) }

    /// Sum over `axis`, which is removed from the shape.
    public func sum(axis: Int) -> Tensor {
        let ax = axis < 0 ? axis + rank : axis
        let outer = shape[..<ax].reduce(1, *), n = shape[ax], inner = shape[(ax + 1)...].reduce(1, *)
        var s = shape
        s.remove(at: ax)
        let y = Tensor.zeros(s)
        for o in 0..<outer { for j in 0..<n { Kernels.addInPlace(y.data + o * inner, data + (o * n + j) * inner, inner) } }
        if let tape {
            tape.record(y) { [self] gy in
                let g = Tensor(shape: shape)
                for o in 0..<outer { for j in 0..<n { (g.data + (o * n + j) * inner).update(from: gy.data + o * inner, count: inner) } }
                accumulateGrad(g, owned: true)
            }
        }
        return y
    }

    /// Mean over `axis`, which is removed from the shape.
    public func mean(axis: Int) -> Tensor {
        let ax = axis < 0 ? axis + rank : axis
        return sum(axis: ax) * (1 / Float(max(shape[ax], 1)))
    }
}

extension Tensor {
    /// Each row (index along axis 0) repeated `times` times in place: `[B, …]` → `[B·times, …]`, rows
    /// `b·times ..< (b+1)·times` all equal to row b. Backward sums the copies.
    /// Matches: `torch.repeat_interleave(x, times, dim=0)`.
    public func repeatedRows(_ times: Int) -> Tensor {
        precondition(times >= 1 && rank >= 1, "repeatedRows: need a rank ≥ 1 tensor and times ≥ 1")
        if times == 1 { return self }
        let rows = shape[0], per = count / max(rows, 1)
        let y = Tensor(shape: [rows * times] + Array(shape.dropFirst()))
        for b in 0..<rows {
            for k in 0..<times { (y.data + (b * times + k) * per).update(from: data + b * per, count: per) }
        }
        if let tape {
            tape.record(y) { [self] gy in
                let g = Tensor.zeros(shape)
                for b in 0..<rows {
                    let dst = g.data + b * per
                    for k in 0..<times {
                        let src = gy.data + (b * times + k) * per
                        for i in 0..<per { dst[i] += src[i] }
                    }
                }
                accumulateGrad(g, owned: true)
            }
        }
        return y
    }
}
