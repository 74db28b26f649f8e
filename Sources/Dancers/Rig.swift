import Foundation

/// Forward kinematics: turns `PoseParameters` and an `Identity`'s proportions into 3-D joint positions.
///
/// World frame: x to the viewer's right, y up, z toward the camera; lengths in body heights, ground at y = 0.
/// The body frame's x axis points to the person's left, so at yaw 0 the dancer faces the camera.
struct Rig: Sendable {
    /// BODY_25 joints.
    var body: [SIMD3<Float>]
    /// Hands, indexed by `Side.rawValue` (right 0, left 1), 21 points each.
    var hands: [[SIMD3<Float>]]
    /// Face-70 slots; only `Skeleton.faceSubset` is meaningful.
    var face: [SIMD3<Float>]
    /// Head centre.
    var headCentre: SIMD3<Float>
    /// Head frame: right-to-left axis, up axis, forward (face) axis.
    var headX: SIMD3<Float>, headY: SIMD3<Float>, headZ: SIMD3<Float>
    /// Torso frame axes (x to the person's left, y up, z forward).
    var torsoX: SIMD3<Float>, torsoY: SIMD3<Float>, torsoZ: SIMD3<Float>
    /// Palm normals per hand (the side the fingers curl toward).
    var palmNormals: [SIMD3<Float>]

    /// Neck length in body heights.
    static let neckLength: Float = 0.035
    /// Height of the ankle above the sole.
    static let ankleHeight: Float = 0.045
    /// Foot length.
    static let footLength: Float = 0.075

