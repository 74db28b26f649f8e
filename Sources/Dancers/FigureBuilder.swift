import Foundation

/// Turns one instant of a dancer (rig, identity, expression) into depth-sorted primitives for the rasteriser.
struct FigureBuilder {
    let identity: Identity
    let camera: Camera
    let width: Int
    let height: Int

    /// The figure's primitives, sorted far to near (ties keep build order, so output is deterministic).
    func primitives(_ rig: Rig, expression: Expression) -> [Primitive] {
        var out: [Primitive] = []
        out.reserveCapacity(80)
        let id = identity
        let s = camera.scale(height: height)
        let b = build
        func P(_ p: SIMD3<Float>) -> (SIMD2<Float>, Float) {
            let q = camera.project(p, width: width, height: height)
            return (SIMD2(q.x, q.y), q.depth)
        }
        func capsule(_ a: SIMD3<Float>, _ c: SIMD3<Float>, _ ra: Float, _ rb: Float, _ m: Material,
                     _ label: PartLabel, bias: Float = 0) {
            let (pa, da) = P(a), (pb, db) = P(c)
            out.append(Primitive(shape: .capsule(a: pa, b: pb, ra: ra * s, rb: rb * s), material: m,
                                 depthA: da, depthB: db, sortDepth: 0.5 * (da + db) + bias, label: label.rawValue))
        }
        func ellipse(_ c: SIMD3<Float>, axis: SIMD3<Float>, _ ru: Float, _ rv: Float, _ m: Material, _ label: UInt8,
                     sortAt: SIMD3<Float>? = nil, bias: Float = 0) {
            let (pc, dc) = P(c)
            var u = SIMD2<Float>(axis.x, -axis.y)
            let l = (u * u).sum().squareRoot()
            u = l > 1e-4 ? u / l : SIMD2(1, 0)
            let sd = sortAt.map { P($0).1 } ?? dc
            out.append(Primitive(shape: .ellipse(centre: pc, u: u, ru: ru * s, rv: rv * s), material: m,
                                 depthA: dc, depthB: dc, sortDepth: sd + bias, label: label))
        }
        func fabric(_ g: Garment) -> Material {
            Material(colour: g.colour, accent: g.accent, pattern: g.pattern, periodPx: max(2.2, g.period * s))
        }
        let skin = Material(colour: id.skin)
        let top = fabric(id.top), bottom = fabric(id.bottom)
        let shoe = Material(colour: id.shoes)
        let hair = Material(colour: id.hair)
        typealias J = Skeleton.Body
        let j = rig.body

        // Floor shadow.
        let pelvis = j[J.midHip.rawValue]
        out.append(Primitive(shape: .ellipse(centre: P(SIMD3(pelvis.x, 0, pelvis.z)).0, u: SIMD2(1, 0),
                                             ru: 0.17 * s, rv: 0.025 * s),
                             material: Material(colour: .zero, isShaded: false, opacity: 0.28),
                             depthA: 99, depthB: 99, sortDepth: 1e9, label: PartLabel.none))

        // Torso.
        let neck = j[J.neck.rawValue]
        let tx = rig.torsoX, ty = rig.torsoY
        let rs = j[J.rShoulder.rawValue], ls = j[J.lShoulder.rawValue]
        let rh = j[J.rHip.rawValue], lh = j[J.lHip.rawValue]
        let waist = neck + (pelvis - neck) * 0.62
        let waistHalf = 0.5 * (id.shoulderHalfWidth + id.hipHalfWidth) * 0.95
        let corners3 = [rs + ty * 0.012 - tx * 0.018, ls + ty * 0.012 + tx * 0.018,
                        waist + tx * waistHalf, lh + tx * 0.03 - ty * 0.01, rh - tx * 0.03 - ty * 0.01, waist - tx * waistHalf]
        let corners = corners3.map { P($0).0 }
        let origin = P(neck).0
        var lat = P(neck + tx).0 - origin
        let latLen = (lat * lat).sum().squareRoot()
        lat = latLen > 1e-4 ? lat / latLen : SIMD2(1, 0)
        let torsoDepth = P((neck + pelvis) * 0.5).1
        let halfW = max(1, abs(P(ls).0.x - P(rs).0.x) * 0.5 + 0.02 * s)
        let span = max(1, ((P(pelvis).0 - origin) * (P(pelvis).0 - origin)).sum().squareRoot())
        out.append(Primitive(shape: .polygon(points: corners, rounding: 0.022 * s, origin: origin, u: lat,
                                             halfWidth: halfW, span: span),
                             material: top, depthA: torsoDepth, depthB: torsoDepth, sortDepth: torsoDepth + 0.04,
                             label: PartLabel.torso.rawValue))
        // Neck (behind the torso's collar and the head).
        let hs = id.headSize
        capsule(neck - ty * 0.01, neck + rig.headY * (Rig.neckLength + 0.15 * hs), 0.03 * b, 0.028 * b,
                skin, .neck, bias: 0.05)

        // Arms.
        for side in Side.allCases {
            let L = side == .left
            let sh = j[(L ? J.lShoulder : J.rShoulder).rawValue]
            let el = j[(L ? J.lElbow : J.rElbow).rawValue]
            let wr = j[(L ? J.lWrist : J.rWrist).rawValue]
            let upper: PartLabel = L ? .leftUpperArm : .rightUpperArm
            let fore: PartLabel = L ? .leftForearm : .rightForearm
            switch id.topKind {
            case .sweater:
                capsule(sh, el, 0.038 * b, 0.031 * b, top, upper)
                capsule(el, wr, 0.031 * b, 0.024 * b, top, fore)
            case .tshirt:
                capsule(sh, el, 0.032 * b, 0.026 * b, skin, upper)
                capsule(sh, sh + (el - sh) * 0.55, 0.039 * b, 0.035 * b, top, upper, bias: -0.001)
                capsule(el, wr, 0.026 * b, 0.019 * b, skin, fore)
            case .tank:
                capsule(sh, el, 0.032 * b, 0.026 * b, skin, upper)
                capsule(el, wr, 0.026 * b, 0.019 * b, skin, fore)
            }
            out += hand(rig, side, skin: skin)
        }

        // Legs.
        for side in Side.allCases {
            let L = side == .left
            let hip = j[(L ? J.lHip : J.rHip).rawValue]
            let knee = j[(L ? J.lKnee : J.rKnee).rawValue]
            let ankle = j[(L ? J.lAnkle : J.rAnkle).rawValue]
            let thighL: PartLabel = L ? .leftThigh : .rightThigh
            let shinL: PartLabel = L ? .leftShin : .rightShin
            switch id.bottomKind {
            case .trousers:
                capsule(hip, knee, 0.060 * b, 0.044 * b, bottom, thighL)
                capsule(knee, ankle, 0.044 * b, 0.034 * b, bottom, shinL)
            case .shorts:
                capsule(hip, knee, 0.052 * b, 0.038 * b, skin, thighL)
                capsule(hip, hip + (knee - hip) * 0.6, 0.062 * b, 0.052 * b, bottom, thighL, bias: -0.001)
                capsule(knee, ankle, 0.038 * b, 0.026 * b, skin, shinL)
            case .skirt:
                capsule(hip, knee, 0.052 * b, 0.038 * b, skin, thighL)
                capsule(knee, ankle, 0.038 * b, 0.026 * b, skin, shinL)
            }
            let heel = j[(L ? J.lHeel : J.rHeel).rawValue]
            let toe = (j[(L ? J.lBigToe : J.rBigToe).rawValue] + j[(L ? J.lSmallToe : J.rSmallToe).rawValue]) * 0.5
            capsule(heel + SIMD3(0, 0.012, 0), toe + SIMD3(0, 0.008, 0), 0.026 * b, 0.022 * b, shoe,
                    L ? .leftFoot : .rightFoot, bias: -0.002)
        }
        if id.bottomKind == .skirt {
            let down = SIMD3<Float>(0, -1, 0)
            let hem = pelvis + down * (0.62 * id.thigh)
            let flare = id.hipHalfWidth + 0.075
            let quad = [lh + tx * 0.035 + ty * 0.02, hem + tx * flare, hem - tx * flare,
                        rh - tx * 0.035 + ty * 0.02].map { P($0).0 }
            let d = P(pelvis).1
            out.append(Primitive(shape: .polygon(points: quad, rounding: 0.012 * s, origin: P(pelvis).0, u: lat,
                                                 halfWidth: flare * s, span: 0.62 * id.thigh * s),
                                 material: bottom, depthA: d, depthB: d, sortDepth: d - 0.05, label: PartLabel.skirt.rawValue))
        }

        // Head, ears, hair, face.
        out += head(rig, expression: expression, skin: skin, hair: hair)
        // Far to near; equal depths keep build order.
        let order = out.indices.sorted { a, c in
            out[a].sortDepth != out[c].sortDepth ? out[a].sortDepth > out[c].sortDepth : a < c
        }
        return order.map { out[$0] }
    }

