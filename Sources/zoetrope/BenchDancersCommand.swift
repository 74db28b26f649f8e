import ArgumentParser
import Dancers
import Foundation

/// `zoetrope bench dancers`: frames per second of the Dancers renderer, in memory (no files).
struct BenchDancersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dancers",
        abstract: "Dancers rendering speed in frames/s (in memory, with motion blur); target ≥ 300 at 64×64, 8 sub-frames, 2 cores.")

    @Option(name: .long, help: "Frame size in pixels.") var size: Int = 64
    @Option(name: .long, help: "Motion-blur sub-frames.") var subframes: Int = 8
    @Option(name: .long, help: "Clips to render.") var clips: Int = 40
    @Option(name: .long, help: "Frames per clip.") var frames: Int = 16
    @OptionGroup var global: GlobalOptions

    /// User + system CPU seconds of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    func run() throws {
        try global.apply()
        var c = SynthConfiguration()
        c.width = size; c.height = size; c.subframes = subframes; c.frames = frames; c.identities = 64
        let generator: DancerGenerator
        do { generator = try DancerGenerator(c) } catch { throw ValidationError(error.description) }
        _ = generator.clip(0)  // warm-up
        let cpu0 = Self.cpuSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        var checksum = 0
        for clip in generator.stream(1...clips) { checksum &+= Int(clip.frames[0].image.pixels[0]) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let fps = Double(clips * frames) / seconds
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let cpu = Self.cpuSeconds() - cpu0
        // Frames per CPU-second × cores: what the run would reach on otherwise idle cores (the wall figure
        // drops when other processes share the machine).
        let idle = cpu > 0 ? Double(clips * frames) / cpu * Double(cores) : 0
        print("dancers: \(clips * frames) frames \(size)×\(size), \(subframes) sub-frames, "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores: \(String(format: "%.1f", fps)) frames/s "
              + "(target 300; no external peer); CPU time \(String(format: "%.2f", cpu)) s → "
              + "\(String(format: "%.0f", idle)) frames/s on \(cores) idle cores [checksum \(checksum)]")
    }
}
