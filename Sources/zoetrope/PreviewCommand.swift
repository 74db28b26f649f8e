import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Imaging
import Preview

/// `zoetrope preview IMAGE...`: show one picture in the terminal, or play several as a flipbook with one palette.
struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show images in the terminal (sixel, half blocks or ASCII); several play as a flipbook.",
        discussion: """
        The renderer is chosen by probing the terminal (see `zoetrope inspect terminal`) unless one is forced.
        Several images play once as a flipbook at --fps with one palette shared by all frames, so nothing flickers.
        When standard output is not a terminal, nothing is probed: pass --sixel (or --halfblock/--ascii) to write
        the bytes anyway, e.g. `zoetrope preview frame.ppm --sixel > frame.six`.
        Images: PNG, JPEG, WebP or binary PPM (P6).
        """)

    /// The renderer forced on the command line.
    enum Forced: String, EnumerableFlag {
        case sixel, halfblock, ascii
        static func help(for value: Forced) -> ArgumentHelp? {
            switch value {
            case .sixel: return "Sixel graphics."
            case .halfblock: return "Half blocks (24-bit colour, or 256 colours when the terminal says so)."
            case .ascii: return "ASCII brightness ramp, no colour."
            }
        }
    }

    @Argument(help: "Images to show (PNG, JPEG, WebP, PPM), or folders of frames; several play as a flipbook.")
    var images: [String]

    @Flag(exclusivity: .exclusive)
    var forced: Forced?

    @Option(help: ArgumentHelp("Width in pixels (sixel) or columns (half blocks, ASCII). Default: the image's, at most the terminal's.", valueName: "PIXELS"))
    var width: Int?

    @Option(help: "Flipbook frames per second.")
    var fps: Double = 12

    @Option(help: "Sixel dithering: none, ordered, floyd-steinberg.")
    var dither: Dithering = .none

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image to show") }
        if let width, !(1...16384).contains(width) {
            throw ValidationError("--width must be 1...16384 pixels, got \(width)")
        }
        guard fps > 0, fps <= 240 else { throw ValidationError("--fps must be above 0 and at most 240, got \(fps)") }
    }

    func run() throws {
        let isTerminal = TerminalIO.stdoutIsTerminal
        if !isTerminal && forced == nil {
            throw PreviewFailure("zoetrope preview: standard output is not a terminal, so there is nothing to probe; "
                + "pass --sixel (or --halfblock/--ascii) to write the picture's bytes anyway, e.g. > frame.six")
        }
        // Load and check every image before drawing anything; a folder stands for its images in name order.
        var frames: [RGBImage] = []
        for path in try Self.expandFolders(images) {
            let image: RGBImage
            do { image = try PreviewImageLoader.load(path) } catch { throw PreviewFailure("\(error)") }
            guard !image.isEmpty else {
                throw PreviewFailure("\(path): image is \(image.width)×\(image.height), nothing to show (give an image at least 1×1)")
            }
            frames.append(image)
        }
        let caps = isTerminal ? TerminalIO.probe() : TerminalProbe.fromEnvironmentForOutput()
        let renderer: Renderer
        switch forced {
        case .sixel?: renderer = .sixel
        case .halfblock?: renderer = caps.trueColor || !caps.colors256 ? .halfBlockTrueColor : .halfBlock256
        case .ascii?: renderer = .ascii
        case nil: renderer = caps.renderer
        }
        let prepared = try prepare(frames, renderer: renderer, caps: caps, isTerminal: isTerminal)
        play(prepared, renderer: renderer, isTerminal: isTerminal)
    }

    /// Image extensions a folder is searched for.
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "webp", "ppm"]

    /// Replaces each folder by the image files in it, sorted by name (a frame folder plays in order).
    static func expandFolders(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                out.append(path); continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            let frames = names.filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            guard !frames.isEmpty else {
                throw PreviewFailure("\(path): folder has no PNG, JPEG, WebP or PPM images to show")
            }
            out += frames.map { (path as NSString).appendingPathComponent($0) }
        }
        return out
    }

    // MARK: - Sizing and encoding

    /// Frame bytes, ready to write, and the picture's height in terminal rows.
    struct Prepared { var frames: [[UInt8]]; var rows: Int }

    private func prepare(_ frames: [RGBImage], renderer: Renderer, caps: TerminalCapabilities,
                         isTerminal: Bool) throws -> Prepared {
        let first = frames[0]
        switch renderer {
        case .sixel:
            // Fit: the requested width, else the image's, at most the screen's (one cell spare) or 1280 px off-screen;
            // height at most the screen's rows less one, so the terminal does not scroll.
            let screenWidth = caps.pixelWidth.map { max(1, $0 - caps.cellWidth) } ?? 1280
            let screenHeight = caps.pixelHeight.map { max(1, $0 - 2 * caps.cellHeight) }
            var targetWidth = width ?? min(first.width, screenWidth)
            var targetHeight = ImageScaler.height(of: first, atWidth: targetWidth)
            if width == nil, isTerminal, let screenHeight, targetHeight > screenHeight {
                targetWidth = max(1, targetWidth * screenHeight / targetHeight)
                targetHeight = ImageScaler.height(of: first, atWidth: targetWidth)
            }
            // Integer upscaling is free in the encoder (pixels repeat as runs); anything else is resampled.
            var scale = 1
            if targetWidth > first.width, targetWidth % first.width == 0, targetHeight % first.height == 0,
               targetWidth / first.width == targetHeight / first.height, targetWidth / first.width <= 64 {
                scale = targetWidth / first.width
            }
            let sized = frames.map { frame -> RGBImage in
                scale > 1 ? frame : ImageScaler.resize(frame, width: targetWidth,
                                                       height: ImageScaler.height(of: frame, atWidth: targetWidth))
            }
            var options = SixelOptions()
            options.scale = scale
            options.dithering = dither
            options.maxColors = caps.sixelPaletteSize
            let encoder = SixelEncoder(options: options)
            let encoded: [[UInt8]]
            if sized.count == 1 {
                encoded = [try encoder.encode(sized[0])]
            } else {
                let palette = SixelPalette.shared(for: sized, maxColors: options.maxColors)
                encoded = try sized.map { try encoder.encode($0, palette: palette) }
            }
            let pixelRows = sized.map { $0.height * scale }.max() ?? 0
            return Prepared(frames: encoded, rows: (pixelRows + caps.cellHeight - 1) / caps.cellHeight)
        case .halfBlockTrueColor, .halfBlock256, .ascii:
            let columns = caps.columns.map { max(1, $0 - 1) } ?? 200
            let targetWidth = width ?? min(first.width, columns)
            let mode: CellMode = renderer == .ascii ? .ascii : (renderer == .halfBlock256 ? .palette256 : .trueColor)
            var maxRows = 0
            let encoded = frames.map { frame -> [UInt8] in
                var height = ImageScaler.height(of: frame, atWidth: targetWidth)
                if width == nil, let rows = caps.rows, (height + 1) / 2 > rows - 2 { height = max(1, 2 * (rows - 2)) }
                let sized = ImageScaler.resize(frame, width: targetWidth, height: height)
                maxRows = max(maxRows, (height + 1) / 2)
                return HalfBlockRenderer.renderBytes(sized, mode: mode)
            }
            return Prepared(frames: encoded, rows: maxRows)
        }
    }

    // MARK: - Writing

    private func play(_ prepared: Prepared, renderer: Renderer, isTerminal: Bool) {
        let frames = prepared.frames
        if frames.count == 1 || !isTerminal {
            for frame in frames {
                TerminalIO.write(frame)
                TerminalIO.write("\n")
            }
            return
        }
        // Flipbook: make room below the cursor (so drawing never scrolls), remember the spot, hide the cursor, then
        // redraw each frame from the same spot. Ctrl-C still shows the cursor again.
        let rows = max(1, prepared.rows)
        TerminalIO.write(String(repeating: "\n", count: rows) + "\u{1B}[\(rows)A\u{1B}7\u{1B}[?25l")
        signal(SIGINT) { _ in
            let restore: [UInt8] = Array("\u{1B}[?25h\n".utf8)
            _ = restore.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            _exit(130)
        }
        let period = 1 / fps
        let start = Date()
        for (i, frame) in frames.enumerated() {
            let due = start.addingTimeInterval(Double(i) * period)
            let wait = due.timeIntervalSinceNow
            if wait > 0 { usleep(UInt32(min(wait, 10) * 1_000_000)) }
            TerminalIO.write(Array("\u{1B}8".utf8) + frame)
        }
        TerminalIO.write("\u{1B}[?25h\n")
        signal(SIGINT, SIG_DFL)
    }
}

extension Dithering: ExpressibleByArgument {}

extension TerminalProbe {
    /// Capabilities for writing to a file or pipe: the environment's colour hints, nothing asked.
    static func fromEnvironmentForOutput() -> TerminalCapabilities {
        TerminalProbe(input: -1, output: -1, environment: ProcessInfo.processInfo.environment).run()
    }
}

/// A preview that cannot be shown, as one line on standard error and exit status 1.
struct PreviewFailure: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
