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
}
