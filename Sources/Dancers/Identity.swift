/// One procedural person: body proportions, skin, hair, face, clothes and background, fixed by a 64-bit seed.
///
/// Distinct seeds give distinct people: 8 hair styles × 10 hair colours × 14² clothes colours × 5² patterns ×
/// 3 tops × 3 bottoms × 5 backgrounds × continuous proportions and tones — far beyond millions of combinations.
public struct Identity: Sendable, Equatable, Codable {
    /// The seed this identity was made from.
    public let seed: UInt64

    // MARK: Body (lengths in body heights; a standing person is 1.0 tall)
    /// Head height.
    public var headSize: Float
    /// Half the shoulder width.
    public var shoulderHalfWidth: Float
    /// Half the hip width.
    public var hipHalfWidth: Float
    /// Neck-to-pelvis length.
    public var torsoLength: Float
    /// Upper-arm length.
    public var upperArm: Float
    /// Forearm length.
    public var forearm: Float
    /// Thigh length.
    public var thigh: Float
    /// Shin length.
    public var shin: Float
    /// Hand length (wrist to middle fingertip).
    public var handLength: Float
    /// Multiplier on every limb radius (slim 0.85 … sturdy 1.25).
    public var build: Float
    /// Skin colour.
    public var skin: Colour

    // MARK: Hair and face
    /// Hair style.
    public var hairStyle: HairStyle
    /// Hair colour name (caption word).
    public var hairColourName: HairColour
    /// Hair colour value.
    public var hair: Colour
    /// Eye size multiplier.
    public var eyeSize: Float
    /// Eye spacing multiplier.
    public var eyeSpacing: Float
    /// Iris colour.
    public var iris: Colour
    /// Brow thickness multiplier.
    public var browThickness: Float
    /// Nose length multiplier.
    public var noseLength: Float
    /// Mouth width multiplier.
    public var mouthWidth: Float
    /// Lip colour.
    public var lips: Colour

    // MARK: Clothes
    /// Top garment.
    public var top: Garment
    /// Top sleeve kind.
    public var topKind: TopKind
    /// Bottom garment.
    public var bottom: Garment
    /// Bottom kind.
    public var bottomKind: BottomKind
    /// Shoe colour.
    public var shoes: Colour

    // MARK: Scene
    /// Background.
    public var background: Backdrop

    /// Hair styles.
    public enum HairStyle: String, CaseIterable, Sendable, Codable { case bald, short, bob, long, ponytail, bun, curly, spiky }
    /// Hair colours (caption words).
    public enum HairColour: String, CaseIterable, Sendable, Codable {
        case black, dark, brown, auburn, red, blond, grey, white, blue, pink
        var value: Colour {
            switch self {
            case .black: Colour(0.07, 0.06, 0.06)
            case .dark: Colour(0.20, 0.13, 0.08)
            case .brown: Colour(0.40, 0.25, 0.12)
            case .auburn: Colour(0.55, 0.22, 0.10)
            case .red: Colour(0.78, 0.30, 0.10)
            case .blond: Colour(0.90, 0.76, 0.42)
            case .grey: Colour(0.60, 0.60, 0.60)
            case .white: Colour(0.92, 0.92, 0.90)
            case .blue: Colour(0.20, 0.40, 0.90)
            case .pink: Colour(0.95, 0.45, 0.70)
            }
        }
    }
    /// Sleeve kinds.
    public enum TopKind: String, CaseIterable, Sendable, Codable {
        case tank = "tank top", tshirt = "t-shirt", sweater
    }
    /// Bottom kinds.
    public enum BottomKind: String, CaseIterable, Sendable, Codable { case trousers, shorts, skirt }

