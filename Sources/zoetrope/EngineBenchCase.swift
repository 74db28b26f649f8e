import Engine
import Foundation

/// One benchmarked operation: how to build its inputs, run it, and the GEMMs it is equivalent to.
/// The same names and shapes are defined in bench/engine_torch.py.
struct EngineBenchCase {
    /// Name shared with the PyTorch script.
    let name: String
    /// FLOPs of the forward pass (0: not GEMM-shaped).
    let forwardFlops: Double
    /// Builds fresh inputs (watched on `tape` when given) and returns a closure computing the output.
    let make: (inout Philox) -> (inputs: [Tensor], run: ([Tensor]) -> Tensor)
    /// GEMMs (m, n, k, count) of the forward and backward passes, for the bare-sgemm column.
    let gemmForward: [(Int, Int, Int, Int)]
    let gemmBackward: [(Int, Int, Int, Int)]

    var backwardFlops: Double { 2 * forwardFlops }

    struct Result { var forwardMs: Double; var backwardMs: Double; var gemmForwardMs: Double?; var gemmBackwardMs: Double? }

    /// Best-of-`repeats` times; each repetition times ours and then the bare GEMMs back to back, so both see the
    /// same machine load (other processes on a shared machine).
    func measure(repeats: Int) -> Result {
        var rng = Philox(seed: 1)
        let (inputs, run) = make(&rng)
        let gemmF = gemmForward.isEmpty ? nil : GemmSet(gemmForward), gemmB = gemmBackward.isEmpty ? nil : GemmSet(gemmBackward)
        func clock(_ body: () -> Void) -> Double {
            let s = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - s) / 1e6
        }
        var r = Result(forwardMs: .infinity, backwardMs: .infinity, gemmForwardMs: gemmF.map { _ in .infinity },
                       gemmBackwardMs: gemmB.map { _ in .infinity })
        var seed: Tensor?
        for rep in 0...max(1, repeats) {
            // Repetition 0 warms up (buffers, pages, BLAS threads) and is not kept. An untimed forward first puts
            // the inputs back in cache after the previous repetition's streamed GEMMs, as PyTorch's back-to-back
            // repetitions have them.
            _ = run(inputs)
            let f = clock { _ = run(inputs) }
            let gf = gemmF.map { $0.timed(clock) }
            // Backward alone: the forward pass on a fresh tape is not timed.
            let tape = Tape()
            let watched = inputs.map { $0.detached() }
            tape.watch(watched)
            let y = run(watched)
            if seed == nil { seed = rng.normal(y.shape) }
            let b = clock { tape.backward(y, seed: seed) }
            let gb = gemmB.map { $0.timed(clock) }
            guard rep > 0 else { continue }
            r.forwardMs = min(r.forwardMs, f)
            r.backwardMs = min(r.backwardMs, b)
            if let gf { r.gemmForwardMs = min(r.gemmForwardMs!, gf) }
            if let gb { r.gemmBackwardMs = min(r.gemmBackwardMs!, gb) }
        }
        return r
    }

    /// Bare cblas_sgemm calls of the given shapes (each `count` times, one after another) on random operands, with
    /// OpenBLAS's own threads (as many as the engine's). A shape repeated `count` times stands for a batch of GEMMs on
    /// distinct matrices (attention's (batch, head) pairs), so the calls cycle through distinct operand sets — as many
    /// as fit in 64 MB, at least one — instead of reusing one cache-hot set: the engine's op streams its tensors from
    /// memory, and so must the GEMMs it is compared with.
    final class GemmSet {
        let shapes: [(Int, Int, Int, Int)]
        let buffers: [[(Tensor, Tensor, Tensor)]]
        static let distinctBytes = 64 << 20
        init(_ shapes: [(Int, Int, Int, Int)]) {
            self.shapes = shapes
            var rng = Philox(seed: 2)
            buffers = shapes.map { (m, n, k, count) in
                let setBytes = 4 * (m * k + k * n + m * n)
                let sets = max(1, min(count, Self.distinctBytes / max(setBytes, 1)))
                return (0..<sets).map { _ in (rng.normal([m, k]), rng.normal([k, n]), Tensor(shape: [m, n])) }
            }
        }
        func run() {
            for ((m, n, k, count), sets) in zip(shapes, buffers) {
                ComputeThreads.withBLASThreads(ComputeThreads.width) {
                    for i in 0..<count {
                        let (a, b, c) = sets[i % sets.count]
                        Kernels.blasGemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a.data, lda: k,
                                         b: b.data, ldb: n, beta: 0, c: c.data, ldc: n)
                    }
                }
            }
        }

        /// Times `run()` and then ends OpenBLAS's workers: after a threaded call they spin in `sched_yield` for about
        /// 2^28 cycles (OpenBLAS's THREAD_TIMEOUT), which took a third of the CPU from the engine's next measurement
        /// (attention with reference tokens measured at 47 % of sgemm instead of ~90 %). A 0.4 s sleep did this
        /// before; ending the threads is certain and takes no time.
        func timed(_ clock: (() -> Void) -> Double) -> Double {
            let ms = clock { run() }
            ComputeThreads.stopBLASWorkers()
            return ms
        }
    }

    // MARK: - The model's shapes: clip of F = 16 frames, channels 64/128/256 at 64/32/16 px.

    static func conv(_ name: String, b: Int, c: Int, co: Int, hw: Int, k: Int) -> EngineBenchCase {
        let p = hw * hw, kk = c * k * k
        return EngineBenchCase(
            name: name, forwardFlops: 2 * Double(co * kk) * Double(b * p),
            make: { rng in ([rng.normal([b, c, hw, hw]), rng.normal([co, c, k, k]) * 0.05, rng.normal([co])],
                            { conv2d($0[0], $0[1], $0[2], stride: (1, 1), padding: (k / 2, k / 2)) }) },
            gemmForward: [(co, b * p, kk, 1)], gemmBackward: [(co, kk, b * p, 1), (kk, b * p, co, 1)])
    }

    static func attn(_ name: String, b: Int, lq: Int, lk: Int, c: Int, heads: Int) -> EngineBenchCase {
        let d = c / heads
        return EngineBenchCase(
            name: name, forwardFlops: 4 * Double(b * heads) * Double(lq * lk * d),
            make: { rng in ([rng.normal([b, lq, c]), rng.normal([b, lk, c]), rng.normal([b, lk, c])],
                            { attention($0[0], $0[1], $0[2], heads: heads) }) },
            gemmForward: [(lq, lk, d, b * heads), (lq, d, lk, b * heads)],
            gemmBackward: [(lk, d, lq, b * heads), (lq, lk, d, b * heads), (lq, d, lk, b * heads), (lk, d, lq, b * heads)])
    }

    static func elementwise(_ name: String, shape: [Int], _ f: @escaping (Tensor, [Tensor]) -> Tensor, extra: [[Int]] = []) -> EngineBenchCase {
        EngineBenchCase(name: name, forwardFlops: 0,
                        make: { rng in ([rng.normal(shape)] + extra.map { rng.normal($0) }, { f($0[0], Array($0.dropFirst())) }) },
                        gemmForward: [], gemmBackward: [])
    }

    static var all: [EngineBenchCase] { [
        conv("conv3x3_64px_c64", b: 16, c: 64, co: 64, hw: 64, k: 3),
        conv("conv3x3_32px_c128", b: 16, c: 128, co: 128, hw: 32, k: 3),
        conv("conv3x3_16px_c256", b: 16, c: 256, co: 256, hw: 16, k: 3),
        conv("conv3x3_model_8px_c128", b: 32, c: 128, co: 128, hw: 8, k: 3),
        conv("conv1x1_32px_c128", b: 16, c: 128, co: 128, hw: 32, k: 1),
        EngineBenchCase(name: "linear_16px_c256", forwardFlops: 2 * Double(16 * 256) * 256 * 256,
                        make: { rng in ([rng.normal([16, 256, 256]), rng.normal([256, 256]) * 0.05, rng.normal([256])],
                                        { linear($0[0], $0[1], $0[2]) }) },
                        gemmForward: [(4096, 256, 256, 1)], gemmBackward: [(4096, 256, 256, 1), (256, 256, 4096, 1)]),
        attn("attn_spatial_32px_c128", b: 16, lq: 1024, lk: 1024, c: 128, heads: 4),
        attn("attn_spatial_16px_c256", b: 16, lq: 256, lk: 256, c: 256, heads: 8),
        attn("attn_reference_16px_c256", b: 16, lq: 256, lk: 512, c: 256, heads: 8),
        attn("attn_cross_16px_c256", b: 16, lq: 256, lk: 16, c: 256, heads: 8),
        attn("attn_temporal_32px_c128", b: 1024, lq: 16, lk: 16, c: 128, heads: 4),
        attn("attn_model_ref16_c64", b: 32, lq: 256, lk: 512, c: 64, heads: 4),
        attn("attn_model_ref8_c128", b: 32, lq: 64, lk: 128, c: 128, heads: 4),
        elementwise("groupnorm_64px_c64", shape: [16, 64, 64, 64], { x, p in groupNorm(x, groups: 32, weight: p[0], bias: p[1]) }, extra: [[64], [64]]),
        elementwise("groupnorm_32px_c128", shape: [16, 128, 32, 32], { x, p in groupNorm(x, groups: 32, weight: p[0], bias: p[1]) }, extra: [[128], [128]]),
        elementwise("layernorm_16px_c256", shape: [16, 256, 256], { x, p in layerNorm(x, weight: p[0], bias: p[1]) }, extra: [[256], [256]]),
        elementwise("silu_64px_c64", shape: [16, 64, 64, 64], { x, _ in x.silu() }),
        elementwise("gelu_16px_c1024", shape: [16, 256, 1024], { x, _ in x.gelu() }),
        elementwise("softmax_rows1024", shape: [8, 1024, 1024], { x, _ in x.softmax() }),
        elementwise("upsample2x_32px_c128", shape: [16, 128, 32, 32], { x, _ in upsampleNearest(x, factor: 2) }),
        elementwise("avgpool2x_64px_c64", shape: [16, 64, 64, 64], { x, _ in averagePool(x, factor: 2) }),
    ] }
}
