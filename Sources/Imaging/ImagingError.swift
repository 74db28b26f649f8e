import Foundation

/// Why an Imaging operation refused its input. Every case renders as one line that says what was wrong and what to do.
///
/// Geometry (crop, pad, resize, fit) never throws: it clamps, as each function documents. Metrics and the PPM reader
/// throw these instead of trapping.
public enum ImagingError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// Two inputs that must have the same size do not (`expected` and `found` are rendered sizes such as `256×256`).
    case sizeMismatch(operation: String, expected: String, found: String)
    /// An image (or region) is smaller than the operation's window.
    case tooSmall(operation: String, width: Int, height: Int, minimum: Int)
    /// A mask is unusable: wrong length, a negative or non-finite weight, or no weight at all.
    case invalidMask(operation: String, reason: String)
    /// Planar float data does not have `3 × height × width` values.
    case planarCount(operation: String, count: Int, width: Int, height: Int)
    /// PPM data could not be read; `source` names the file (or "PPM data" for bytes in memory).
    case malformedPPM(source: String, reason: String)

    /// The one-line message.
    public var description: String {
        switch self {
        case let .sizeMismatch(operation, expected, found):
            return "\(operation): images differ in size (\(expected) and \(found)); crop or resize one to match"
        case let .tooSmall(operation, width, height, minimum):
            let window = minimum > 1 ? " for the \(minimum)×\(minimum) window" : ""
            return "\(operation): image is \(width)×\(height), needs at least \(minimum)×\(minimum)\(window); "
                + "use a larger image or region"
        case let .invalidMask(operation, reason):
            return "\(operation): mask \(reason)"
        case let .planarCount(operation, count, width, height):
            return "\(operation): planar floats have \(count) values, expected 3×\(height)×\(width) = "
                + "\(3 * width * height); pass one frame in channel-major (C×H×W) order"
        case let .malformedPPM(source, reason):
            return "\(source): \(reason)"
        }
    }

    /// The same one-line message, for `localizedDescription`.
    public var errorDescription: String? { description }
}