    init(_ p: PoseParameters, _ id: Identity) {
        let yaw = p[PoseParameters.yaw]
        let rp = Mat3.rotY(yaw)
        let rt = rp * Mat3.rotX(p[PoseParameters.leanForward]) * Mat3.rotZ(p[PoseParameters.leanSide])
        let rh = rt * Mat3.rotY(p[PoseParameters.headYaw]) * Mat3.rotX(p[PoseParameters.headNod])
            * Mat3.rotZ(p[PoseParameters.headTilt])

        // Legs relative to the pelvis, then the pelvis height that puts the lower foot on the ground.
        var legRel: [(hip: SIMD3<Float>, knee: SIMD3<Float>, ankle: SIMD3<Float>)] = []
        let hipShift = p[PoseParameters.hipShift]
        for s in Side.allCases {
            let hip = rp * SIMD3(s.sign * id.hipHalfWidth + hipShift, 0, 0)
            let abd = p[leg: s, PoseParameters.thAbd], flex = p[leg: s, PoseParameters.thFlex]
            let dThigh = Rig.direction(abd: abd, flex: flex, sign: s.sign)
            let dShin = Mat3.rotX(p[leg: s, PoseParameters.knee]) * dThigh
            let knee = hip + rp * dThigh * id.thigh
            let ankle = knee + rp * dShin * id.shin
            legRel.append((hip, knee, ankle))
        }
        let lowest = min(legRel[0].ankle.y, legRel[1].ankle.y)
        let pelvis = SIMD3<Float>(p[PoseParameters.rootX], Rig.ankleHeight - lowest + max(0, p[PoseParameters.jump]),
                                  p[PoseParameters.rootZ])

        var b = [SIMD3<Float>](repeating: .zero, count: 25)
        typealias J = Skeleton.Body
        b[J.midHip.rawValue] = pelvis + rp * SIMD3(hipShift, 0, 0)
        let neck = pelvis + rt * SIMD3(0, id.torsoLength, 0)
        b[J.neck.rawValue] = neck
        var palmNormals: [SIMD3<Float>] = [.zero, .zero]
        var hands: [[SIMD3<Float>]] = [[], []]
        for s in Side.allCases {
            let L = s == .left
            let sh = neck + rt * SIMD3(s.sign * id.shoulderHalfWidth, -0.015, 0)
            let dUpper = rt * Rig.direction(abd: p[arm: s, PoseParameters.shAbd], flex: p[arm: s, PoseParameters.shFlex], sign: s.sign)
            let dFore = rt * Rig.direction(abd: p[arm: s, PoseParameters.foreAbd], flex: p[arm: s, PoseParameters.foreFlex], sign: s.sign)
            let elbow = sh + dUpper * id.upperArm
            let wrist = elbow + dFore * id.forearm
            b[(L ? J.lShoulder : J.rShoulder).rawValue] = sh
            b[(L ? J.lElbow : J.rElbow).rawValue] = elbow
            b[(L ? J.lWrist : J.rWrist).rawValue] = wrist
            let (pts, normal) = Rig.hand(wrist: wrist, axis: dFore, side: s, p: p, length: id.handLength)
            hands[s.rawValue] = pts
            palmNormals[s.rawValue] = normal

            let leg = legRel[s.rawValue]
            let hip = pelvis + leg.hip, knee = pelvis + leg.knee, ankle = pelvis + leg.ankle
            b[(L ? J.lHip : J.rHip).rawValue] = hip
            b[(L ? J.lKnee : J.rKnee).rawValue] = knee
            b[(L ? J.lAnkle : J.rAnkle).rawValue] = ankle
            let fp = p[leg: s, PoseParameters.footPoint]
            let fwd = rp * SIMD3(0, -sin(fp), cos(fp))
            let lateral = rp * SIMD3(s.sign, 0, 0)
            b[(L ? J.lBigToe : J.rBigToe).rawValue] = ankle + fwd * Rig.footLength - lateral * 0.012 + SIMD3(0, -0.03, 0)
            b[(L ? J.lSmallToe : J.rSmallToe).rawValue] = ankle + fwd * (Rig.footLength * 0.8) + lateral * 0.022 + SIMD3(0, -0.03, 0)
            b[(L ? J.lHeel : J.rHeel).rawValue] = ankle - fwd * 0.025 + SIMD3(0, -0.035, 0)
        }

        // Head and face: an ellipsoid of height hs, width 0.8 hs, depth 0.9 hs.
        let hs = id.headSize
        let hx = rh * SIMD3(1, 0, 0), hy = rh * SIMD3(0, 1, 0), hz = rh * SIMD3(0, 0, 1)
        let centre = neck + rh * SIMD3(0, Rig.neckLength + 0.5 * hs, 0)
        func at(_ x: Float, _ y: Float, _ z: Float) -> SIMD3<Float> { centre + hx * (x * hs) + hy * (y * hs) + hz * (z * hs) }
        typealias F = Skeleton.Face
        var f = [SIMD3<Float>](repeating: .zero, count: Pose.faceCount)
        let eyeX = 0.17 * id.eyeSpacing
        for s in Side.allCases {
            let L = s == .left, x = s.sign
            f[L ? F.pupilLeft : F.pupilRight] = at(x * eyeX, 0.04, 0.40)
            f[L ? F.eyeLeftOuter : F.eyeRightOuter] = at(x * (eyeX + 0.07 * id.eyeSize), 0.04, 0.37)
            f[L ? F.eyeLeftInner : F.eyeRightInner] = at(x * (eyeX - 0.07 * id.eyeSize), 0.04, 0.41)
            f[L ? F.browLeft : F.browRight] = at(x * eyeX, 0.14, 0.40)
            f[L ? F.mouthLeft : F.mouthRight] = at(x * 0.11 * id.mouthWidth, -0.25, 0.37)
            f[L ? F.jawLeft : F.jawRight] = at(x * 0.37, -0.02, 0.08)
            b[(L ? J.lEye : J.rEye).rawValue] = f[L ? F.pupilLeft : F.pupilRight]
            b[(L ? J.lEar : J.rEar).rawValue] = at(x * 0.41, 0.0, -0.02)
        }
        f[F.noseTip] = at(0, -0.09 * id.noseLength, 0.46)
        f[F.lipTop] = at(0, -0.22, 0.41)
        f[F.lipBottom] = at(0, -0.29, 0.39)
        f[F.chin] = at(0, -0.45, 0.25)
        b[J.nose.rawValue] = f[F.noseTip]

        body = b
        self.hands = hands
        face = f
        headCentre = centre
        headX = hx; headY = hy; headZ = hz
        torsoX = rt * SIMD3(1, 0, 0); torsoY = rt * SIMD3(0, 1, 0); torsoZ = rt * SIMD3(0, 0, 1)
        self.palmNormals = palmNormals
    }

    /// Limb direction from spherical angles: (sign·sin abd·cos flex, −cos abd·cos flex, sin flex).
    static func direction(abd: Float, flex: Float, sign: Float) -> SIMD3<Float> {
        SIMD3(sign * sin(abd) * cos(flex), -cos(abd) * cos(flex), sin(flex))
    }

