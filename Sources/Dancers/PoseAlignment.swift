/// Moves and scales a driving pose sequence onto a reference person's body size and position.
///
/// Users' poses rarely match their reference picture: the dancer in the clip is larger, smaller or elsewhere.
/// One similarity transform (uniform scale + translation) is applied to every frame, so the motion itself is
/// kept: p' = anchor_ref + (p − anchor_drv)·(size_ref / size_drv).
/// - size: the torso (neck to mid-hip) when both have it, else the shoulder width, else the height of the
///   present body points; the driving size is the median over its frames (robust to a few bad detections).
/// - anchor: the torso's midpoint (neck and mid-hip), else the neck, else the mean of present body points; the
///   driving anchor is taken from its first frame with one, so the dancer starts where the reference stands.
public enum PoseAlignment {
    /// Why a sequence cannot be aligned.
    public struct AlignmentError: Error, CustomStringConvertible, Sendable {
        /// The message.
        public let description: String
    }

    /// The driving frames aligned to `reference`, on the reference's canvas.
    public static func align(_ driving: [Pose], to reference: Pose) throws(AlignmentError) -> [Pose] {
        guard let refSize = size(reference), let refAnchor = anchor(reference) else {
            throw AlignmentError(description: "reference pose: no neck, hips or shoulders found to measure the body; use a picture showing the upper body")
        }
        let sizes = driving.compactMap { size($0, like: reference) }.sorted()
        guard !sizes.isEmpty, let drvAnchor = driving.lazy.compactMap({ anchor($0) }).first else {
            throw AlignmentError(description: "driving poses: no frame shows a neck, hips or shoulders to measure the body")
        }
        let median = sizes[sizes.count / 2]
        guard median > 1e-6 else { throw AlignmentError(description: "driving poses: the body has zero size") }
        let s = refSize / median
        return driving.map { pose in
            var out = pose.mapped { x, y in (refAnchor.x + (x - drvAnchor.x) * s, refAnchor.y + (y - drvAnchor.y) * s) }
            out.canvasWidth = reference.canvasWidth
            out.canvasHeight = reference.canvasHeight
            return out
        }
    }

    static func point(_ p: Pose, _ j: Skeleton.Body) -> SIMD2<Float>? {
        guard j.rawValue < p.body.count else { return nil }
        let k = p.body[j.rawValue]
        return k.isPresent && k.x.isFinite && k.y.isFinite ? SIMD2(k.x, k.y) : nil
    }

    static func distance(_ a: SIMD2<Float>, _ b: SIMD2<Float>) -> Float { ((a - b) * (a - b)).sum().squareRoot() }

    /// The body size measure; `like` picks the same measure the reference supports.
    static func size(_ p: Pose, like reference: Pose? = nil) -> Float? {
        let ref = reference ?? p
        if let n = point(p, .neck), let h = point(p, .midHip), point(ref, .neck) != nil, point(ref, .midHip) != nil {
            return distance(n, h)
        }
        if reference != nil, point(ref, .neck) != nil, point(ref, .midHip) != nil { return nil }
        if let r = point(p, .rShoulder), let l = point(p, .lShoulder),
           point(ref, .rShoulder) != nil, point(ref, .lShoulder) != nil {
            return distance(r, l)
        }
        if reference != nil, point(ref, .rShoulder) != nil, point(ref, .lShoulder) != nil { return nil }
        let ys = p.body.filter { $0.isPresent && $0.y.isFinite }.map(\.y)
        guard ys.count >= 2, let lo = ys.min(), let hi = ys.max(), hi > lo else { return nil }
        return hi - lo
    }

    static func anchor(_ p: Pose) -> SIMD2<Float>? {
        if let n = point(p, .neck), let h = point(p, .midHip) { return (n + h) * 0.5 }
        if let n = point(p, .neck) { return n }
        let pts = p.body.filter { $0.isPresent && $0.x.isFinite && $0.y.isFinite }
        guard !pts.isEmpty else { return nil }
        return pts.reduce(SIMD2<Float>.zero) { $0 + SIMD2($1.x, $1.y) } / Float(pts.count)
    }
}
