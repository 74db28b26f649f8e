/// One shape of a rendered figure: geometry in pixels, a material, a depth and a part label.
struct Primitive: Sendable {
    /// Geometry in image pixels (y down).
    enum Shape: Sendable {
        /// A tapered capsule from `a` (radius `ra`) to `b` (radius `rb`).
        case capsule(a: SIMD2<Float>, b: SIMD2<Float>, ra: Float, rb: Float)
        /// An ellipse with unit axis `u` and radii `ru` (along u), `rv` (across).
        case ellipse(centre: SIMD2<Float>, u: SIMD2<Float>, ru: Float, rv: Float)
        /// A simple polygon grown by `rounding`; `origin`, unit lateral axis `u` and `halfWidth` give the
        /// pattern frame and the cylinder-like shading across it; `span` is the length along −u⊥ for gradients.
        case polygon(points: [SIMD2<Float>], rounding: Float, origin: SIMD2<Float>, u: SIMD2<Float>, halfWidth: Float, span: Float)
    }

    var shape: Shape
    var material: Material
    /// Depth at the start and end of a capsule (constant for other shapes).
    var depthA: Float
    var depthB: Float
    /// Painter's order key (larger is farther, drawn first).
    var sortDepth: Float
    /// Part label written to the part map; `PartLabel.none` writes nothing (shadows).
    var label: UInt8
}

/// How a surface looks: albedo pattern, shading and opacity.
struct Material: Sendable {
    var colour: Colour
    var accent: Colour = .zero
    var pattern: Garment.Pattern = .plain
    /// Pattern period in pixels.
    var periodPx: Float = 4
    /// Shaded as a round surface (true) or flat.
    var isShaded: Bool = true
    /// Opacity in [0, 1].
    var opacity: Float = 1
}

/// Part labels of the part map.
public enum PartLabel: UInt8, CaseIterable, Sendable {
    case background = 0, torso, head, hair, neck,
         rightUpperArm, rightForearm, rightHand, leftUpperArm, leftForearm, leftHand,
         rightThigh, rightShin, rightFoot, leftThigh, leftShin, leftFoot, face, skirt
    /// Written for shapes that must not appear in the part map (the floor shadow).
    static let none: UInt8 = 255

    /// True for arm and leg segments (not hands or feet).
    public var isLimb: Bool {
        switch self {
        case .rightUpperArm, .rightForearm, .leftUpperArm, .leftForearm, .rightThigh, .rightShin, .leftThigh, .leftShin: true
        default: false
        }
    }
}

/// Scene lighting: a tint, an ambient and a diffuse term, a direction in screen space (x right, y down, z out).
struct Light: Sendable {
    var tint: Colour
    var ambient: Float
    var diffuse: Float
    var direction: SIMD3<Float>
}
