import COpenBLAS

/// How many CPU threads the engine uses: OpenBLAS's thread count and the width of the engine's parallel loops.
public enum ComputeThreads {
    /// Environment variable that supplies the default when `--threads` is not given.
    public static let environmentKey = "ZOETROPE_THREADS"

    /// Sets OpenBLAS's thread count (and the engine's parallel-loop width). `n` must be ≥ 1.
    public static func set(_ n: Int) {
        precondition(n >= 1, "ComputeThreads.set: thread count must be at least 1, got \(n)")
        zt_openblas_set_threads(Int32(n))
    }

    /// OpenBLAS's current thread count.
    public static var current: Int { Int(zt_openblas_get_threads()) }

    /// OpenBLAS's build description (kernel, threading), for `--version` and benchmarks.
    public static var blasConfig: String { String(cString: zt_openblas_config()) }
}
