import Foundation

/// An orthographic camera: a world point at the image centre and a scale in pixels per body height.
public struct Camera: Sendable, Equatable, Codable {
    /// World x at the image centre.
    public var centreX: Float
    /// World y at the image centre.
    public var centreY: Float
    /// Zoom: 1 frames a standing person at `baseFill` of the image height.
    public var zoom: Float
    /// Fraction of the image height a standing person fills at zoom 1.
    public static let baseFill: Float = 0.78
    /// Depth of the world origin from the camera, in body heights.
    public static let distance: Float = 3

    /// A camera.
    public init(centreX: Float = 0, centreY: Float = 0.5, zoom: Float = 1) {
        self.centreX = centreX; self.centreY = centreY; self.zoom = zoom
    }

    /// Pixels per body height on an image `height` pixels tall.
    @inlinable public func scale(height: Int) -> Float { Float(height) * Camera.baseFill * zoom }

    /// Image position (pixels, y down) and depth of a world point.
    ///
    /// px = W/2 + (X − cx)·s, py = H/2 − (Y − cy)·s, depth = distance − Z.
    @inlinable
    public func project(_ p: SIMD3<Float>, width: Int, height: Int) -> (x: Float, y: Float, depth: Float) {
        let s = scale(height: height)
        return (Float(width) * 0.5 + (p.x - centreX) * s, Float(height) * 0.5 - (p.y - centreY) * s, Camera.distance - p.z)
    }

    /// The world point (on the z = 0 plane) seen at pixel (px, py).
    @inlinable
    public func unproject(_ px: Float, _ py: Float, width: Int, height: Int) -> (x: Float, y: Float) {
        let s = scale(height: height)
        return (centreX + (px - Float(width) * 0.5) / s, centreY - (py - Float(height) * 0.5) / s)
    }
}

extension Rig {
    /// The keypoints as a `Pose` on a `width × height` canvas. Points outside the canvas, face points turned
    /// away from the camera, and ears/eyes hidden behind the head get confidence 0, like a detector.
    func pose(camera: Camera, width: Int, height: Int) -> Pose {
        func kp(_ p: SIMD3<Float>, visible: Bool = true) -> Keypoint {
            let q = camera.project(p, width: width, height: height)
            let inside = q.x >= 0 && q.y >= 0 && q.x <= Float(width) && q.y <= Float(height)
            return Keypoint(x: q.x, y: q.y, confidence: visible && inside ? 1 : 0, depth: q.depth)
        }
        // Facing: the head's forward axis toward the camera (+z).
        let facing = headZ.z
        var body = [Keypoint]()
        body.reserveCapacity(25)
        typealias J = Skeleton.Body
        for (i, p) in self.body.enumerated() {
            var visible = true
            switch i {
            case J.nose.rawValue, J.rEye.rawValue, J.lEye.rawValue: visible = facing > 0.15
            case J.rEar.rawValue: visible = dot(-headX, SIMD3(0, 0, 1)) > -0.35
            case J.lEar.rawValue: visible = dot(headX, SIMD3(0, 0, 1)) > -0.35
            default: break
            }
            body.append(kp(p, visible: visible))
        }
        var face = [Keypoint](repeating: .missing, count: Pose.faceCount)
        for i in Skeleton.faceSubset {
            // A landmark is visible when its outward normal (from the head centre) faces the camera.
            let outward = normalize(self.face[i] - headCentre)
            face[i] = kp(self.face[i], visible: facing > 0.15 && outward.z > -0.1)
        }
        let right = self.hands[Side.right.rawValue].map { kp($0) }
        let left = self.hands[Side.left.rawValue].map { kp($0) }
        return Pose(canvasWidth: width, canvasHeight: height, body: body, leftHand: left, rightHand: right, face: face)
    }
}
