import Foundation
import Imaging

/// PNG sequence output: `frame_00000.png`, `frame_00001.png`, ... (0-based, like pose frame indices) written into
/// the exporter's temporary folder as they arrive.
final class PNGSequenceSink: ClipSink {
    private let output: AtomicOutput
    private let compression: Int
    private var size = (width: 0, height: 0)
    let codecName = "png"
    let notes: [String] = []
    var storedSize: (width: Int, height: Int) { size }

    init(output: AtomicOutput, compression: Int) {
        self.output = output
        self.compression = compression
    }

    /// The file name of frame `index`.
    static func fileName(_ index: Int) -> String {
        let digits = String(index)
        return "frame_" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".png"
    }

    func append(_ frame: RGBImage, index: Int) throws {
        size = (frame.width, frame.height)
        let name = Self.fileName(index)
        let bytes = try PNGWriter.encode(frame, compression: compression, path: output.destination.displayPath + "/" + name)
        try AtomicOutput.writeFile(bytes, to: output.temporary.appendingPathComponent(name), role: "frames folder",
                                   shown: output.destination.displayPath)
    }

    func finish(progress: ((Int) -> Void)?) throws {}
}
