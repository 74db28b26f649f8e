import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Makes OpenBLAS use the fastest kernels the CPU has.
///
/// Debian's OpenBLAS is a DYNAMIC_ARCH build: it picks its kernels from the CPU model when the library loads. On CPUs
/// newer than the library (0.3.21 on Debian 12 does not know Sapphire Rapids; many hypervisors report an unknown
/// model) it falls back to "Prescott" — SSE3 kernels, about half the speed of the AVX2 ones and a third of the
/// AVX-512 ones on this workload. The choice is made before `main` runs and can only be changed by the
/// `OPENBLAS_CORETYPE` environment variable, so when the chosen family is weaker than what the CPU's feature flags
/// allow, the program sets that variable and executes itself again (once; an explicit `OPENBLAS_CORETYPE` is left alone).
enum OpenBLASKernels {
    /// The kernel family the CPU supports, from the Linux feature flags: AVX-512 → SkylakeX, AVX2+FMA → Haswell.
    static func recommended(flags: Set<Substring>) -> String? {
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// How capable a kernel family is (0 = SSE-era or unknown).
    static func rank(_ core: String) -> Int {
        switch core.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": 3
        case "haswell", "zen", "skylake": 2
        case "sandybridge": 1
        default: 0
        }
    }

    /// The CPU's feature flags from /proc/cpuinfo (empty where it cannot be read).
    static func cpuFlags() -> Set<Substring> {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            if text.hasPrefix("flags") {
                guard let colon = text.firstIndex(of: ":") else { return [] }
                return Set(text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }))
            }
        }
        return []
    }

    /// Re-executes this program with `OPENBLAS_CORETYPE` set when OpenBLAS chose weaker kernels than the CPU allows.
    /// Returns normally when nothing needs doing or the re-execution is impossible.
    static func upgradeIfNeeded() {
        guard getenv("OPENBLAS_CORETYPE") == nil, let name = zt_openblas_corename() else { return }
        let current = String(cString: name)
        guard let best = recommended(flags: cpuFlags()), rank(best) > rank(current) else { return }
        setenv("OPENBLAS_CORETYPE", best, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returned: it failed; carry on with the kernels we have.
    }
}
