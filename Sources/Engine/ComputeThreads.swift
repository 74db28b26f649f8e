import COpenBLAS
import Dispatch
import Foundation

/// How many CPU threads the engine uses: OpenBLAS's thread count and the width of the engine's parallel loops.
public enum ComputeThreads {
    /// Environment variable that supplies the default when `--threads` is not given.
    public static let environmentKey = "ZOETROPE_THREADS"

    /// Width of the engine's own parallel loops; written by `set(_:)`, read by `parallelFor` on any thread, so every
    /// access holds `loopWidthLock` (a plain static would be a data race when `set` runs while an engine thread
    /// computes — the thread sanitizer reports it).
    nonisolated(unsafe) private static var loopWidth = 1
    private static let loopWidthLock = NSLock()

    /// Sets the engine's thread count: the width of its parallel loops, which also split large GEMMs (`Kernels.gemm`).
    /// OpenBLAS itself stays on one thread: its idle workers spin in `sched_yield` for ~0.1 s after every call,
    /// stealing the cores the engine's own loops need between GEMMs (a fifth of a generation profile on 2 cores).
    /// `n` must be ≥ 1.
    public static func set(_ n: Int) {
        precondition(n >= 1, "ComputeThreads.set: thread count must be at least 1, got \(n)")
        zt_openblas_set_threads(1)
        loopWidthLock.withLock { loopWidth = n }
    }

    /// The engine's parallel-loop width (the value last given to `set(_:)`, 1 before).
    public static var width: Int { loopWidthLock.withLock { loopWidth } }

    /// OpenBLAS pinned to one thread, once, before the engine's first GEMM: its default (all cores) would otherwise
    /// apply in processes that never call `set(_:)` (tests, embedders), and its threaded driver rounds differently.
    package static let openBLASPinned: Bool = {
        zt_openblas_set_threads(1)
        return true
    }()

    /// Runs `body` with OpenBLAS's own threading at `n` threads (restoring one thread after): the peer that
    /// benchmarks compare the engine's GEMMs with.
    package static func withBLASThreads<T>(_ n: Int, _ body: () throws -> T) rethrows -> T {
        _ = openBLASPinned
        zt_openblas_set_threads(Int32(n))
        defer { zt_openblas_set_threads(1) }
        return try body()
    }

    /// Ends OpenBLAS's worker threads after `withBLASThreads`, so that their idle spinning (sched_yield for about
    /// 2^28 cycles, OpenBLAS's THREAD_TIMEOUT) does not take the cores from whatever is timed next; the next threaded
    /// call starts them again.
    package static func stopBLASWorkers() { zt_openblas_stop_workers() }

    /// OpenBLAS's build description (kernel, threading), for `--version` and benchmarks.
    public static var blasConfig: String { String(cString: zt_openblas_config()) }
}

/// Runs `body(range)` over `0..<count` split into at most `ComputeThreads.width` contiguous chunks, in parallel.
///
/// Each index is handled by exactly one chunk and the body must compute each output from its index alone, so
/// results do not depend on the thread count. Small loops (`count * costPerItem < 32_768`) run inline.
@inline(__always)
package func parallelFor(_ count: Int, costPerItem: Int = 1, width requested: Int? = nil, _ body: (Range<Int>) -> Void) {
    let width = min(requested ?? ComputeThreads.width, count)
    if width <= 1 || count &* costPerItem < 32_768 {
        if count > 0 { body(0..<count) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: width) { chunk in
            let start = count * chunk / width
            let end = count * (chunk + 1) / width
            if start < end { ParallelRegion.run { box.value(start..<end) } }
        }
    }
}

/// Marks the threads that run a chunk of a parallel loop, so that work inside (a GEMM) does not split again.
package enum ParallelRegion {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// True on a thread that is running a chunk of `parallelFor`.
    package static var isInside: Bool { pthread_getspecific(key) != nil }

    /// Runs `body` marked as inside a parallel region.
    @inline(__always)
    package static func run<T>(_ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(key, previous) }
        return try body()
    }
}

/// Carries a value into a `@Sendable` closure; the caller guarantees the parallel uses touch disjoint memory.
package struct UncheckedSendable<T>: @unchecked Sendable {
    /// The wrapped value.
    package let value: T
    /// Wraps `value`.
    package init(_ value: T) { self.value = value }
}