    /// A person, entirely determined by `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        var r = SeededRandom(seed: SeededRandom.derive(seed, 0x1D))
        headSize = r.uniform(0.14, 0.165)
        shoulderHalfWidth = r.uniform(0.095, 0.135)
        hipHalfWidth = r.uniform(0.07, 0.10)
        torsoLength = r.uniform(0.28, 0.32)
        upperArm = r.uniform(0.16, 0.19)
        forearm = r.uniform(0.14, 0.165)
        let leg = r.uniform(0.44, 0.50)
        thigh = leg * r.uniform(0.49, 0.53)
        shin = leg - thigh
        handLength = r.uniform(0.095, 0.11)
        build = r.uniform(0.85, 1.25)
        let tones: [Colour] = [
            Colour(0.98, 0.85, 0.74), Colour(0.94, 0.78, 0.64), Colour(0.88, 0.70, 0.55), Colour(0.80, 0.60, 0.45),
            Colour(0.70, 0.50, 0.36), Colour(0.58, 0.40, 0.27), Colour(0.46, 0.30, 0.20), Colour(0.34, 0.22, 0.15),
        ]
        skin = r.jitter(r.pick(tones), 0.03)
        hairStyle = r.pick(HairStyle.allCases)
        hairColourName = r.pick(HairColour.allCases)
        hair = r.jitter(hairColourName.value, 0.04)
        eyeSize = r.uniform(0.8, 1.25)
        eyeSpacing = r.uniform(0.85, 1.15)
        iris = r.jitter(r.pick([Colour(0.30, 0.18, 0.08), Colour(0.20, 0.40, 0.70), Colour(0.25, 0.50, 0.30),
                                Colour(0.12, 0.08, 0.05)]), 0.05)
        browThickness = r.uniform(0.7, 1.4)
        noseLength = r.uniform(0.8, 1.25)
        mouthWidth = r.uniform(0.8, 1.2)
        lips = simd_clamp01(skin * Colour(0.85, 0.55, 0.55) + Colour(r.uniform(0, 0.12), 0, 0))
        top = Garment(random: &r)
        topKind = r.pick(TopKind.allCases)
        var b = Garment(random: &r)
        if b.colourName == top.colourName { b = Garment(random: &r) }
        bottom = b
        bottomKind = r.pick(BottomKind.allCases)
        shoes = r.jitter(r.pick([NamedColour.black, .white, .brown, .red, .navy, .grey]).value, 0.05)
        background = Backdrop(random: &r)
    }

    /// The identity as caption words: "a person with long red hair, a striped blue t-shirt and black trousers".
    public var description: String {
        let hairText = hairStyle == .bald ? "a bald head" : "\(hairStyle.rawValue) \(hairColourName.rawValue) hair"
        return "a person with \(hairText), a \(top.description) \(topKind.rawValue) and \(bottom.description) \(bottomKind.rawValue)"
    }
}

/// A garment's look: a named colour, a pattern and the pattern's second colour.
public struct Garment: Sendable, Equatable, Codable {
    /// Caption name of the main colour.
    public var colourName: NamedColour
    /// Main colour.
    public var colour: Colour
    /// Second colour (stripes, checks, dots, gradient end).
    public var accent: Colour
    /// Pattern.
    public var pattern: Pattern
    /// Pattern period in body heights.
    public var period: Float

    /// Fabric patterns (caption words).
    public enum Pattern: String, CaseIterable, Sendable, Codable { case plain, striped, checked, dotted, gradient }

    init(random r: inout SeededRandom) {
        colourName = r.pick(NamedColour.allCases)
        colour = r.jitter(colourName.value, 0.05)
        pattern = r.pick(Pattern.allCases)
        var accentName = r.pick(NamedColour.allCases)
        if accentName == colourName { accentName = colourName == .white ? .black : .white }
        accent = r.jitter(accentName.value, 0.05)
        period = r.uniform(0.03, 0.06)
    }

    /// "striped blue", "plain red".
    public var description: String { "\(pattern.rawValue) \(colourName.rawValue)" }
}

/// A background: a wall and a floor with colours and a texture.
public struct Backdrop: Sendable, Equatable, Codable {
    /// Texture kind.
    public var kind: Kind
    /// Wall colour.
    public var wall: Colour
    /// Second wall colour (stripes, blobs, gradient).
    public var wallAccent: Colour
    /// Floor colour.
    public var floor: Colour
    /// Second floor colour (tiles).
    public var floorAccent: Colour
    /// Horizon height as a fraction of body height above the ground (0.3 … 0.7).
    public var horizon: Float
    /// Texture phase (decorrelates patterns between identities).
    public var phase: Float

    /// Background textures.
    public enum Kind: String, CaseIterable, Sendable, Codable { case studio, stripes, tiles, blobs, gradient }

    init(random r: inout SeededRandom) {
        kind = r.pick(Kind.allCases)
        let base = Colour(r.uniform(0.25, 0.9), r.uniform(0.25, 0.9), r.uniform(0.25, 0.9))
        wall = base
        wallAccent = simd_clamp01(base * r.uniform(0.6, 0.9) + Colour(repeating: r.uniform(0, 0.15)))
        floor = Colour(r.uniform(0.15, 0.6), r.uniform(0.12, 0.5), r.uniform(0.1, 0.45))
        floorAccent = simd_clamp01(floor * 0.7 + 0.15)
        horizon = r.uniform(0.3, 0.7)
        phase = r.uniform(0, 100)
    }
}
