import Foundation
import Imaging

/// Writes a clip (MP4, GIF or PNG sequence) frame by frame, atomically: everything goes to a hidden temporary
/// beside the destination, which is renamed into place by `finish()`; on any error, or if the exporter is dropped
/// unfinished, the temporary is removed and no partial output is left.
///
/// Each appended frame (or set of side-by-side panels) is upscaled by `options.upscale` with `options.filter`,
/// laid out, then handed to the format's writer. All frames must end up the same size.
public final class ClipExporter {
    /// The destination.
    public let destination: URL
    /// The options in force.
    public let options: ClipOptions
    private let output: AtomicOutput
    private let sink: ClipSink
    private var frameCount = 0
    private var frameSize: (width: Int, height: Int)?
    private var isFinished = false

    /// Checks the options and the destination (refusing an existing one unless `options.overwrite`) and creates the
    /// temporary output.
    public init(destination: URL, options: ClipOptions) throws {
        self.destination = destination
        self.options = options
        try options.validate(path: destination.displayPath)
        let isFolder = options.format == .pngSequence
        output = try AtomicOutput(destination: destination, role: isFolder ? "frames folder" : "clip",
                                  overwrite: options.overwrite, isDirectory: isFolder)
        switch options.format {
        case .mp4: sink = MP4Sink(output: output, options: options)
        case .gif: sink = GIFSink(output: output, fps: options.fps, dither: options.dither)
        case .pngSequence: sink = PNGSequenceSink(output: output, compression: options.pngCompression)
        }
    }

    /// Frames appended so far.
    public var count: Int { frameCount }

    /// Appends one frame.
    public func append(_ frame: RGBImage) throws {
        try append(panels: [frame])
    }

    /// Appends one frame made of `panels` side by side (left to right), each upscaled first.
    public func append(panels: [RGBImage]) throws {
        guard !isFinished else {
            throw MediaError(.invalidInput, role: "clip", path: destination.displayPath, problem: "append after finish")
        }
        do {
            guard !panels.isEmpty, panels.allSatisfy({ !$0.isEmpty }) else {
                throw MediaError(.invalidInput, role: "clip", path: destination.displayPath,
                                 problem: "frame \(frameCount) is empty")
            }
            let scaled = panels.map { Upscaling.apply($0, factor: options.upscale, filter: options.filter) }
            let frame = PanelLayout.sideBySide(scaled, gap: options.panelGap, background: options.panelBackground)
            if let size = frameSize, size != (frame.width, frame.height) {
                throw MediaError(.invalidInput, role: "clip", path: destination.displayPath,
                                 problem: "frame \(frameCount) is \(frame.width)×\(frame.height) but frame 0 was \(size.width)×\(size.height)",
                                 advice: "give frames of one size")
            }
            frameSize = (frame.width, frame.height)
            try sink.append(frame, index: frameCount)
            frameCount += 1
        } catch {
            cancel()
            throw error
        }
    }

    /// Writes what is buffered, closes the file and renames it into place.
    public func finish(progress: ((Int) -> Void)? = nil) throws -> ClipReport {
        guard !isFinished else {
            throw MediaError(.invalidInput, role: "clip", path: destination.displayPath, problem: "finish called twice")
        }
        do {
            guard frameCount > 0 else {
                throw MediaError(.invalidInput, role: "clip", path: destination.displayPath, problem: "no frames to write")
            }
            try sink.finish(progress: progress)
            try output.commit()
        } catch {
            cancel()
            throw error
        }
        isFinished = true
        let stored = sink.storedSize
        return ClipReport(destination: destination, format: options.format, frameCount: frameCount,
                          width: stored.width, height: stored.height, codec: sink.codecName, notes: sink.notes)
    }

    /// Abandons the export and removes the temporary output.
    public func cancel() {
        isFinished = true
        output.discard()
    }

    /// Exports `frames` in one call. `progress(done, total)` is called after each frame; returning false cancels
    /// (a `MediaError` of kind `.cancelled` is thrown and nothing is left behind).
    public static func export(_ frames: [RGBImage], to destination: URL, options: ClipOptions,
                              progress: ((Int, Int) -> Bool)? = nil) throws -> ClipReport {
        try export(frameCount: frames.count, to: destination, options: options, progress: progress) { [frames[$0]] }
    }

    /// Exports `frameCount` frames produced one at a time by `panels(i)` (one or more side-by-side panels each).
    public static func export(frameCount: Int, to destination: URL, options: ClipOptions,
                              progress: ((Int, Int) -> Bool)? = nil,
                              panels: (Int) throws -> [RGBImage]) throws -> ClipReport {
        let exporter = try ClipExporter(destination: destination, options: options)
        for i in 0..<frameCount {
            do {
                try exporter.append(panels: try panels(i))
            } catch {
                exporter.cancel()
                throw error
            }
            if let progress, !progress(i + 1, frameCount) {
                exporter.cancel()
                throw MediaError(.cancelled, role: "clip", path: destination.displayPath, problem: "export cancelled")
            }
        }
        return try exporter.finish()
    }
}
