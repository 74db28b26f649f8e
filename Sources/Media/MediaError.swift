import Foundation

/// Everything that can go wrong reading or writing a media file, as one line naming the file, the problem and
/// (when there is one) what to do: `image photo.png: file is truncated (unexpected end of data); re-export it`.
public struct MediaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is, for callers that react differently (the text is for people).
    public enum Kind: String, Sendable, Equatable {
        /// The path does not exist.
        case notFound
        /// The file exists but cannot be read (permissions, I/O error).
        case unreadable
        /// A folder was given where a file was expected, or the other way round.
        case wrongKind
        /// The bytes are not an image of a format Zoetrope reads.
        case unrecognized
        /// The file ends before the image does.
        case truncated
        /// The file is damaged or uses a feature the decoder rejects.
        case corrupt
        /// The header declares a picture larger than the configured limit.
        case tooLarge
        /// A valid file using something Zoetrope does not support (animated WebP, CMYK JPEG...).
        case unsupported
        /// The output exists and overwriting was not asked for.
        case outputExists
        /// The output (or its temporary file) cannot be created or written.
        case unwritable
        /// The encoder or muxer failed.
        case encoder
        /// The caller's frames or options are inconsistent (mixed sizes, no frames...).
        case invalidInput
        /// The progress callback asked to stop.
        case cancelled
    }

    /// The failure class.
    public let kind: Kind
    /// The file or folder concerned, as the user named it.
    public let path: String
    /// What was wrong.
    public let problem: String
    /// What to do about it; empty when there is nothing useful to say.
    public let advice: String
    /// Which role the path plays: "image", "clip", "frames folder", "output"...
    public let role: String

    /// Makes an error; `role` names what the file is ("image", "clip", "frames folder").
    public init(_ kind: Kind, role: String, path: String, problem: String, advice: String = "") {
        self.kind = kind
        self.role = role
        self.path = path
        self.problem = problem
        self.advice = advice
    }

    /// One line: `<role> <path>: <problem>[; <advice>]`.
    public var description: String {
        let flat = problem.replacingOccurrences(of: "\n", with: " ")
        return advice.isEmpty ? "\(role) \(path): \(flat)" : "\(role) \(path): \(flat); \(advice)"
    }
}

extension MediaError: LocalizedError {
    /// Same as `description`, so Foundation-style printing shows the one line.
    public var errorDescription: String? { description }
}
