import ArgumentParser
import Foundation
import Imaging
import Media

/// `zoetrope convert IN OUT`: an image or a folder of frames to PNG, MP4, GIF or a PNG sequence.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert an image or a folder of frames to PNG, MP4, GIF or a PNG sequence.",
        discussion: """
        IN is an image (PNG, JPEG, WebP) or a folder of frames (*.png, *.jpg, *.webp in natural order).
        The output kind comes from OUT's extension: .png (one image), .mp4 (H.264), .gif, or a name without
        extension for a folder of PNG frames (or say --format). Nothing is written until the whole output is
        ready, and an existing OUT is only replaced with --force.

        Examples:
          zoetrope convert frames/ clip.mp4 --fps 24
          zoetrope convert frames/ clip.gif --upscale 4 --dither
          zoetrope convert photo.jpg photo.png
          zoetrope convert result/ side.mp4 --beside poses/ --upscale 2     pose | result, side by side
          zoetrope convert clip-frames/ out-frames --format png-seq --upscale 2 --filter lanczos3
        """
    )

    /// Output kinds accepted by `--format`.
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case png, mp4, gif
        case pngSequence = "png-seq"
    }

    @Argument(help: "Input image or folder of frames.")
    var input: String

    @Argument(help: "Output file (.png, .mp4, .gif) or folder (PNG sequence).")
    var output: String

    @Option(help: "Output kind: png, mp4, gif, png-seq (default: from OUT's extension).")
    var format: OutputFormat?

    @Option(help: "Frames per second of the clip (1-120).")
    var fps: Int = 12

    @Option(help: ArgumentHelp("Integer upscaling factor applied at export (1-16).", valueName: "N"))
    var upscale: Int = 1

    @Option(help: "Upscaling filter: nearest, bilinear, lanczos3.")
    var filter: ResampleFilter = .nearest

    @Option(help: ArgumentHelp("H.264 CRF: 0 (lossless) to 51 (worst); lower is better and larger.", valueName: "CRF"))
    var quality: Int = ClipOptions.defaultQuality

    @Option(help: ArgumentHelp("An image or frames folder shown left of IN (repeatable: reference | pose | IN).",
                               valueName: "PATH"))
    var beside: [String] = []

    @Option(help: "Pixels between side-by-side panels.")
    var gap: Int = 4

    @Option(help: ArgumentHelp("Colour under transparent pixels, #RRGGBB.", valueName: "COLOUR"))
    var background: String = "#ffffff"

    @Option(help: ArgumentHelp("Largest accepted input width and height, checked from the header.", valueName: "PIXELS"))
    var maxSize: Int = 16384

    @Flag(help: "Floyd-Steinberg dithering for GIF.")
    var dither = false

    @Flag(help: "Replace OUT if it exists.")
    var force = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...120).contains(fps) else { throw ValidationError("--fps must be from 1 to 120, got \(fps)") }
        guard (1...16).contains(upscale) else { throw ValidationError("--upscale must be from 1 to 16, got \(upscale)") }
        guard (0...51).contains(quality) else { throw ValidationError("--quality must be from 0 to 51, got \(quality)") }
        guard (0...256).contains(gap) else { throw ValidationError("--gap must be from 0 to 256, got \(gap)") }
        guard maxSize >= 1 else { throw ValidationError("--max-size must be positive, got \(maxSize)") }
        guard Self.parseColour(background) != nil else {
            throw ValidationError("--background \(background): expected #RRGGBB, for example #ffffff")
        }
    }

    /// `#RRGGBB` (or `RRGGBB`) to a colour.
    static func parseColour(_ text: String) -> RGB? {
        let hex = text.hasPrefix("#") ? String(text.dropFirst()) : text
        guard hex.count == 6, let value = UInt32(hex, radix: 16) else { return nil }
        return RGB(UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }

    /// One input panel: a still image (repeated on every frame) or a list of frame files.
    enum Source {
        case still(URL)
        case frames([URL])

        var count: Int? {
            if case .frames(let list) = self { return list.count }
            return nil
        }
    }

    func run() throws {
        try global.apply()
        InterruptCleanup.install()
        let limits = ImageLimits(maxWidth: maxSize, maxHeight: maxSize)
        let backgroundColour = Self.parseColour(background) ?? RGB(255, 255, 255)
        let outURL = URL(fileURLWithPath: output)
        let main = try Self.source(input)
        let panels = try beside.map { try Self.source($0) }
        let frameCount = ([main] + panels).compactMap(\.count).first ?? 1
        for (path, source) in zip([input] + beside, [main] + panels) {
            if let n = source.count, n != frameCount {
                throw MediaError(.invalidInput, role: "frames folder", path: URL(fileURLWithPath: path).displayPath,
                                 problem: "has \(n) frames but the others have \(frameCount)",
                                 advice: "give folders with the same number of frames")
            }
        }
        let clipFormat = try outputKind(outURL)   // nil: one PNG image

        var cache: [URL: RGBImage] = [:]
        func image(_ url: URL) throws -> RGBImage {
            if let hit = cache[url] { return hit }
            let decoded = try ImageFile.read(url, limits: limits, background: backgroundColour)
            return decoded
        }
        // Stills are decoded once and reused.
        for source in [main] + panels {
            if case .still(let url) = source { cache[url] = try ImageFile.read(url, limits: limits, background: backgroundColour) }
        }
        var firstSize: [Int: (Int, Int)] = [:]
        func frame(_ i: Int) throws -> [RGBImage] {
            try (panels + [main]).enumerated().map { slot, source in
                let url: URL
                switch source {
                case .still(let still): url = still
                case .frames(let list): url = list[i]
                }
                let picture = try image(url)
                if let size = firstSize[slot], size != (picture.width, picture.height) {
                    throw MediaError(.invalidInput, role: "image", path: url.displayPath,
                                     problem: "is \(picture.width)×\(picture.height) but the first frame is \(size.0)×\(size.1)",
                                     advice: "give frames of one size")
                }
                firstSize[slot] = (picture.width, picture.height)
                return picture
            }
        }

        var options = ClipOptions(format: clipFormat ?? .pngSequence)
        options.fps = fps
        options.quality = quality
        options.upscale = upscale
        options.filter = filter
        options.panelGap = gap
        options.dither = dither
        options.overwrite = force
        options.threads = try global.resolvedThreads()

        if clipFormat == nil {
            guard frameCount == 1 else {
                throw MediaError(.invalidInput, role: "image", path: outURL.displayPath,
                                 problem: "a PNG file holds one picture but \(input) has \(frameCount) frames",
                                 advice: "write .mp4, .gif or a folder (--format png-seq)")
            }
            let started = Date()
            let scaled = try frame(0).map { Upscaling.apply($0, factor: upscale, filter: filter) }
            let picture = PanelLayout.sideBySide(scaled, gap: gap, background: options.panelBackground)
            try PNGWriter.write(picture, to: outURL, overwrite: force)
            print("wrote \(outURL.displayPath): \(picture.width)×\(picture.height) PNG in \(Self.seconds(since: started))")
            return
        }

        let showProgress = isatty(2) != 0 && frameCount > 1
        let started = Date()
        let report = try ClipExporter.export(frameCount: frameCount, to: outURL, options: options, progress: { done, total in
            if showProgress { FileHandle.standardError.write(Data("\rconvert: frame \(done)/\(total)".utf8)) }
            return true
        }, panels: frame)
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        for note in report.notes {
            FileHandle.standardError.write(Data("note: \(note)\n".utf8))
        }
        let duration = String(format: "%.2f", Double(report.frameCount) / Double(fps))
        print("wrote \(outURL.displayPath): \(report.frameCount) frames, \(report.width)×\(report.height), \(report.codec), "
              + "\(fps) fps, \(duration) s, in \(Self.seconds(since: started))")
    }

    /// The input at `path`: a frames folder or a single image file (existence problems are reported by the reader).
    static func source(_ path: String) throws -> Source {
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            return .frames(try FrameFolder.frames(in: url))
        }
        return .still(url)
    }

    /// What to write: `--format`, else OUT's extension (or a folder for no extension / an existing folder).
    func outputKind(_ url: URL) throws -> ClipFormat? {
        if let format {
            switch format {
            case .png: return nil
            case .mp4: return .mp4
            case .gif: return .gif
            case .pngSequence: return .pngSequence
            }
        }
        if url.pathExtension.lowercased() == "png" && !output.hasSuffix("/") { return nil }
        var isFolder: ObjCBool = false
        if output.hasSuffix("/") || (FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue) {
            return .pngSequence
        }
        if let inferred = ClipFormat.inferred(from: url) { return inferred }
        throw MediaError(.invalidInput, role: "output", path: url.displayPath,
                         problem: "cannot tell the format from the extension .\(url.pathExtension)",
                         advice: "use .png, .mp4, .gif, a folder name, or --format")
    }

    static func seconds(since start: Date) -> String {
        String(format: "%.2f s", Date().timeIntervalSince(start))
    }
}

