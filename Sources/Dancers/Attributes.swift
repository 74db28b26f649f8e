/// Facial expressions a clip can switch between (caption phrases in `phrase`).
public enum Expression: String, CaseIterable, Sendable, Codable {
    case neutral, smiling, surprised, eyesClosed = "eyes closed"

    /// Caption phrase: "with a neutral face", "smiling", "surprised", "with eyes closed".
    public var phrase: String {
        switch self {
        case .neutral: "with a neutral face"
        case .smiling: "smiling"
        case .surprised: "surprised"
        case .eyesClosed: "with eyes closed"
        }
    }
}

/// Scene lighting presets (caption word + "light").
public enum Lighting: String, CaseIterable, Sendable, Codable {
    case daylight, warm, cool, dim, bright

    /// Caption phrase: "in daylight", "in warm light", ...
    public var phrase: String { self == .daylight ? "in daylight" : "in \(rawValue) light" }

    /// The light: tint, ambient and diffuse strength, direction (from the upper left, toward the viewer).
    var light: Light {
        let dir = normalize(SIMD3<Float>(-0.45, -0.55, 0.70))
        switch self {
        case .daylight: return Light(tint: Colour(1.0, 1.0, 0.98), ambient: 0.55, diffuse: 0.50, direction: dir)
        case .warm: return Light(tint: Colour(1.10, 0.88, 0.66), ambient: 0.55, diffuse: 0.50, direction: dir)
        case .cool: return Light(tint: Colour(0.78, 0.92, 1.12), ambient: 0.55, diffuse: 0.50, direction: dir)
        case .dim: return Light(tint: Colour(0.85, 0.85, 0.90), ambient: 0.28, diffuse: 0.30, direction: dir)
        case .bright: return Light(tint: Colour(1.05, 1.05, 1.05), ambient: 0.75, diffuse: 0.45, direction: dir)
        }
    }
}
