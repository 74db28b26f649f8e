/// Why Preview could not turn a picture into terminal bytes. Each case reads as one line for the user.
public enum PreviewError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The image has no pixels, so there is nothing to show.
    case emptyImage(width: Int, height: Int)
    /// An option is outside the range the encoder supports.
    case invalidOption(String)

    /// One line naming what was wrong and what to do.
    public var description: String {
        switch self {
        case let .emptyImage(width, height):
            return "image is \(width)×\(height): nothing to show (give an image at least 1×1 pixel)"
        case let .invalidOption(text):
            return text
        }
    }
}
