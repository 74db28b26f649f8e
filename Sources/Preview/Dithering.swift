/// How pixels are mapped to a palette that lacks their exact colour.
public enum Dithering: String, Sendable, CaseIterable, Codable {
    /// Nearest colour only: flat areas stay flat, gradients band.
    case none
    /// An 8×8 Bayer threshold matrix added before the lookup: stable from frame to frame, no error crawl in playback.
    case ordered
    /// Floyd–Steinberg error diffusion (7/16 right, 3/16 below-left, 5/16 below, 1/16 below-right).
    case floydSteinberg = "floyd-steinberg"
}
