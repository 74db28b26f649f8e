/// A float RGB colour in [0, 1] (sRGB values, blended as-is).
public typealias Colour = SIMD3<Float>

/// The named colours clothes, hair and backgrounds are drawn from; the names are caption words.
public enum NamedColour: String, CaseIterable, Sendable, Codable {
    case red, orange, yellow, green, teal, blue, navy, purple, pink, white, grey, black, brown, beige

    /// The base value of the colour (an identity jitters it slightly).
    public var value: Colour {
        switch self {
        case .red: Colour(0.80, 0.12, 0.12)
        case .orange: Colour(0.95, 0.50, 0.10)
        case .yellow: Colour(0.95, 0.85, 0.20)
        case .green: Colour(0.20, 0.62, 0.22)
        case .teal: Colour(0.10, 0.58, 0.58)
        case .blue: Colour(0.18, 0.38, 0.85)
        case .navy: Colour(0.10, 0.14, 0.40)
        case .purple: Colour(0.50, 0.22, 0.68)
        case .pink: Colour(0.95, 0.50, 0.68)
        case .white: Colour(0.93, 0.93, 0.91)
        case .grey: Colour(0.50, 0.50, 0.52)
        case .black: Colour(0.10, 0.10, 0.11)
        case .brown: Colour(0.45, 0.28, 0.14)
        case .beige: Colour(0.85, 0.77, 0.60)
        }
    }
}

extension SeededRandom {
    /// A colour jittered around `base` by up to ±`amount` per channel, clamped to [0, 1].
    mutating func jitter(_ base: Colour, _ amount: Float) -> Colour {
        let j = Colour(uniform(-amount, amount), uniform(-amount, amount), uniform(-amount, amount))
        return simd_clamp01(base + j)
    }
}

@inlinable func simd_clamp01(_ c: Colour) -> Colour {
    Colour(Swift.min(1, Swift.max(0, c.x)), Swift.min(1, Swift.max(0, c.y)), Swift.min(1, Swift.max(0, c.z)))
}
