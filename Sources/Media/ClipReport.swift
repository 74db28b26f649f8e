import Foundation

/// What an export wrote.
public struct ClipReport: Sendable {
    /// The file or folder written.
    public var destination: URL
    /// The format written.
    public var format: ClipFormat
    /// Frames in the file.
    public var frameCount: Int
    /// Stored width (after upscaling, layout and any padding).
    public var width: Int
    /// Stored height.
    public var height: Int
    /// The codec used: "h264 (libx264)", "mpeg4", "gif", "png".
    public var codec: String
    /// Things the user should know that are not errors (padding to even size, codec fallback).
    public var notes: [String]
}
