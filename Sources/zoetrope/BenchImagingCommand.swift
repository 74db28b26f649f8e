import ArgumentParser
import Foundation
import Imaging

/// `zoetrope bench imaging`: resampling and SSIM beside Pillow and scikit-image, timed in the same run.
struct BenchImaging: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imaging",
        abstract: "Time Lanczos/bilinear downscaling and SSIM beside Pillow and scikit-image, same image, same run.",
        discussion: """
        The peer runs in a Python with Pillow and scikit-image (--python, else $ZOETROPE_PYTHON, else .venv/bin/python,
        else python3). Each figure is the best of --repeat runs; the ratio is peer time / Zoetrope time (> 1: faster).
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Side of the square source image.")
    var size: Int = 1024

    @Option(help: "Side of the downscaled image.")
    var to: Int = 256

    @Option(help: "Runs per measurement (the best is reported).")
    var `repeat`: Int = 5

    @Option(help: "Python interpreter with Pillow and scikit-image for the peer figures.")
    var python: String?

    func validate() throws {
        guard (16...8192).contains(size) else { throw ValidationError("--size must be 16...8192, got \(size)") }
        guard (11...size).contains(to) else { throw ValidationError("--to must be 11...\(size), got \(to)") }
        guard (1...100).contains(`repeat`) else { throw ValidationError("--repeat must be 1...100, got \(`repeat`)") }
    }

    func run() throws {
        try global.apply()
        let source = Self.testImage(side: size)
        let small = source.resized(width: to, height: to, filter: .lanczos3)
        let distorted = Self.addNoise(small)

        var ours: [(String, Double)] = []
        ours.append(("lanczos3 \(size)→\(to)", best { _ = source.resized(width: to, height: to, filter: .lanczos3) }))
        ours.append(("bilinear \(size)→\(to)", best { _ = source.resized(width: to, height: to, filter: .bilinear) }))
        ours.append(("ssim \(to)×\(to)", best { _ = try? ImageMetrics.ssim(small, distorted) }))

        let peer = runPeer(source: source, small: small, distorted: distorted)
        print("operation".padding(toLength: 22, withPad: " ", startingAt: 0) + "zoetrope ms   peer ms   ratio")
        for (index, (name, ms)) in ours.enumerated() {
            let peerMs = peer.times.count == ours.count ? peer.times[index] : nil
            let peerText = peerMs.map { String(format: "%9.2f", $0) } ?? "        —"
            let ratio = peerMs.map { String(format: "%6.2fx", $0 / ms) } ?? "      —"
            print(name.padding(toLength: 22, withPad: " ", startingAt: 0)
                  + String(format: "%11.2f", ms) + " " + peerText + "  " + ratio)
        }
        print("peer: \(peer.description)")
    }

    /// Best wall time of `repeat` runs, in milliseconds.
    private func best(_ body: () -> Void) -> Double {
        body()
        let clock = ContinuousClock()
        var fastest = Duration.seconds(1_000_000)
        for _ in 0..<`repeat` { fastest = min(fastest, clock.measure(body)) }
        let (seconds, attoseconds) = fastest.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// A deterministic photo-like test image: smooth gradients plus fine detail.
    static func testImage(side: Int) -> RGBImage {
        var image = RGBImage(width: side, height: side)
        for y in 0..<side {
            for x in 0..<side {
                let u = Double(x) / Double(side), v = Double(y) / Double(side)
                let r = 127.5 + 127.5 * sin(12 * u + 3 * v), g = 127.5 + 127.5 * cos(9 * v - 4 * u * u)
                let b = Double((x * 7 + y * 13) % 256)
                image[x, y] = RGB(UInt8(r.rounded()), UInt8(g.rounded()), UInt8(b))
            }
        }
        return image
    }

    /// The image with deterministic ±12 noise (clamped).
    static func addNoise(_ image: RGBImage) -> RGBImage {
        var out = image
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for i in out.pixels.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let delta = Int(state >> 59) - 16
            out.pixels[i] = UInt8(max(0, min(255, Int(out.pixels[i]) + delta)))
        }
        return out
    }

    private static let peerScript = """
    import sys, time, numpy as np
    from PIL import Image
    from skimage.metrics import structural_similarity
    def load(p):
        d = open(p, 'rb').read(); parts = d.split(b'\\n', 3); w, h = map(int, parts[1].split())
        return np.frombuffer(parts[3], np.uint8).reshape(h, w, 3)
    src, small, dist = Image.fromarray(load(sys.argv[1])), load(sys.argv[2]), load(sys.argv[3])
    to, rep = int(sys.argv[4]), int(sys.argv[5])
    def best(f):
        f(); t = 1e9
        for _ in range(rep):
            s = time.perf_counter(); f(); t = min(t, time.perf_counter() - s)
        return t * 1000
    a, b = small.astype(np.float64) / 255, dist.astype(np.float64) / 255
    print(best(lambda: src.resize((to, to), Image.Resampling.LANCZOS)),
          best(lambda: src.resize((to, to), Image.Resampling.BILINEAR)),
          best(lambda: structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                             data_range=1, channel_axis=2)))
    import PIL, skimage; print('Pillow', PIL.__version__, 'scikit-image', skimage.__version__)
    """

    /// Runs the Python peer on the same images; on any failure, says why instead of failing the benchmark.
    private func runPeer(source: RGBImage, small: RGBImage, distorted: RGBImage) -> (times: [Double], description: String) {
        let env = ProcessInfo.processInfo.environment
        let candidates = [python, env["ZOETROPE_PYTHON"], ".venv/bin/python", "/work/venv/bin/python"].compactMap { $0 }
        let interpreter = candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/python3"
        do {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoetrope-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let files = ["source.ppm", "small.ppm", "distorted.ppm"].map { dir.appendingPathComponent($0) }
            for (image, url) in zip([source, small, distorted], files) { try image.ppmData().write(to: url) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: interpreter)
            process.arguments = ["-c", Self.peerScript] + files.map(\.path) + [String(to), String(`repeat`)]
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
            guard process.terminationStatus == 0, lines.count >= 2 else {
                let reason = errorText.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"
                return ([], "unavailable (\(interpreter): \(reason)); install Pillow and scikit-image or pass --python")
            }
            let times = lines[0].split(separator: " ").compactMap { Double($0) }
            return (times, "\(lines[1]) via \(interpreter)")
        } catch {
            return ([], "unavailable (\(interpreter): \(error.localizedDescription)); pass --python")
        }
    }
}
