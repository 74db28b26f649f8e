import ArgumentParser
import Foundation
import Imaging
import Media

/// `zoetrope bench export`: clip export (MP4, GIF, PNG sequence) beside the ffmpeg command line, same frames, same run.
struct BenchExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Time MP4, GIF and PNG-sequence export of a synthetic clip beside the ffmpeg CLI.",
        discussion: """
        The clip is a moving smooth pattern (SyntheticClip: gradient, walking figure, swinging arm), not noise.
        Zoetrope is timed in-process; ffmpeg is timed as a process reading the same raw RGB frames from a pipe
        (its start-up, ~tens of ms, is included). Each figure is the median of --repeats runs.
        MP4 peer:  ffmpeg -f rawvideo -pix_fmt rgb24 -s WxH -r FPS -i - -c:v libx264 -preset veryfast -crf 18
                   -pix_fmt yuv420p -movflags +faststart out.mp4
        GIF peer:  ... -filter_complex split,palettegen,paletteuse=dither=none out.gif
        PNG peer:  ... -pred mixed -f image2 frame_%05d.png   (per-row adaptive filters like libpng's, so the
                   files are the same size; ffmpeg's default -pred none writes files 4.4× larger)

        Example:
          zoetrope bench export --frames 48 --size 256
        """
    )

    @Option(help: "Frames in the clip.")
    var frames: Int = 48

    @Option(help: "Width and height of the clip.")
    var size: Int = 256

    @Option(help: "Frames per second.")
    var fps: Int = 12

    @Option(help: "Runs per measurement (the median is printed).")
    var repeats: Int = 3

    @Option(help: ArgumentHelp("Also write the clip's frames as PNGs into this new folder (for trying other tools).",
                               valueName: "DIR"))
    var saveFrames: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...10_000).contains(frames) else { throw ValidationError("--frames must be from 1 to 10000") }
        guard (2...4096).contains(size) else { throw ValidationError("--size must be from 2 to 4096") }
        guard (1...120).contains(fps) else { throw ValidationError("--fps must be from 1 to 120") }
        guard (1...50).contains(repeats) else { throw ValidationError("--repeats must be from 1 to 50") }
    }

    func run() throws {
        try global.apply()
        let clip = SyntheticClip.make(frameCount: frames, width: size, height: size)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zoetrope-bench-export-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        if let saveFrames {
            _ = try ClipExporter.export(clip, to: URL(fileURLWithPath: saveFrames), options: ClipOptions(format: .pngSequence))
        }
        var raw = [UInt8]()
        raw.reserveCapacity(frames * size * size * 3)
        for frame in clip { raw.append(contentsOf: frame.pixels) }
        let ffmpeg = Self.which("ffmpeg")

        print("clip: \(frames) frames, \(size)×\(size), \(fps) fps (synthetic moving pattern); median of \(repeats) runs")
        print("wall-clock times, then CPU time (user+sys); the machine may be shared, CPU time is the steadier figure")
        print("format        zoetrope        ffmpeg CLI      ratio (ffmpeg / zoetrope)   zoetrope output")
        let input = ["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                     "-s", "\(size)x\(size)", "-r", "\(fps)", "-i", "-"]
        let cases: [(String, ClipFormat, String, [String])] = [
            ("mp4 (h264)", .mp4, "clip.mp4",
             ["-c:v", "libx264", "-preset", "veryfast", "-crf", "\(ClipOptions.defaultQuality)", "-pix_fmt", "yuv420p",
              "-movflags", "+faststart"]),
            ("gif", .gif, "clip.gif",
             ["-filter_complex", "[0:v]split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=none"]),
            ("png sequence", .pngSequence, "frames", ["-pred", "mixed", "-f", "image2"]),
        ]
        for (name, format, file, peerArguments) in cases {
            var ours: [Double] = [], oursCPU: [Double] = []
            var bytes = 0
            for run in 0..<repeats {
                let url = folder.appendingPathComponent("z\(run)-\(file)")
                var options = ClipOptions(format: format)
                options.fps = fps
                let start = DispatchTime.now().uptimeNanoseconds
                let cpuStart = Self.cpuSeconds(RUSAGE_SELF)
                _ = try ClipExporter.export(clip, to: url, options: options)
                ours.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                oursCPU.append(Self.cpuSeconds(RUSAGE_SELF) - cpuStart)
                bytes = Self.size(of: url)
            }
            var peer: [Double] = [], peerCPU: [Double] = []
            if let ffmpeg {
                for run in 0..<repeats {
                    var target = folder.appendingPathComponent("f\(run)-\(file)")
                    if format == .pngSequence {
                        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                        target = target.appendingPathComponent("frame_%05d.png")
                    }
                    let start = DispatchTime.now().uptimeNanoseconds
                    let cpuStart = Self.cpuSeconds(RUSAGE_CHILDREN)
                    try Self.runPeer(ffmpeg, input + peerArguments + [target.path], stdin: raw)
                    peer.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                    peerCPU.append(Self.cpuSeconds(RUSAGE_CHILDREN) - cpuStart)
                }
            }
            let zt = Self.median(ours)
            let peerText = peer.isEmpty ? "not found" : String(format: "%7.1f ms", 1000 * Self.median(peer))
            let ratio = peer.isEmpty ? "-" : String(format: "%.2f×", Self.median(peer) / zt)
            let ours_ = String(format: "%7.1f ms", 1000 * zt)
            print(Self.pad(name, 14) + Self.pad(ours_, 16) + Self.pad(peerText, 16) + Self.pad(ratio, 28) + "\(bytes / 1024) KiB")
            let cpu = String(format: "%7.1f ms", 1000 * Self.median(oursCPU))
            let peerCPUText = peerCPU.isEmpty ? "-" : String(format: "%7.1f ms", 1000 * Self.median(peerCPU))
            let cpuRatio = peerCPU.isEmpty ? "-" : String(format: "%.2f×", Self.median(peerCPU) / max(1e-9, Self.median(oursCPU)))
            print(Self.pad("  cpu time", 14) + Self.pad(cpu, 16) + Self.pad(peerCPUText, 16) + cpuRatio)
        }
    }

    /// User + system CPU seconds of this process (RUSAGE_SELF) or of its waited-for children (RUSAGE_CHILDREN).
    static func cpuSeconds(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(who.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    static func size(of url: URL) -> Int {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return 0 }
        if !isFolder.boolValue {
            return ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.reduce(0) { $0 + size(of: url.appendingPathComponent($1)) }
    }

    static func which(_ tool: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func runPeer(_ tool: String, _ arguments: [String], stdin bytes: [UInt8]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardInput = pipe
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        pipe.fileHandleForWriting.write(Data(bytes))
        try pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw ValidationError("peer \(tool) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)")
        }
    }
}
