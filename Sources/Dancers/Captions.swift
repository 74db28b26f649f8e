/// Per-frame captions from a fixed vocabulary: identity, expression, move, lighting.
///
/// "a person with long red hair, a striped blue t-shirt and plain black trousers, smiling, waving their arms,
/// in warm light". Every word any caption can contain is in `vocabulary`, so a prompt encoder built on it never
/// meets an unknown word in this data.
public enum Captions {
    /// The caption of one frame.
    public static func caption(identity: Identity, expression: Expression, move: Move, lighting: Lighting) -> String {
        "\(identity.description), \(expression.phrase), \(move.phrase), \(lighting.phrase)"
    }

    /// Every word a caption can contain, sorted (punctuation removed).
    public static let vocabulary: [String] = {
        var phrases: [String] = ["a person with a bald head hair and in light"]
        phrases += Identity.HairStyle.allCases.map(\.rawValue)
        phrases += Identity.HairColour.allCases.map(\.rawValue)
        phrases += Identity.TopKind.allCases.map(\.rawValue)
        phrases += Identity.BottomKind.allCases.map(\.rawValue)
        phrases += NamedColour.allCases.map(\.rawValue)
        phrases += Garment.Pattern.allCases.map(\.rawValue)
        phrases += Expression.allCases.map(\.phrase)
        phrases += Move.allCases.map(\.phrase)
        phrases += Lighting.allCases.map(\.phrase)
        return Array(Set(phrases.flatMap(words))).sorted()
    }()

    /// The words of a caption: lower-case, split at spaces and commas.
    public static func words(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
    }
}
