/// A sampling configuration or input that cannot be used, with a message fit for one line of output.
public struct SamplingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The one-line explanation: what was wrong and what to do.
    public let message: String
    /// Creates an error with the given one-line message.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
