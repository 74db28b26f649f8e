import Imaging

/// GIF output: frames are kept until `finish`, because the one palette is built from all of them.
final class GIFSink: ClipSink {
    private let output: AtomicOutput
    private let fps: Int
    private let dither: Bool
    private var frames: [RGBImage] = []
    private(set) var notes: [String] = []
    let codecName = "gif"
    private(set) var storedSize: (width: Int, height: Int) = (0, 0)

    init(output: AtomicOutput, fps: Int, dither: Bool) {
        self.output = output
        self.fps = fps
        self.dither = dither
        if fps > 50 {
            notes.append("GIF delays are whole centiseconds and viewers slow anything above 50 fps down")
        }
    }

    func append(_ frame: RGBImage, index: Int) throws {
        storedSize = (frame.width, frame.height)
        frames.append(frame)
    }

    func finish(progress: ((Int) -> Void)?) throws {
        let path = output.destination.displayPath
        if frames.first.map({ $0.width > 65535 || $0.height > 65535 }) == true {
            throw MediaError(.invalidInput, role: "clip", path: path, problem: "GIF frames are limited to 65535×65535")
        }
        let (bytes, palette) = GIFEncoder.encode(frames: frames, fps: fps, dither: dither, progress: progress)
        if !palette.isExact {
            notes.append("\(path): \(palette.colors.count)-colour palette (the clip has more colours)\(dither ? ", dithered" : "")")
        }
        try output.write(bytes)
        frames = []
    }
}
