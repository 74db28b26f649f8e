import Foundation
import Imaging
import Media
import Testing

/// Clip export checked by the independent tools: `ffprobe -count_frames` for the stream facts and
/// `ffmpeg -i OUT -f rawvideo -pix_fmt rgb24 -` to decode frames back for PSNR / exactness.
@Suite("Clip export", .enabled(if: Tools.haveFFmpeg), .serialized)
struct ClipExportTests {
    /// The acceptance clip: 48 frames, 256×256, a moving smooth pattern.
    static let clip = SyntheticClip.make(frameCount: 48, width: 256, height: 256)

    func export(_ frames: [RGBImage], _ name: String, _ configure: (inout ClipOptions) -> Void = { _ in })
        throws -> (URL, ClipReport, URL) {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        let url = dir.appendingPathComponent(name)
        var options = ClipOptions(format: ClipFormat.inferred(from: url) ?? .pngSequence)
        configure(&options)
        let report = try ClipExporter.export(frames, to: url, options: options)
        return (url, report, dir)
    }

    /// Leftover hidden temporaries in `dir`.
    func temporaries(in dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.contains(".tmp-") }
    }

    @Test("MP4: h264, yuv420p, 48 frames, exact duration, PSNR ≥ 38 dB", arguments: [12, 24])
    func mp4Acceptance(fps: Int) throws {
        let (url, report, dir) = try export(Self.clip, "clip.mp4") { $0.fps = fps }
        defer { try? FileManager.default.removeItem(at: dir) }
        let facts = try Tools.probe(url)
        #expect(facts["codec_name"] == "h264")
        #expect(facts["pix_fmt"] == "yuv420p")
        #expect(facts["nb_read_frames"] == "48")
        #expect(facts["width"] == "256" && facts["height"] == "256")
        let duration = Double(facts["duration"] ?? "") ?? 0
        #expect(abs(duration - 48.0 / Double(fps)) < 0.01, "duration \(duration)")
        #expect(report.codec == "h264 (libx264)" && report.frameCount == 48)

        let decoded = try Tools.decodeRGB(url)
        let frameBytes = 256 * 256 * 3
        try #require(decoded.count == 48 * frameBytes)
        let source = Self.clip.flatMap(\.pixels)
        var worst = Double.infinity
        for i in 0..<48 {
            let range = (i * frameBytes)..<((i + 1) * frameBytes)
            worst = min(worst, Pixels.psnr(decoded[range], source[range]))
        }
        // PSNR of the clip = 10·log10(255² / MSE over all frames), as ffmpeg's psnr filter reports its average.
        let overall = Pixels.psnr(decoded, source)
        // The ceiling yuv420p allows: the same clip through lossless H.264 (CRF 0).
        let (lossless, _, losslessDir) = try export(Self.clip, "lossless.mp4") { $0.fps = fps; $0.quality = 0 }
        defer { try? FileManager.default.removeItem(at: losslessDir) }
        let ceiling = Pixels.psnr(try Tools.decodeRGB(lossless), source)
        print("mp4 @\(fps) fps, CRF \(ClipOptions.defaultQuality): PSNR \(String(format: "%.2f", overall)) dB "
              + "(worst frame \(String(format: "%.2f", worst)) dB; yuv420p ceiling \(String(format: "%.2f", ceiling)) dB), "
              + "\(Self.size(url)) bytes")
        #expect(overall >= 38, "clip PSNR \(overall) dB")
        #expect(overall >= ceiling - 1.0, "H.264 at the default CRF loses more than 1 dB: \(overall) vs \(ceiling)")
        #expect(worst >= 37, "worst frame PSNR \(worst) dB")
        #expect(temporaries(in: dir).isEmpty)
    }

    @Test("MP4 index comes first (+faststart)")
    func faststart() throws {
        let (url, _, dir) = try export(Array(Self.clip.prefix(6)), "fast.mp4")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = try [UInt8](Data(contentsOf: url))
        var boxes: [String] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            let size = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            boxes.append(String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self))
            guard size >= 8 else { break }
            offset += size
        }
        let moov = try #require(boxes.firstIndex(of: "moov")), mdat = try #require(boxes.firstIndex(of: "mdat"))
        #expect(moov < mdat, "top-level boxes: \(boxes)")
    }

    @Test("Odd-sized clip is padded to even and still complete")
    func oddSize() throws {
        let frames = SyntheticClip.make(frameCount: 48, width: 255, height: 129)
        let (url, report, dir) = try export(frames, "odd.mp4")
        defer { try? FileManager.default.removeItem(at: dir) }
        let facts = try Tools.probe(url)
        #expect(facts["width"] == "256" && facts["height"] == "130")
        #expect(facts["nb_read_frames"] == "48")
        #expect(report.notes.contains { $0.contains("padded to 256×130") && $0.contains("odd.mp4") })
        // The visible 255×129 region still matches (this clip is the acceptance pattern drawn smaller, so sharper: its
        // PSNR is ~37.5 dB at the default CRF; quality itself is asserted on the acceptance clip above).
        let decoded = [UInt8](try Tools.decodeRGB(url))
        try #require(decoded.count == 48 * 256 * 130 * 3)
        var cropped: [UInt8] = []
        for i in 0..<48 {
            for y in 0..<129 {
                let start = ((i * 130 + y) * 256) * 3
                cropped.append(contentsOf: decoded[start..<(start + 255 * 3)])
            }
        }
        #expect(Pixels.psnr(cropped, frames.flatMap(\.pixels)) >= 36)
    }

    @Test("MPEG-4 Part 2 fallback")
    func mpeg4Fallback() throws {
        let (url, report, dir) = try export(Array(Self.clip.prefix(24)), "fallback.mp4") { $0.forceMPEG4 = true }
        defer { try? FileManager.default.removeItem(at: dir) }
        let facts = try Tools.probe(url)
        #expect(facts["codec_name"] == "mpeg4")
        #expect(facts["nb_read_frames"] == "24")
        #expect(report.codec == "mpeg4")
        #expect(report.notes.contains { $0.contains("MPEG-4 Part 2") })
        let psnr = Pixels.psnr(try Tools.decodeRGB(url), Self.clip.prefix(24).flatMap(\.pixels))
        #expect(psnr > 32, "mpeg4 PSNR \(psnr)")
    }

    @Test("GIF: 48 frames, 4 s at 12 fps, one palette")
    func gifAcceptance() throws {
        let (url, report, dir) = try export(Self.clip, "clip.gif")
        defer { try? FileManager.default.removeItem(at: dir) }
        let facts = try Tools.probe(url)
        #expect(facts["codec_name"] == "gif")
        #expect(facts["nb_read_frames"] == "48")
        #expect(abs((Double(facts["duration"] ?? "") ?? 0) - 4.0) < 0.011)
        #expect(report.notes.contains { $0.contains("palette") })
        #expect(report.width == 256 && report.height == 256 && report.frameCount == 48)
        let decoded = try Tools.decodeRGB(url)
        try #require(decoded.count == 48 * 256 * 256 * 3)
        let psnr = Pixels.psnr(decoded, Self.clip.flatMap(\.pixels))
        print("gif: PSNR \(String(format: "%.2f", psnr)) dB (256-colour median cut), \(Self.size(url)) bytes")
        // 256 colours for a clip of smooth gradients: about 30-35 dB is what a good palette gives.
        #expect(psnr > 30)
    }

    @Test("GIF with ≤256 colours round-trips exactly, including LZW table resets")
    func gifExact() throws {
        // Posterise the clip to 4 levels per channel (64 colours) and add per-pixel noise among those colours so the
        // LZW dictionary fills up and clear codes are sent many times per frame.
        var frames = Array(Self.clip.prefix(12))
        var state: UInt64 = 42
        for f in frames.indices {
            for i in frames[f].pixels.indices {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let noise = (state >> 33) % 2 == 0 ? 0 : 85
                frames[f].pixels[i] = UInt8(min(255, (Int(frames[f].pixels[i]) / 85) * 85 + noise) / 85 * 85)
            }
        }
        let (url, _, dir) = try export(frames, "exact.gif") { $0.fps = 24 }
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Tools.probe(url)["nb_read_frames"] == "12")
        #expect(try Tools.decodeRGB(url) == Data(frames.flatMap(\.pixels)))
    }

    @Test("GIF with dithering is complete")
    func gifDither() throws {
        let (url, _, dir) = try export(Array(Self.clip.prefix(8)), "dither.gif") { $0.dither = true }
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Tools.probe(url)["nb_read_frames"] == "8")
        #expect(Pixels.psnr(try Tools.decodeRGB(url), Self.clip.prefix(8).flatMap(\.pixels)) > 28)
    }

    @Test("PNG sequence: 48 files, pixel-exact")
    func pngSequence() throws {
        let (url, report, dir) = try export(Self.clip, "frames")
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
        #expect(names.count == 48)
        #expect(names.first == "frame_00000.png" && names.last == "frame_00047.png")
        #expect(report.frameCount == 48)
        let decoded = try Tools.decodeRGB(url.appendingPathComponent("frame_%05d.png"), extraInput: ["-start_number", "0"])
        #expect(decoded == Data(Self.clip.flatMap(\.pixels)))
        #expect(temporaries(in: dir).isEmpty)
    }

    @Test("Upscaling and side-by-side layout reach the file")
    func layoutAndUpscale() throws {
        let pose = SyntheticClip.make(frameCount: 4, width: 20, height: 16)
        let result = SyntheticClip.make(frameCount: 4, width: 30, height: 24)
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("side")
        var options = ClipOptions(format: .pngSequence)
        options.upscale = 2
        options.panelGap = 3
        options.panelBackground = RGB(9, 8, 7)
        let report = try ClipExporter.export(frameCount: 4, to: url, options: options) { [pose[$0], result[$0]] }
        #expect(report.width == 40 + 3 + 60 && report.height == 48)
        let frame = try ImageFile.read(url.appendingPathComponent("frame_00002.png"))
        // Pose panel: 2×2 blocks of the source, centred vertically ((48 - 32) / 2 = 8 rows of background above).
        #expect(frame[0, 0] == RGB(9, 8, 7))
        #expect(frame[0, 8] == pose[2][0, 0] && frame[1, 9] == pose[2][0, 0] && frame[39, 39] == pose[2][19, 15])
        #expect(frame[41, 20] == RGB(9, 8, 7))
        #expect(frame[43, 0] == result[2][0, 0] && frame[102, 47] == result[2][29, 23])
    }

    @Test("Existing output is kept without overwrite, replaced with it")
    func existingOutput() throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("clip.gif")
        try Data("precious".utf8).write(to: url)
        #expect {
            _ = try ClipExporter.export(Array(Self.clip.prefix(2)), to: url, options: ClipOptions(format: .gif))
        } throws: { e in
            (e as? MediaError)?.kind == .outputExists && "\(e)".contains("clip.gif") && "\(e)".contains("--force")
        }
        #expect(try Data(contentsOf: url) == Data("precious".utf8))
        var options = ClipOptions(format: .gif)
        options.overwrite = true
        _ = try ClipExporter.export(Array(Self.clip.prefix(2)), to: url, options: options)
        #expect(try Data(contentsOf: url).prefix(6) == Data("GIF89a".utf8))
        #expect(temporaries(in: dir).isEmpty)
    }

    @Test("A failure part-way leaves neither output nor temporary", arguments: [ClipFormat.mp4, .gif, .pngSequence])
    func failureLeavesNothing(format: ClipFormat) throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(format == .pngSequence ? "seq" : "clip.\(format.rawValue)")
        let frames = Array(Self.clip.prefix(3)) + [RGBImage(width: 10, height: 10)]
        #expect {
            _ = try ClipExporter.export(frames, to: url, options: ClipOptions(format: format))
        } throws: { e in
            (e as? MediaError)?.kind == .invalidInput && "\(e)".contains("frame 3")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        // Cancelling from the progress callback also cleans up.
        #expect(throws: MediaError.self) {
            _ = try ClipExporter.export(Array(Self.clip.prefix(4)), to: url, options: ClipOptions(format: format)) { done, _ in done < 2 }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    static func size(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
    }
}

@Suite("Frame folders and layout")
struct FrameFolderTests {
    @Test func naturalOrder() {
        let names = ["f10.png", "f2.png", "f1.png", "f02.png", "g.png", "f100.png", "F3.png"]
        let sorted = names.sorted(by: FrameFolder.naturalLess)
        #expect(sorted == ["F3.png", "f1.png", "f2.png", "f02.png", "f10.png", "f100.png", "g.png"])
    }

    @Test func listsOnlyFrames() throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["frame_10.png", "frame_9.jpg", "notes.txt", ".hidden.png", "frame_11.WEBP"] {
            _ = FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data([0]))
        }
        #expect(try FrameFolder.frames(in: dir).map(\.lastPathComponent) == ["frame_9.jpg", "frame_10.png", "frame_11.WEBP"])
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: MediaError.self) { try FrameFolder.frames(in: empty) }
    }
}
