import Imaging

extension ConditionMaps {
    /// Channels of the guidance input, in order: pose map R, G, B (in [-1, 1]), hand motion dx, dy, sharpness cue.
    public static let clipChannels = 6

    /// The guidance input of a whole clip, planar `F × 6 × size × size` — the tensor the network's guidance branch
    /// takes. `cues[f]` holds the sharpness cue of the right and left hand at frame f (training measures it on the
    /// ground truth; inference computes it from hand speed and the shutter, `inferenceCues`). The first frame's
    /// motion is zero.
    public static func clip(poses: [Pose], cues: [[Float]], size: Int) -> [Float] {
        let n = size * size
        var out = [Float](repeating: 0, count: poses.count * clipChannels * n)
        for (f, pose) in poses.enumerated() {
            let base = f * clipChannels * n
            let map = poseMap(pose, width: size, height: size)
            map.pixels.withUnsafeBufferPointer { px in
                for i in 0..<n {
                    for c in 0..<3 { out[base + c * n + i] = Float(px[3 * i + c]) / 127.5 - 1 }
                }
            }
            let motion = handMotion(pose, previous: f > 0 ? poses[f - 1] : pose, width: size, height: size)
            for i in 0..<(2 * n) { out[base + 3 * n + i] = motion[i] }
            let cue = sharpness(pose, cues: f < cues.count ? cues[f] : [1, 1], width: size, height: size)
            for i in 0..<n { out[base + 5 * n + i] = cue[i] }
        }
        return out
    }

    /// Inference-time sharpness cues per frame and hand: `cue(speed:shutter:size:)` with the hand centroid's speed in
    /// pixels per frame on a `size`-pixel frame (the larger of the speeds to the previous and to the next frame).
    public static func inferenceCues(poses: [Pose], shutter: Float, size: Int) -> [[Float]] {
        func centre(_ pose: Pose, _ side: Side) -> SIMD2<Float>? {
            guard let c = DancerGenerator.centroid(pose.hand(side)) else { return nil }
            return SIMD2(c.x * Float(size) / Float(max(1, pose.canvasWidth)), c.y * Float(size) / Float(max(1, pose.canvasHeight)))
        }
        return poses.indices.map { f in
            Side.allCases.map { side in
                guard let here = centre(poses[f], side) else { return 1 }
                var speed: Float = 0
                for g in [f - 1, f + 1] where poses.indices.contains(g) {
                    if let there = centre(poses[g], side) {
                        let d = here - there
                        speed = max(speed, (d * d).sum().squareRoot())
                    }
                }
                return cue(speed: speed, shutter: shutter, size: size)
            }
        }
    }
}