    private var build: Float { identity.build }



    /// Palm polygon and finger capsules of one hand.
    private func hand(_ rig: Rig, _ side: Side, skin: Material) -> [Primitive] {
        var out: [Primitive] = []
        let s = camera.scale(height: height)
        func P(_ p: SIMD3<Float>) -> (SIMD2<Float>, Float) {
            let q = camera.project(p, width: width, height: height)
            return (SIMD2(q.x, q.y), q.depth)
        }
        let h = rig.hands[side.rawValue]
        let label = (side == .left ? PartLabel.leftHand : PartLabel.rightHand).rawValue
        let hl = identity.handLength
        let a = normalize(h[9] - h[0]), across = normalize(h[5] - h[17])
        let palm3 = [h[0] + across * (0.13 * hl), h[5] + across * 0.01 * hl, h[17] - across * 0.01 * hl,
                     h[0] - across * (0.13 * hl)]
        let palm = palm3.map { P($0).0 }
        let centre = (h[0] + h[9]) * 0.5
        let (pc, dc) = P(centre)
        var u = P(centre + across).0 - pc
        let ul = (u * u).sum().squareRoot()
        u = ul > 1e-4 ? u / ul : SIMD2(1, 0)
        _ = a
        let handMat = Material(colour: skin.colour * 0.97)
        out.append(Primitive(shape: .polygon(points: palm, rounding: 0.05 * hl * s, origin: pc, u: u,
                                             halfWidth: 0.2 * hl * s, span: 0.5 * hl * s),
                             material: handMat, depthA: dc, depthB: dc, sortDepth: dc, label: label))
        let radius = 0.075 * hl * build
        for (i, k) in Skeleton.handEdges.enumerated() where i % 4 != 0 || i == 0 {
            // Bones from the wrist to the knuckles (0→5, 0→9, ...) lie inside the palm; skip them.
            let (pa, da) = P(h[k.0]), (pb, db) = P(h[k.1])
            let r = (k.0 == 0 ? 1.2 : 1.0) * radius * s
            out.append(Primitive(shape: .capsule(a: pa, b: pb, ra: r, rb: r * 0.85), material: handMat,
                                 depthA: da, depthB: db, sortDepth: 0.5 * (da + db) - 0.0005, label: label))
        }
        return out
    }
}
