import Imaging

/// Settings of the sixel encoder; every field has a sensible default.
public struct SixelOptions: Sendable, Equatable {
    /// Palette size for adaptive palettes, 1...256 (256 is the safe number of colour registers).
    public var maxColors = 256
    /// How pixels are mapped to the palette. None by default: with 256 adaptive colours it gives the highest PSNR
    /// and no frame-to-frame noise in playback (measurements in docs/decisions/preview.md); use Floyd–Steinberg for
    /// small palettes.
    public var dithering: Dithering = .none
    /// Integer upscaling, 1...64: each pixel becomes a `scale × scale` block (a 64×64 frame shown at 256×256 costs
    /// the same to encode as at 64×64, because horizontal repeats become `!n` runs).
    public var scale = 1
    /// Pixels of exactly this colour are left unpainted (`P2 = 1`), so the terminal's background shows through.
    public var transparentColor: RGB? = nil
    /// k-means rounds after median cut when building adaptive palettes.
    public var refinementPasses = 1

    /// The defaults.
    public init() {}

    /// Throws when a field is out of range.
    func validate() throws {
        guard (1...256).contains(maxColors) else {
            throw PreviewError.invalidOption("sixel colours must be 1...256, got \(maxColors)")
        }
        guard (1...64).contains(scale) else {
            throw PreviewError.invalidOption("sixel scale must be 1...64, got \(scale)")
        }
        guard (0...16).contains(refinementPasses) else {
            throw PreviewError.invalidOption("palette refinement passes must be 0...16, got \(refinementPasses)")
        }
    }
}
