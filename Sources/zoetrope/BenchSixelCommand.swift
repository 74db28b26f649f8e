import ArgumentParser
import Foundation
import Imaging
import Preview

/// `zoetrope bench sixel`: Zoetrope's sixel encoder beside libsixel's `sixel_encode`, same frames, same process.
struct BenchSixelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sixel",
        abstract: "Time Zoetrope's sixel encoder against libsixel (img2sixel's defaults) on the same photographs.",
        discussion: """
        Both encoders get the same 8-bit RGB pixels; both outputs are decoded by libsixel's sixel_decode_raw and
        compared with the input (PSNR). libsixel is loaded at run time (dlopen libsixel.so.1) and is not a dependency
        of zoetrope. Times are thread CPU times (CLOCK_THREAD_CPUTIME_ID), medians over --repeats runs taken alternately. A clip of --clip-frames frames (the
        first photograph shifted by (2i, i) pixels) is encoded with one shared palette to measure playback speed.
        """)

    @Argument(help: "Photographs (PNG, JPEG, WebP, PPM). Default: Tests/PreviewTests/Fixtures/{astronaut,coffee,chelsea}.ppm.")
    var images: [String] = []

    @Option(help: "Timed runs per encoder and photograph.")
    var repeats = 15

    @Option(help: "Frames in the shared-palette clip.")
    var clipFrames = 64

    @Option(help: "Write each encoder's output for each photograph into this directory (NAME.zoetrope.six, NAME.libsixel.six).")
    var save: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard (1...1000).contains(repeats) else { throw ValidationError("--repeats must be 1...1000, got \(repeats)") }
        guard (1...1024).contains(clipFrames) else {
            throw ValidationError("--clip-frames must be 1...1024, got \(clipFrames)")
        }
    }

    func run() throws {
        if let v = ProcessInfo.processInfo.environment["ZOETROPE_SIXEL_HISTOGRAM_BITS"], let b = Int(v), (4...7).contains(b) {
            ColorHistogram.defaultBits = b
        }
        if let v = ProcessInfo.processInfo.environment["ZOETROPE_SIXEL_MAP_BITS"], let b = Int(v), (4...7).contains(b) {
            InverseColorMap.defaultBits = b
        }
        let paths = images.isEmpty
            ? ["astronaut", "coffee", "chelsea"].map { "Tests/PreviewTests/Fixtures/\($0).ppm" } : images
        let libsixel: LibSixel
        do { libsixel = try LibSixel() } catch {
            throw CleanExit.message("bench sixel: \(error)")
        }
        var photos: [PhotoResult] = []
        for path in paths {
            let image: RGBImage
            do { image = try PreviewImageLoader.load(path) } catch {
                throw BenchError("\(error)\(images.isEmpty ? " (run from the repository root, or name photographs)" : "")")
            }
            guard !image.isEmpty else { throw BenchError("\(path): image is empty, nothing to encode") }
            photos.append(try benchPhoto(image, name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                                         libsixel: libsixel))
        }
        let firstPath = paths[0]
        let clip = try benchClip(try PreviewImageLoader.load(firstPath), libsixel: libsixel)
        if json {
            let report = Report(photos: photos, clip: clip, settings: Settings())
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            printTable(photos, clip)
        }
    }

    // MARK: - Measurements

    struct PhotoResult: Codable {
        var name: String, width: Int, height: Int
        var zoetropeMs: Double, libsixelMs: Double, timeRatio: Double
        var zoetropePsnrDb: Double, libsixelPsnrDb: Double
        var zoetropeBytes: Int, libsixelBytes: Int
        /// Zoetrope's time split: palette building, mapping (dithering), writing the sixel stream.
        var zoetropePaletteMs: Double, zoetropeMapMs: Double, zoetropeEmitMs: Double
        /// libsixel through img2sixel's own path (`sixel_encoder_encode_bytes`, output to /dev/null when timed).
        var img2sixelPathMs: Double, img2sixelPathTimeRatio: Double, img2sixelPathPsnrDb: Double
        /// The same with Floyd–Steinberg dithering (libsixel's own default dithering).
        var zoetropeFloydSteinbergMs: Double, floydSteinbergTimeRatio: Double, zoetropeFloydSteinbergPsnrDb: Double
    }

    struct ClipResult: Codable {
        var frames: Int, width: Int, height: Int
        var paletteMs: Double, encodeMs: Double, framesPerSecond: Double, framesPerSecondWithPalette: Double
        var meanPsnrDb: Double
        var libsixelMsPerFrame: Double
    }

    struct Settings: Codable {
        var zoetrope = "SixelOptions() defaults: adaptive palette (32³ median cut + 1 k-means pass, 256 colours), "
            + "no dithering, one thread; the floyd-steinberg row/fields use the same palette with error diffusion"
        var libsixel = "sixel_dither_new(256), sixel_dither_initialize(RGB888, LARGE_NORM, REP_CENTER_BOX, QUALITY_AUTO), "
            + "set_diffusion_type(DIFFUSE_FS), sixel_encode — what img2sixel's AUTO defaults resolve to"
        var img2sixelPath = "sixel_encoder_new + sixel_encoder_encode_bytes, all options default (byte-identical to "
            + "img2sixel FILE); timed writing to /dev/null"
        var psnr = "both outputs decoded by libsixel sixel_decode_raw, compared with the input over RGB"
    }

    struct Report: Codable { var photos: [PhotoResult]; var clip: ClipResult; var settings: Settings }

    /// CPU time of this thread spent in `body`, in ms (`CLOCK_THREAD_CPUTIME_ID`): both encoders run on this one
    /// thread, and CPU time is not inflated when other processes share the cores.
    private func milliseconds(_ body: () throws -> Void) rethrows -> Double {
        var t0 = timespec(), t1 = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0)
        try body()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1)
        return Double(t1.tv_sec - t0.tv_sec) * 1e3 + Double(t1.tv_nsec - t0.tv_nsec) / 1e6
    }

    private func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
    }

    /// The encoder settings measured: defaults, or the experiment knobs of docs/decisions/preview.md
    /// (`ZOETROPE_SIXEL_KMEANS`, `ZOETROPE_SIXEL_DITHER`).
    private func makeEncoder() -> SixelEncoder {
        var options = SixelOptions()
        let env = ProcessInfo.processInfo.environment
        if let v = env["ZOETROPE_SIXEL_KMEANS"], let n = Int(v), (0...16).contains(n) { options.refinementPasses = n }
        if let v = env["ZOETROPE_SIXEL_DITHER"], let d = Dithering(rawValue: v) { options.dithering = d }
        return SixelEncoder(options: options)
    }

    private func benchPhoto(_ image: RGBImage, name: String, libsixel: LibSixel) throws -> PhotoResult {
        let encoder = makeEncoder()
        var ours = try encoder.encode(image)
        var theirs = try libsixel.encode(image)
        let fsEncoder = makeEncoder()
        fsEncoder.options.dithering = .floydSteinberg
        var oursFS = try fsEncoder.encode(image)
        var oursTimes: [Double] = [], theirTimes: [Double] = [], fsTimes: [Double] = [], pathTimes: [Double] = []
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("zoetrope-bench-\(getpid())-\(name).six")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try libsixel.encodeLikeImg2sixel(image, to: scratch.path)
        let img2sixelBytes = [UInt8]((try? Data(contentsOf: scratch)) ?? Data())
        for _ in 0..<repeats {
            pathTimes.append(try milliseconds { try libsixel.encodeLikeImg2sixel(image, to: "/dev/null") })
            oursTimes.append(try milliseconds { ours = try encoder.encode(image) })
            theirTimes.append(try milliseconds { theirs = try libsixel.encode(image) })
            fsTimes.append(try milliseconds { oursFS = try fsEncoder.encode(image) })
        }
        if let save {
            try FileManager.default.createDirectory(atPath: save, withIntermediateDirectories: true)
            try Data(ours).write(to: URL(fileURLWithPath: save).appendingPathComponent("\(name).zoetrope.six"))
            try Data(theirs).write(to: URL(fileURLWithPath: save).appendingPathComponent("\(name).libsixel.six"))
            try Data(img2sixelBytes).write(to: URL(fileURLWithPath: save).appendingPathComponent("\(name).img2sixel-path.six"))
        }
        var paletteTimes: [Double] = [], mapTimes: [Double] = [], emitTimes: [Double] = []
        for _ in 0..<repeats {
            var palette = SixelPalette(colors: [])
            var indices: [UInt16] = []
            paletteTimes.append(milliseconds {
                palette = SixelPalette.adaptive(for: image, refinementPasses: encoder.options.refinementPasses)
            })
            mapTimes.append(milliseconds { indices = encoder.paletteIndices(image, palette: palette) })
            emitTimes.append(milliseconds {
                _ = encoder.emit(indices: indices, width: image.width, height: image.height, palette: palette)
            })
        }
        let a = median(oursTimes), b = median(theirTimes)
        return PhotoResult(name: name, width: image.width, height: image.height,
                           zoetropeMs: a, libsixelMs: b, timeRatio: a / b,
                           zoetropePsnrDb: psnr(try libsixel.decode(ours), image),
                           libsixelPsnrDb: psnr(try libsixel.decode(theirs), image),
                           zoetropeBytes: ours.count, libsixelBytes: theirs.count,
                           zoetropePaletteMs: median(paletteTimes), zoetropeMapMs: median(mapTimes),
                           zoetropeEmitMs: median(emitTimes),
                           img2sixelPathMs: median(pathTimes), img2sixelPathTimeRatio: a / median(pathTimes),
                           img2sixelPathPsnrDb: psnr(try libsixel.decode(img2sixelBytes), image),
                           zoetropeFloydSteinbergMs: median(fsTimes), floydSteinbergTimeRatio: median(fsTimes) / b,
                           zoetropeFloydSteinbergPsnrDb: psnr(try libsixel.decode(oursFS), image))
    }

    /// Frame `i` = the photograph shifted circularly by (2i, i) pixels.
    private func benchClip(_ photo: RGBImage, libsixel: LibSixel) throws -> ClipResult {
        let w = photo.width, h = photo.height
        let frames: [RGBImage] = (0..<clipFrames).map { i in
            var frame = RGBImage(width: w, height: h)
            for y in 0..<h {
                let sy = (y + i) % h
                for x in 0..<w {
                    let sx = (x + 2 * i) % w
                    let s = 3 * (sy * w + sx), d = 3 * (y * w + x)
                    frame.pixels[d] = photo.pixels[s]; frame.pixels[d + 1] = photo.pixels[s + 1]
                    frame.pixels[d + 2] = photo.pixels[s + 2]
                }
            }
            return frame
        }
        var palette = SixelPalette(colors: [])
        let encoder = makeEncoder()
        let paletteMs = milliseconds {
            palette = SixelPalette.shared(for: frames, refinementPasses: encoder.options.refinementPasses)
        }
        var outputs: [[UInt8]] = []
        outputs.reserveCapacity(frames.count)
        let encodeMs = try milliseconds {
            for frame in frames { outputs.append(try encoder.encode(frame, palette: palette)) }
        }
        var psnrSum = 0.0
        let sampled = Array(stride(from: 0, to: frames.count, by: max(1, frames.count / 8)))
        for i in sampled { psnrSum += psnr(try libsixel.decode(outputs[i]), frames[i]) }
        var libsixelMs = 0.0
        for i in sampled { libsixelMs += try milliseconds { _ = try libsixel.encode(frames[i]) } }
        return ClipResult(frames: frames.count, width: w, height: h, paletteMs: paletteMs, encodeMs: encodeMs,
                          framesPerSecond: Double(frames.count) / (encodeMs / 1000),
                          framesPerSecondWithPalette: Double(frames.count) / ((encodeMs + paletteMs) / 1000),
                          meanPsnrDb: psnrSum / Double(sampled.count),
                          libsixelMsPerFrame: libsixelMs / Double(sampled.count))
    }

    /// `10 · log10(255² / MSE)` over all channels.
    private func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
        guard a.width == b.width, a.height == b.height else { return 0 }
        var sum = 0.0
        for i in a.pixels.indices { let d = Double(a.pixels[i]) - Double(b.pixels[i]); sum += d * d }
        let mse = sum / Double(a.pixels.count)
        return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
    }

    private func printTable(_ photos: [PhotoResult], _ clip: ClipResult) {
        func f(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }
        print("sixel encoding, 256 colours, one thread (CPU time, median of \(repeats) runs; libsixel = img2sixel's defaults)")
        print("photo        size      zoetrope ms  libsixel ms  ratio   zoetrope PSNR  libsixel PSNR  bytes z/l")
        for p in photos {
            print(p.name.padding(toLength: 12, withPad: " ", startingAt: 0),
                  "\(p.width)×\(p.height)".padding(toLength: 9, withPad: " ", startingAt: 0),
                  f(p.zoetropeMs).leftPad(11), f(p.libsixelMs).leftPad(12), f(p.timeRatio, 3).leftPad(6),
                  (f(p.zoetropePsnrDb) + " dB").leftPad(14), (f(p.libsixelPsnrDb) + " dB").leftPad(14),
                  " \(p.zoetropeBytes)/\(p.libsixelBytes)",
                  " (palette \(f(p.zoetropePaletteMs)) + map \(f(p.zoetropeMapMs)) + write \(f(p.zoetropeEmitMs)) ms)")
            print("  img2sixel's path".padding(toLength: 22, withPad: " ", startingAt: 0),
                  "".leftPad(11), f(p.img2sixelPathMs).leftPad(12), f(p.img2sixelPathTimeRatio, 3).leftPad(6),
                  "".leftPad(14), (f(p.img2sixelPathPsnrDb) + " dB").leftPad(14))
            print("  with floyd-steinberg".padding(toLength: 22, withPad: " ", startingAt: 0),
                  f(p.zoetropeFloydSteinbergMs).leftPad(11), "".leftPad(12), f(p.floydSteinbergTimeRatio, 3).leftPad(6),
                  (f(p.zoetropeFloydSteinbergPsnrDb) + " dB").leftPad(14))
        }
        print("clip: \(clip.frames) frames \(clip.width)×\(clip.height), shared palette \(f(clip.paletteMs)) ms, "
              + "encode \(f(clip.encodeMs)) ms = \(f(clip.framesPerSecond, 1)) frames/s "
              + "(\(f(clip.framesPerSecondWithPalette, 1)) with the palette), mean PSNR \(f(clip.meanPsnrDb)) dB; "
              + "libsixel \(f(clip.libsixelMsPerFrame)) ms/frame (adaptive)")
    }
}

private extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