    /// The 21 hand points: palm facing the camera by default (thumb side `b = −side·(a × z)`), rolled by
    /// `palmRoll`, bent at the wrist toward the palm, fingers curled segment by segment toward the palm normal.
    static func hand(wrist: SIMD3<Float>, axis: SIMD3<Float>, side: Side, p: PoseParameters,
                     length hl: Float) -> ([SIMD3<Float>], SIMD3<Float>) {
        var a = normalize(axis)
        var cross0 = cross(a, SIMD3(0, 0, 1))
        if length(cross0) < 0.2 { cross0 = cross(a, SIMD3(0, -1, 0)) }
        var bvec = normalize(cross0) * (-side.sign)
        let roll = p[arm: side, PoseParameters.palmRoll]
        bvec = normalize(bvec * cos(roll) + cross(a, bvec) * sin(roll))
        var n = normalize(cross(bvec, a)) * (-side.sign)
        let w = p[arm: side, PoseParameters.wristBend]
        let a2 = a * cos(w) + n * sin(w)
        n = n * cos(w) - a * sin(w)
        a = a2
        let curl = max(0, min(1, p[arm: side, PoseParameters.curl]))
        let spread = p[arm: side, PoseParameters.spread]
        let indexOut = max(0, min(1, p[arm: side, PoseParameters.indexOut]))
        let palm = 0.44 * hl, width = 0.40 * hl
        var pts = [SIMD3<Float>](repeating: wrist, count: 21)
        // Thumb: CMC near the wrist on the thumb side, then three segments.
        let thumbOpen = normalize(a * 0.55 + bvec * 0.75 + n * 0.25)
        let thumbClosed = normalize(a * 0.7 - bvec * 0.2 + n * 0.7)
        let thumbDir = normalize(thumbOpen * (1 - curl) + thumbClosed * curl)
        pts[1] = wrist + a * (0.12 * hl) + bvec * (0.16 * hl)
        let thumbSegs: [Float] = [0.16, 0.13, 0.11]
        for j in 0..<3 { pts[2 + j] = pts[1 + j] + thumbDir * (thumbSegs[j] * hl) }
        // Fingers: index, middle, ring, little.
        let lateral: [Float] = [0.36, 0.12, -0.12, -0.34]
        let along: [Float] = [1.0, 1.0, 0.96, 0.88]
        let lengths: [Float] = [0.52, 0.58, 0.54, 0.44]
        let fan: [Float] = [0.22, 0.07, -0.07, -0.22]
        let split: [Float] = [0.45, 0.30, 0.25]
        let maxBend: [Float] = [1.3, 1.6, 1.1]
        for fi in 0..<4 {
            let base = wrist + a * (palm * along[fi]) + bvec * (width * lateral[fi])
            let phi = spread * fan[fi]
            let ai = a * cos(phi) + bvec * sin(phi)
            let c = fi == 0 ? curl * (1 - indexOut) : curl
            var theta: Float = 0
            var q = base
            let k = 5 + 4 * fi
            pts[k] = base
            for j in 0..<3 {
                theta += c * maxBend[j]
                q += (ai * cos(theta) + n * sin(theta)) * (lengths[fi] * split[j] * hl)
                pts[k + 1 + j] = q
            }
        }
        return (pts, n)
    }
}

/// A 3×3 rotation matrix, columns as SIMD3.
struct Mat3: Sendable {
    var c0: SIMD3<Float>, c1: SIMD3<Float>, c2: SIMD3<Float>
    static func * (m: Mat3, v: SIMD3<Float>) -> SIMD3<Float> { m.c0 * v.x + m.c1 * v.y + m.c2 * v.z }
    static func * (a: Mat3, b: Mat3) -> Mat3 { Mat3(c0: a * b.c0, c1: a * b.c1, c2: a * b.c2) }
    /// Rotation about y (turning): x → (cos, 0, −sin).
    static func rotY(_ t: Float) -> Mat3 {
        Mat3(c0: SIMD3(cos(t), 0, -sin(t)), c1: SIMD3(0, 1, 0), c2: SIMD3(sin(t), 0, cos(t)))
    }
    /// Rotation about x: y → (0, cos, sin) (leaning forward, toward +z).
    static func rotX(_ t: Float) -> Mat3 {
        Mat3(c0: SIMD3(1, 0, 0), c1: SIMD3(0, cos(t), sin(t)), c2: SIMD3(0, -sin(t), cos(t)))
    }
    /// Rotation about z: y → (−sin, cos, 0).
    static func rotZ(_ t: Float) -> Mat3 {
        Mat3(c0: SIMD3(cos(t), sin(t), 0), c1: SIMD3(-sin(t), cos(t), 0), c2: SIMD3(0, 0, 1))
    }
}

@inlinable func dot(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { (a * b).sum() }
@inlinable func cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
@inlinable func length(_ a: SIMD3<Float>) -> Float { dot(a, a).squareRoot() }
@inlinable func normalize(_ a: SIMD3<Float>) -> SIMD3<Float> { let l = length(a); return l > 1e-12 ? a / l : a }
