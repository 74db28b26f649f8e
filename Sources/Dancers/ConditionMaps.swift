import Foundation
import Imaging

/// The guidance-branch inputs every caller (trainer, studio, `zoetrope render`) builds the same way from poses:
/// the OpenPose-coloured pose map, hand motion channels, the sharpness cue channel, and face/hand masks.
///
/// All maps are row-major `height × width`; keypoints are scaled from the pose's canvas to the map size.
public enum ConditionMaps {
    /// Motion channels: dx/max(W, H) · motionGain, clamped to [−1, 1] (a hand crossing 1/8 of the frame saturates).
    public static let motionGain: Float = 8

    // MARK: - Pose map

    /// The pose map in OpenPose's standard colours on black: 17 COCO-18 limbs as ellipses in limb colour × 0.6,
    /// joints as discs in full colour, hand bones in HSV rainbow colours with blue joints, face points white.
    ///
    /// Matches: controlnet_aux / DWPose `draw_bodypose`, `draw_handpose`, `draw_facepose` colours and order
    /// (stick width 4, joint radius 4, hand line 2 at 512 px, scaled with the map size).
    /// Limitations: no OpenCV polygon quantisation — shapes are anti-aliased; BODY_25 feet are not drawn (as in
    /// ControlNet's maps). `limbRadius` overrides the stick half-width in pixels (the IoU test uses the body's).
    public static func poseMap(_ pose: Pose, width: Int, height: Int, limbRadius: Float? = nil) -> RGBImage {
        let scale = Float(min(width, height)) / 512
        let stick = limbRadius ?? max(1, 4 * scale)
        let joint = limbRadius ?? max(1, 4 * scale)
        let sx = Float(width) / Float(max(1, pose.canvasWidth)), sy = Float(height) / Float(max(1, pose.canvasHeight))
        func at(_ k: Keypoint) -> SIMD2<Float>? {
            guard k.isPresent, k.x.isFinite, k.y.isFinite else { return nil }
            return SIMD2(k.x * sx, k.y * sy)
        }
        func colour(_ c: (UInt8, UInt8, UInt8), _ f: Float = 1) -> Colour {
            Colour(Float(c.0), Float(c.1), Float(c.2)) * (f / 255)
        }
        var prims: [Primitive] = []
        func ellipse(_ a: SIMD2<Float>, _ b: SIMD2<Float>, _ r: Float, _ c: Colour) {
            let d = b - a
            let len = (d * d).sum().squareRoot()
            let u = len > 1e-4 ? d / len : SIMD2(1, 0)
            prims.append(Primitive(shape: .ellipse(centre: (a + b) * 0.5, u: u, ru: max(r, len * 0.5), rv: r),
                                   material: Material(colour: c, isShaded: false), depthA: 0, depthB: 0, sortDepth: 0,
                                   label: 1))
        }
        func disc(_ p: SIMD2<Float>, _ r: Float, _ c: Colour) {
            prims.append(Primitive(shape: .ellipse(centre: p, u: SIMD2(1, 0), ru: r, rv: r),
                                   material: Material(colour: c, isShaded: false), depthA: 0, depthB: 0, sortDepth: 0, label: 1))
        }
        let coco = Skeleton.coco18ToBody25.map { i in i < pose.body.count ? at(pose.body[i]) : nil }
        for (i, limb) in Skeleton.coco18Limbs.enumerated() {
            if let a = coco[limb.0], let b = coco[limb.1] { ellipse(a, b, stick, colour(Skeleton.coco18Colors[i], 0.6)) }
        }
        for (i, p) in coco.enumerated() { if let p { disc(p, joint, colour(Skeleton.coco18Colors[i])) } }
        let handLine = limbRadius.map { $0 * 0.5 } ?? max(0.5, 1 * scale)
        let handJoint = limbRadius.map { $0 * 0.5 } ?? max(0.6, 4 * scale * 0.5)
        for hand in [pose.leftHand, pose.rightHand] where hand.count == Pose.handCount {
            for (ie, e) in Skeleton.handEdges.enumerated() {
                if let a = at(hand[e.0]), let b = at(hand[e.1]) {
                    let (r, g, bl) = hsvToRGB(Float(ie) / Float(Skeleton.handEdges.count), 1, 1)
                    prims.append(Primitive(shape: .capsule(a: a, b: b, ra: handLine, rb: handLine),
                                           material: Material(colour: Colour(r, g, bl), isShaded: false),
                                           depthA: 0, depthB: 0, sortDepth: 0, label: 1))
                }
            }
            for k in hand { if let p = at(k) { disc(p, handJoint, Colour(0, 0, 1)) } }
        }
        for k in pose.face { if let p = at(k) { disc(p, max(0.5, 3 * scale * 0.5), Colour(1, 1, 1)) } }
        var buffer = [Float](repeating: 0, count: 3 * width * height)
        let light = Light(tint: Colour(1, 1, 1), ambient: 1, diffuse: 0, direction: SIMD3(0, 0, 1))
        buffer.withUnsafeMutableBufferPointer {
            Rasterizer(width: width, height: height).draw(prims, light: light, colour: $0.baseAddress!, depth: nil, label: nil)
        }
        return RGBImage(width: width, height: height, pixels: buffer.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) })
    }

    /// HSV (all in [0, 1]) to RGB, as matplotlib's `hsv_to_rgb`.
    static func hsvToRGB(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
        let i = Int((h * 6).rounded(.down)) % 6
        let f = h * 6 - (h * 6).rounded(.down)
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        switch i {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }

    // MARK: - Regions

    /// A hand's region in map pixels: the box of its present points grown by 25 % + 1 px per side.
    /// Fallback when the hand has under 3 points: a square around the wrist of side 0.6 × |elbow − wrist|.
    public static func handBox(_ pose: Pose, _ side: Side, width: Int, height: Int)
        -> (x0: Float, y0: Float, x1: Float, y1: Float)? {
        let sx = Float(width) / Float(max(1, pose.canvasWidth)), sy = Float(height) / Float(max(1, pose.canvasHeight))
        let pts = pose.hand(side).filter { $0.isPresent && $0.x.isFinite && $0.y.isFinite }
        if pts.count >= 3 {
            var lx = Float.infinity, ly = Float.infinity, hx = -Float.infinity, hy = -Float.infinity
            for p in pts { lx = min(lx, p.x * sx); ly = min(ly, p.y * sy); hx = max(hx, p.x * sx); hy = max(hy, p.y * sy) }
            let m = 0.25 * max(hx - lx, hy - ly) + 1
            return (lx - m, ly - m, hx + m, hy + m)
        }
        let wristIndex = side == .left ? Skeleton.Body.lWrist.rawValue : Skeleton.Body.rWrist.rawValue
        let elbowIndex = side == .left ? Skeleton.Body.lElbow.rawValue : Skeleton.Body.rElbow.rawValue
        guard pose.body.count > max(wristIndex, elbowIndex) else { return nil }
        let w = pose.body[wristIndex], e = pose.body[elbowIndex]
        guard w.isPresent, e.isPresent else { return nil }
        let dx = (w.x - e.x) * sx, dy = (w.y - e.y) * sy
        let half = max(1.5, 0.3 * (dx * dx + dy * dy).squareRoot())
        let cx = w.x * sx + dx * 0.3, cy = w.y * sy + dy * 0.3
        return (cx - half, cy - half, cx + half, cy + half)
    }

    /// The face's region: the box of nose, eyes, ears and present face landmarks, grown by 30 % per side
    /// (at least a third of the neck–nose distance). Nil when neither nose nor eyes nor face points are present.
    public static func faceBox(_ pose: Pose, width: Int, height: Int) -> (x0: Float, y0: Float, x1: Float, y1: Float)? {
        let sx = Float(width) / Float(max(1, pose.canvasWidth)), sy = Float(height) / Float(max(1, pose.canvasHeight))
        typealias J = Skeleton.Body
        var pts: [Keypoint] = [J.nose, J.rEye, J.lEye, J.rEar, J.lEar].compactMap { j in
            j.rawValue < pose.body.count ? pose.body[j.rawValue] : nil
        }
        pts += pose.face
        let present = pts.filter { $0.isPresent && $0.x.isFinite && $0.y.isFinite }
        guard !present.isEmpty else { return nil }
        var lx = Float.infinity, ly = Float.infinity, hx = -Float.infinity, hy = -Float.infinity
        for p in present { lx = min(lx, p.x * sx); ly = min(ly, p.y * sy); hx = max(hx, p.x * sx); hy = max(hy, p.y * sy) }
        var m = 0.3 * max(hx - lx, hy - ly)
        if pose.body.count > J.neck.rawValue, pose.body[J.neck.rawValue].isPresent {
            let n = pose.body[J.neck.rawValue]
            let cx = (lx + hx) * 0.5, cy = (ly + hy) * 0.5
            let d = ((n.x * sx - cx) * (n.x * sx - cx) + (n.y * sy - cy) * (n.y * sy - cy)).squareRoot()
            m = max(m, d / 3)
        }
        m = max(m, 1)
        return (lx - m, ly - m, hx + m, hy + m)
    }

    /// A 0/1 mask (row-major) of the union of boxes, each covering the pixels whose centres lie inside.
    static func fill(_ boxes: [(x0: Float, y0: Float, x1: Float, y1: Float)], width: Int, height: Int,
                     values: [Float]? = nil, into out: inout [Float], offset: Int = 0) {
        for (bi, b) in boxes.enumerated() {
            let x0 = max(0, Int((b.x0 - 0.5).rounded(.up))), x1 = min(width - 1, Int((b.x1 - 0.5).rounded(.down)))
            let y0 = max(0, Int((b.y0 - 0.5).rounded(.up))), y1 = min(height - 1, Int((b.y1 - 0.5).rounded(.down)))
            guard x0 <= x1, y0 <= y1 else { continue }
            let v = values?[bi] ?? 1
            for y in y0...y1 { for x in x0...x1 { out[offset + y * width + x] = v } }
        }
    }

    /// Face mask from keypoints (1 inside the face box, 0 elsewhere), `height × width`.
    public static func faceMask(_ pose: Pose, width: Int, height: Int) -> [Float] {
        var out = [Float](repeating: 0, count: width * height)
        if let b = faceBox(pose, width: width, height: height) { fill([b], width: width, height: height, into: &out) }
        return out
    }

    /// Hand mask from keypoints (1 inside either hand's box), `height × width`.
    public static func handMask(_ pose: Pose, width: Int, height: Int) -> [Float] {
        var out = [Float](repeating: 0, count: width * height)
        fill(Side.allCases.compactMap { handBox(pose, $0, width: width, height: height) }, width: width, height: height,
             into: &out)
        return out
    }

    // MARK: - Motion-blur condition

    /// Hand motion channels `2 × height × width`: inside each hand's box at `pose`, (dx, dy) of the hand's
    /// centroid since `previous`, as dx/max(W, H)·motionGain clamped to [−1, 1]; 0 elsewhere and for hands
    /// missing in either frame.
    public static func handMotion(_ pose: Pose, previous: Pose, width: Int, height: Int) -> [Float] {
        let n = width * height
        var out = [Float](repeating: 0, count: 2 * n)
        let sx = Float(width) / Float(max(1, pose.canvasWidth)), sy = Float(height) / Float(max(1, pose.canvasHeight))
        let psx = Float(width) / Float(max(1, previous.canvasWidth)), psy = Float(height) / Float(max(1, previous.canvasHeight))
        let norm = motionGain / Float(max(width, height))
        for side in Side.allCases {
            guard let box = handBox(pose, side, width: width, height: height),
                  let a = DancerGenerator.centroid(pose.hand(side)),
                  let b = DancerGenerator.centroid(previous.hand(side)) else { continue }
            let dx = max(-1, min(1, (a.x * sx - b.x * psx) * norm))
            let dy = max(-1, min(1, (a.y * sy - b.y * psy) * norm))
            fill([box], width: width, height: height, values: [dx], into: &out, offset: 0)
            fill([box], width: width, height: height, values: [dy], into: &out, offset: n)
        }
        return out
    }

    /// Sharpness cue channel `height × width`: the cue of each hand (right, left) inside its box, 0 elsewhere.
    public static func sharpness(_ pose: Pose, cues: [Float], width: Int, height: Int) -> [Float] {
        var out = [Float](repeating: 0, count: width * height)
        for side in Side.allCases where side.rawValue < cues.count {
            if let box = handBox(pose, side, width: width, height: height) {
                fill([box], width: width, height: height, values: [max(0, min(1, cues[side.rawValue]))], into: &out)
            }
        }
        return out
    }

    /// The cue at inference: 1 / (1 + shutter · speed / speedScale), speed in pixels per frame on a
    /// `size`-pixel frame; `shutter` is the user's setting (0 = always sharp). speedScale = size/32.
    public static func cue(speed: Float, shutter: Float, size: Int) -> Float {
        1 / (1 + max(0, shutter) * max(0, speed) / (Float(size) / 32))
    }
}
