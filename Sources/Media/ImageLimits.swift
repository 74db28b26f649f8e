import Foundation

/// Limits checked from an image's header before any pixel memory is allocated.
public struct ImageLimits: Sendable, Equatable {
    /// Largest accepted width in pixels.
    public var maxWidth: Int = 16384
    /// Largest accepted height in pixels.
    public var maxHeight: Int = 16384
    /// Largest accepted file, in bytes (the file is read whole before decoding).
    public var maxFileBytes: Int = 1 << 30

    /// The defaults: 16384×16384 pixels, 1 GiB files.
    public static let `default` = ImageLimits()

    /// Limits with the given largest width and height.
    public init(maxWidth: Int = 16384, maxHeight: Int = 16384, maxFileBytes: Int = 1 << 30) {
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        self.maxFileBytes = maxFileBytes
    }

    /// Throws `MediaError.tooLarge` when `width×height` exceeds the limits (or is empty).
    package func check(width: Int, height: Int, path: String) throws {
        if width <= 0 || height <= 0 {
            throw MediaError(.corrupt, role: "image", path: path, problem: "header declares an empty \(width)×\(height) picture")
        }
        if width > maxWidth || height > maxHeight {
            throw MediaError(.tooLarge, role: "image", path: path,
                             problem: "header declares \(width)×\(height) pixels, above the \(maxWidth)×\(maxHeight) limit",
                             advice: "shrink the image or raise the limit (--max-size)")
        }
        // Decoding holds an RGBA and an RGB copy: 7 bytes a pixel. Refuse what cannot fit in this machine's memory
        // rather than trap on a failed allocation when the limit was raised.
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        let needed = Double(pixels) * 7
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        if overflow || needed > physical {
            throw MediaError(.tooLarge, role: "image", path: path,
                             problem: String(format: "%d×%d pixels need %.1f GiB to decode, this machine has %.1f GiB",
                                             width, height, needed / 1_073_741_824, physical / 1_073_741_824))
        }
    }
}
