/// One guidance term: the conditions it adds to the previous level and its weight.
public struct GuidanceTerm: Codable, Sendable, Equatable {
    /// The conditions this term switches on.
    public var conditions: [GuidanceCondition]
    /// Its weight.
    public var scale: GuidanceScale
    /// Creates a term.
    public init(_ conditions: [GuidanceCondition], scale: GuidanceScale) {
        self.conditions = conditions
        self.scale = scale
    }
}
