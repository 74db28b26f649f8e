import Foundation
import Imaging

/// How a clip is written. Every field has a working default except the format.
public struct ClipOptions: Sendable {
    /// The file kind.
    public var format: ClipFormat
    /// Frames per second (1...120). GIF stores whole-centisecond delays, spread so the total duration is exact.
    public var fps: Int = 12
    /// H.264 constant rate factor, 0 (lossless) to 51 (worst). The default, 15, gives 38.6-38.8 dB PSNR on the
    /// 48-frame 256×256 test clip, whose yuv420p ceiling (lossless H.264) is 39.5 dB.
    public var quality: Int = ClipOptions.defaultQuality
    /// x264 preset; "veryfast" encodes a 48-frame 256×256 clip in a few tens of milliseconds.
    public var preset: String = "veryfast"
    /// Integer upscaling factor applied to every panel before layout (1 = none).
    public var upscale: Int = 1
    /// Resampling filter for upscaling.
    public var filter: ResampleFilter = .nearest
    /// Pixels between side-by-side panels.
    public var panelGap: Int = 4
    /// Colour of the gaps and of padding around shorter panels.
    public var panelBackground: RGB = RGB(0, 0, 0)
    /// Floyd–Steinberg dithering for GIF (smoother gradients, some temporal shimmer).
    public var dither: Bool = false
    /// Replace an existing destination.
    public var overwrite: Bool = false
    /// Use MPEG-4 Part 2 even when libx264 is present (tests the fallback; also `ZOETROPE_FORCE_MPEG4=1`).
    public var forceMPEG4: Bool = false
    /// Encoder threads; 0 lets the encoder choose.
    public var threads: Int = 0
    /// zlib level for PNG sequences.
    public var pngCompression: Int = PNGWriter.defaultCompression

    /// Default CRF.
    public static let defaultQuality = 15

    /// Options for `format` with the defaults above.
    public init(format: ClipFormat) {
        self.format = format
    }

    /// Throws when a value is out of range; `path` names the destination.
    package func validate(path: String) throws {
        func bad(_ problem: String) -> MediaError {
            MediaError(.invalidInput, role: "clip", path: path, problem: problem)
        }
        guard (1...120).contains(fps) else { throw bad("fps must be from 1 to 120, got \(fps)") }
        guard (0...51).contains(quality) else { throw bad("quality (CRF) must be from 0 to 51, got \(quality)") }
        guard (1...16).contains(upscale) else { throw bad("upscale must be from 1 to 16, got \(upscale)") }
        guard (0...256).contains(panelGap) else { throw bad("panel gap must be from 0 to 256, got \(panelGap)") }
    }
}
