import Engine
import Foundation
import Imaging
import Testing

/// The engine's parallel loops: every index once, results independent of the width, and the engine thread's loops
/// running beside other threads' (the thread-sanitizer run, `make tsan`, executes these).
@Suite("Compute threads: parallel loops")
struct ComputeThreadsTests {
    @Test("parallelFor hands every index to exactly one chunk, in order, for any width and count",
          arguments: [1, 2, 3, 5, 8])
    func coversEveryIndexOnce(width: Int) {
        for count in [0, 1, 2, 7, 64, 1000, 40_000] {
            let hits = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(count, 1))
            defer { hits.deallocate() }
            hits.initialize(repeating: 0)
            let chunks = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2 * width + 2)
            defer { chunks.deallocate() }
            chunks.initialize(repeating: -1)
            let lock = NSLock()
            var chunkCount = 0
            // costPerItem large enough that even small counts really run in parallel.
            parallelFor(count, costPerItem: 1 << 16, width: width) { range in
                for i in range { hits[i] += 1 }
                lock.withLock {
                    chunks[2 * chunkCount] = range.lowerBound
                    chunks[2 * chunkCount + 1] = range.upperBound
                    chunkCount += 1
                }
            }
            #expect(hits.prefix(count).allSatisfy { $0 == 1 }, "count \(count) width \(width)")
            #expect(chunkCount <= max(1, min(width, count)))
            let ranges = (0..<chunkCount).map { chunks[2 * $0]..<chunks[2 * $0 + 1] }.sorted { $0.lowerBound < $1.lowerBound }
            #expect(ranges.reduce(0) { $0 + $1.count } == count)
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        }
    }

    @Test("random normals do not depend on the loop width")
    func normalsIndependentOfWidth() {
        let count = 100_003
        let a = UnsafeMutablePointer<Float>.allocate(capacity: count), b = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { a.deallocate(); b.deallocate() }
        let rng = Philox(seed: 9)
        rng.fillNormal(a, count: count, width: 1)
        rng.fillNormal(b, count: count, width: 4)
        #expect((0..<count).allSatisfy { a[$0] == b[$0] })
        #expect(a[0] != a[1])
    }

    @Test("two sessions computing at once on their own threads, with two-wide parallel loops, give the frames of one alone")
    func concurrentSessions() throws {
        let saved = ComputeThreads.width
        ComputeThreads.set(2)
        defer { ComputeThreads.set(saved) }
        let net = try AnimatorNetwork.loadCheckpoint(
            path: EngineTestSupport.fixtures.appendingPathComponent("animator_tiny.safetensors").path)
        let other = try AnimatorNetwork.loadCheckpoint(
            path: EngineTestSupport.fixtures.appendingPathComponent("animator_tiny.safetensors").path)
        let request = ClipGeneratorTests.request(net, frames: 8, steps: 3)
        let alone = try #require(try ClipGenerator(network: net).run(request) { _, _, _ in true })
        let probeA = SessionProbe(), probeB = SessionProbe()
        let a = GenerationSession(network: net) { probeA.handle($0) }
        let b = GenerationSession(network: other) { probeB.handle($0) }
        let idA = a.submit(request), idB = b.submit(request)
        #expect(probeA.waitForEnd(idA) && probeB.waitForEnd(idB))
        a.shutDown()
        b.shutDown()
        #expect(probeA.frames(idA) == alone)
        #expect(probeB.frames(idB) == alone)
    }

    @Test("a GEMM's cut into pieces depends on its shape alone; pieces tile the rows or columns")
    func gemmSplitTiles() {
        for (m, n, k) in [(24, 1000, 60), (301, 40, 90), (37, 517, 33), (5, 7, 3), (128, 65_536, 1152), (4096, 64, 64), (64, 100, 4096)] {
            let split = Kernels.GemmSplit(m: m, n: n, k: k)
            let ranges = (0..<split.pieces).map { split.range($0, m: m, n: n) }
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == (split.byColumns ? n : m), "m \(m) n \(n) k \(k)")
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound && !a.isEmpty) }
            if split.byColumns { #expect(ranges.dropLast().allSatisfy { $0.upperBound % 16 == 0 }) }
        }
        #expect(Kernels.GemmSplit(m: 128, n: 65_536, k: 1152).pieces == 6)
        #expect(Kernels.GemmSplit(m: 5, n: 7, k: 3).pieces == 1)
    }

    @Test("GEMMs split across threads (by columns or rows, any transposition, β, leading dimensions) equal the one-thread GEMM bit for bit and a naive product",
          arguments: [(false, false), (true, false), (false, true), (true, true)])
    func splitGemm(trans: (Bool, Bool)) {
        let (transA, transB) = trans
        // (m, n, k): wide (column split), tall (row split), odd sizes, and one too small to split.
        for (m, n, k) in [(24, 1000, 60), (301, 40, 90), (37, 517, 33), (5, 7, 3)] {
            let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5
            var rng = Philox(seed: UInt64(m * 31 + n))
            let a = rng.normal([(transA ? k : m) * lda]).values, b = rng.normal([(transB ? n : k) * ldb]).values
            let c0 = rng.normal([m * ldc]).values
            // The thread count is passed, not set globally: other suites run at the same time.
            func run(width: Int) -> [Float] {
                var c = c0
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    Kernels.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: lda,
                                 b: bp.baseAddress!, ldb: ldb, beta: 0.25, c: cp.baseAddress!, ldc: ldc, threads: width)
                } } }
                return c
            }
            let one = run(width: 1)
            for width in [2, 3, 4, 6] { #expect(run(width: width) == one, "m \(m) n \(n) k \(k) on \(width) threads") }
            var worst: Float = 0, scale: Float = 0
            for i in 0..<m {
                for j in 0..<ldc {
                    var expected = c0[i * ldc + j]
                    if j < n {
                        var sum: Double = 0
                        for p in 0..<k {
                            let av = transA ? a[p * lda + i] : a[i * lda + p], bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                            sum += Double(av) * Double(bv)
                        }
                        expected = Float(0.5 * sum + 0.25 * Double(c0[i * ldc + j]))
                    }
                    worst = max(worst, abs(one[i * ldc + j] - expected))
                    scale = max(scale, abs(expected))
                }
            }
            #expect(worst <= 1e-5 * scale, "m \(m) n \(n) k \(k): max error \(worst)")
        }
    }

    @Test("the AVX2 softmax row (when the CPU has it) equals the portable Swift one within float rounding, tails included")
    func softmaxKernels() {
        for n in [1, 2, 7, 8, 9, 16, 31, 513] {
            var rng = Philox(seed: UInt64(n))
            let x = (rng.normal([n]) * 6).values + (n > 4 ? [-200, 90] : [])  // extreme logits clamp the same way
            var a = x, b = x
            a.withUnsafeMutableBufferPointer { Kernels.softmaxRow($0.baseAddress!, $0.count) }
            b.withUnsafeMutableBufferPointer { Kernels.softmaxRowPortable($0.baseAddress!, $0.count) }
            #expect(abs(a.reduce(0, +) - 1) < 1e-5, "n \(n)")
            for i in x.indices { #expect(abs(a[i] - b[i]) <= 2e-6 * max(b[i], 1e-30) + 1e-12, "n \(n) i \(i): \(a[i]) vs \(b[i])") }
        }
    }

    @Test("the AVX2 SiLU/GELU kernels and their backward (when the CPU has them) equal the portable Swift loops, tails included")
    func activationKernels() {
        typealias Forward = (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
        typealias Backward = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
        let forwards: [(String, Forward, Forward)] = [("silu", Kernels.silu, Kernels.siluPortable), ("gelu", Kernels.gelu, Kernels.geluPortable)]
        let backwards: [(String, Backward, Backward)] = [("silu'", Kernels.siluBackward, Kernels.siluBackwardPortable),
                                                         ("gelu'", Kernels.geluBackward, Kernels.geluBackwardPortable)]
        for n in [1, 7, 8, 9, 31, 1000] {
            var rng = Philox(seed: UInt64(n) + 7)
            let x = (rng.normal([n]) * 4).values + (n > 8 ? [-95, 95, 0] : []), gy = rng.normal([x.count]).values
            func close(_ a: [Float], _ b: [Float], _ what: String) {
                for i in a.indices { #expect(abs(a[i] - b[i]) <= 1e-5 * max(abs(b[i]), 1) , "\(what) n \(n) x \(x[i]): \(a[i]) vs \(b[i])") }
            }
            for (name, fast, portable) in forwards {
                var a = [Float](repeating: .nan, count: x.count), b = a
                a.withUnsafeMutableBufferPointer { fast(x, $0.baseAddress!, x.count) }
                b.withUnsafeMutableBufferPointer { portable(x, $0.baseAddress!, x.count) }
                close(a, b, name)
            }
            for (name, fast, portable) in backwards {
                var a = [Float](repeating: .nan, count: x.count), b = a
                a.withUnsafeMutableBufferPointer { fast(x, gy, $0.baseAddress!, x.count) }
                b.withUnsafeMutableBufferPointer { portable(x, gy, $0.baseAddress!, x.count) }
                close(a, b, name)
            }
        }
    }
}
