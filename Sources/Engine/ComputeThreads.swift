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

    /// Sets OpenBLAS's thread count and the engine's parallel-loop width. `n` must be ≥ 1.
    public static func set(_ n: Int) {
        precondition(n >= 1, "ComputeThreads.set: thread count must be at least 1, got \(n)")
        zt_openblas_set_threads(Int32(n))
        loopWidthLock.withLock { loopWidth = n }
    }

    /// OpenBLAS's current thread count.
    public static var current: Int { Int(zt_openblas_get_threads()) }

    /// The engine's parallel-loop width (the value last given to `set(_:)`, 1 before).
    public static var width: Int { loopWidthLock.withLock { loopWidth } }

    /// Runs `body` with OpenBLAS on one thread (restoring the count after), for loops that parallelise over many
    /// small GEMMs themselves: each worker's GEMM then runs on its own core instead of contending for BLAS threads.
    package static func withSingleThreadedBLAS<T>(_ body: () throws -> T) rethrows -> T {
        let saved = current
        if saved > 1 { zt_openblas_set_threads(1) }
        defer { if saved > 1 { zt_openblas_set_threads(Int32(saved)) } }
        return try body()
    }

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
            if start < end { box.value(start..<end) }
        }
    }
}

/// Carries a value into a `@Sendable` closure; the caller guarantees the parallel uses touch disjoint memory.
package struct UncheckedSendable<T>: @unchecked Sendable {
    /// The wrapped value.
    package let value: T
    /// Wraps `value`.
    package init(_ value: T) { self.value = value }
}
