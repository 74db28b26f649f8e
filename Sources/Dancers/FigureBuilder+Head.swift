import Foundation

extension FigureBuilder {
    /// Head ellipse, ears, hair layers and (when facing the camera) eyes, brows, nose and mouth.
    func head(_ rig: Rig, expression: Expression, skin: Material, hair: Material) -> [Primitive] {
        var out: [Primitive] = []
        let id = identity
        let s = camera.scale(height: height)
        func P(_ p: SIMD3<Float>) -> (SIMD2<Float>, Float) {
            let q = camera.project(p, width: width, height: height)
            return (SIMD2(q.x, q.y), q.depth)
        }
        func ellipse(_ c: SIMD3<Float>, _ axis: SIMD3<Float>, _ ru: Float, _ rv: Float, _ m: Material, _ label: UInt8,
                     _ sortAt: SIMD3<Float>?, _ bias: Float) {
            let (pc, dc) = P(c)
            var u = SIMD2<Float>(axis.x, -axis.y)
            let l = (u * u).sum().squareRoot()
            u = l > 1e-4 ? u / l : SIMD2(1, 0)
            let sd = sortAt.map { P($0).1 } ?? dc
            out.append(Primitive(shape: .ellipse(centre: pc, u: u, ru: ru * s, rv: rv * s), material: m,
                                 depthA: dc, depthB: dc, sortDepth: sd + bias, label: label))
        }
        let hs = id.headSize
        let c = rig.headCentre, hx = rig.headX, hy = rig.headY, hz = rig.headZ
        let facing = hz.z
        let headL = PartLabel.head.rawValue, hairL = PartLabel.hair.rawValue, faceL = PartLabel.face.rawValue
        func at(_ x: Float, _ y: Float, _ z: Float) -> SIMD3<Float> { c + hx * (x * hs) + hy * (y * hs) + hz * (z * hs) }
        // Screen "up" of the head is −hy; ellipse axis u follows the head's x axis.
        ellipse(c, hx, 0.40 * hs, 0.50 * hs, skin, headL, nil, 0)
        for side in Side.allCases {
            ellipse(at(side.sign * 0.40, 0.0, -0.02), hx, 0.09 * hs, 0.13 * hs, Material(colour: skin.colour * 0.92),
                    headL, nil, 0)
        }
        // Hair: a layer behind the head (it covers the head when the dancer turns away) and a fringe in front.
        let style = id.hairStyle
        if style != .bald {
            let back = at(0, 0.08, -0.25)
            switch style {
            case .long:
                let top = P(at(0, 0.12, -0.25)), bottom = P(at(0, -1.0, -0.35))
                out.append(Primitive(shape: .capsule(a: top.0, b: bottom.0, ra: 0.47 * hs * s, rb: 0.52 * hs * s),
                                     material: hair, depthA: top.1, depthB: bottom.1, sortDepth: top.1, label: hairL))
            case .bob:
                ellipse(at(0, -0.05, -0.25), hx, 0.50 * hs, 0.56 * hs, hair, hairL, back, 0)
            case .curly:
                ellipse(at(0, 0.05, -0.25), hx, 0.52 * hs, 0.58 * hs, Material(colour: hair.colour, accent: hair.colour * 0.7,
                                                                             pattern: .dotted, periodPx: max(2, 0.18 * hs * s)),
                        hairL, back, 0)
            default:
                ellipse(at(0, 0.08, -0.25), hx, 0.45 * hs, 0.50 * hs, hair, hairL, back, 0)
            }
            switch style {
            case .ponytail:
                let a = P(at(0, 0.25, -0.45)), b2 = P(at(0, -0.75, -0.75))
                out.append(Primitive(shape: .capsule(a: a.0, b: b2.0, ra: 0.16 * hs * s, rb: 0.10 * hs * s),
                                     material: hair, depthA: a.1, depthB: b2.1, sortDepth: a.1, label: hairL))
            case .bun:
                ellipse(at(0, 0.52, -0.25), hx, 0.20 * hs, 0.18 * hs, hair, hairL, at(0, 0.52, -0.35), 0)
            case .spiky:
                for k in 0..<5 {
                    let x = Float(k - 2) * 0.17
                    let base1 = P(at(x - 0.09, 0.38, 0.1)).0, base2 = P(at(x + 0.09, 0.38, 0.1)).0
                    let tip = P(at(x * 1.3, 0.68, 0.0))
                    out.append(Primitive(shape: .polygon(points: [base1, tip.0, base2], rounding: 0.02 * hs * s,
                                                         origin: tip.0, u: SIMD2(1, 0), halfWidth: 0.1 * hs * s, span: 1),
                                         material: hair, depthA: tip.1, depthB: tip.1, sortDepth: P(at(0, 0.5, -0.1)).1,
                                         label: hairL))
                }
            default: break
            }
            // Fringe / crown in front of the forehead.
            let fringeDepthAt = at(0, 0.36, 0.30)
            let rv: Float = style == .curly ? 0.22 : 0.17
            let crown = Material(colour: hair.colour, accent: hair.colour * 0.75, pattern: style == .curly ? .dotted : .plain,
                                 periodPx: max(2, 0.18 * hs * s))
            ellipse(at(0, 0.36, 0.1), hx, 0.40 * hs, rv * hs, crown, hairL, fringeDepthAt, 0)
        }
        guard facing > 0.15 else { return out }
        // Face features: flat shapes slightly in front of the face, foreshortened by how far the head turns.
        let front = P(at(0, 0, 0.6)).1
        var u = P(c + hx).0 - P(c).0
        let ul = (u * u).sum().squareRoot()
        u = ul > 1e-4 ? u / ul : SIMD2(1, 0)
        let squash = max(0.35, facing)
        func dot2(_ p: SIMD3<Float>, _ ru: Float, _ rv: Float, _ colour: Colour, bias: Float) {
            let (pc, d) = P(p)
            out.append(Primitive(shape: .ellipse(centre: pc, u: u, ru: max(0.42, ru * hs * s * squash), rv: max(0.42, rv * hs * s)),
                                 material: Material(colour: colour, isShaded: false), depthA: d, depthB: d,
                                 sortDepth: front + bias, label: faceL))
        }
        func line(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ r: Float, _ colour: Colour, bias: Float) {
            let (pa, da) = P(a), (pb, db) = P(b)
            out.append(Primitive(shape: .capsule(a: pa, b: pb, ra: max(0.4, r * hs * s), rb: max(0.4, r * hs * s)),
                                 material: Material(colour: colour, isShaded: false), depthA: da, depthB: db,
                                 sortDepth: front + bias, label: faceL))
        }
        typealias F = Skeleton.Face
        let f = rig.face
        let dark = Colour(0.08, 0.06, 0.06)
        let browColour = id.hairStyle == .bald ? id.skin * 0.45 : id.hair * 0.7
        let eyeScale: Float = expression == .surprised ? 1.3 : 1
        let browLift: Float = expression == .surprised ? 0.06 : 0
        for side in Side.allCases {
            let L = side == .left
            let pupil = f[L ? F.pupilLeft : F.pupilRight]
            let outer = f[L ? F.eyeLeftOuter : F.eyeRightOuter], inner = f[L ? F.eyeLeftInner : F.eyeRightInner]
            if expression == .eyesClosed {
                line(outer, inner + hy * (-0.01 * hs), 0.022, dark, bias: -0.0003)
            } else {
                dot2(pupil, 0.085 * id.eyeSize * eyeScale, 0.06 * id.eyeSize * eyeScale, Colour(0.96, 0.96, 0.94), bias: -0.0002)
                dot2(pupil + hz * 0.01 * hs, 0.045 * id.eyeSize * eyeScale, 0.045 * id.eyeSize * eyeScale,
                     id.iris * 0.6, bias: -0.0003)
            }
            let brow = f[L ? F.browLeft : F.browRight] + hy * (browLift * hs)
            let tilt: Float = expression == .surprised ? 0.02 : 0
            line(brow - hx * (side.sign * 0.07 * hs) - hy * (tilt * hs), brow + hx * (side.sign * 0.07 * hs),
                 0.022 * id.browThickness, browColour, bias: -0.0003)
        }
        // Nose: a soft shadow line down to the tip.
        line(at(0, 0.0, 0.46), f[F.noseTip], 0.035, id.skin * 0.8, bias: -0.0001)
        // Mouth.
        let mr = f[F.mouthRight], ml = f[F.mouthLeft], mid = (mr + ml) * 0.5
        let lipDark = id.lips * 0.75
        switch expression {
        case .smiling:
            let up = hy * (0.05 * hs)
            let bottom = mid - hy * (0.035 * hs)
            line(mr + up - hx * (0.015 * hs), bottom, 0.03, lipDark, bias: -0.0002)
            line(bottom, ml + up + hx * (0.015 * hs), 0.03, lipDark, bias: -0.0002)
            for side in Side.allCases {
                dot2(at(side.sign * 0.24, -0.12, 0.33), 0.07, 0.05, simd_clamp01(id.skin * 0.9 + Colour(0.1, 0, 0)), bias: 0)
            }
        case .surprised:
            dot2(mid - hy * (0.02 * hs), 0.06, 0.085, Colour(0.35, 0.08, 0.08), bias: -0.0002)
        default:
            line(mr, ml, 0.028, lipDark, bias: -0.0002)
        }
        return out
    }
}
