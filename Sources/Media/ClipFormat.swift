import Foundation

/// The kinds of clip file Zoetrope writes.
public enum ClipFormat: String, Sendable, CaseIterable, Codable {
    /// H.264 (libx264, yuv420p) in MP4, or MPEG-4 Part 2 when libx264 is absent.
    case mp4
    /// Animated GIF89a with one palette for the whole clip.
    case gif
    /// A folder of numbered PNG files (`frame_00000.png`, ...).
    case pngSequence = "png-seq"

    /// The format implied by the destination's extension: `.mp4`, `.gif`, or no extension for a folder.
    public static func inferred(from url: URL) -> ClipFormat? {
        switch url.pathExtension.lowercased() {
        case "mp4", "m4v": return .mp4
        case "gif": return .gif
        case "": return .pngSequence
        default: return nil
        }
    }
}
