/// A condition the model can be given or denied in a classifier-free-guidance pass.
public enum GuidanceCondition: String, Codable, Sendable, CaseIterable, Comparable {
    /// The reference image's features (ReferenceNet keys/values).
    case reference
    /// The pose (and hand motion) guidance branch.
    case pose
    /// The prompt embedding (denied = the empty prompt).
    case prompt

    /// Declaration order.
    public static func < (a: Self, b: Self) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }
}
