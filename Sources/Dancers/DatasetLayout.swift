import Foundation
import Imaging

/// The on-disk layout of a Dancers dataset — the same layout the trainer accepts for real data:
///
/// ```
/// DIR/meta.json                          dataset description (this file's `metaJSON`)
/// DIR/captions.jsonl                     {"clip":"clip_00000","frame":0,"caption":"..."} per frame
/// DIR/clip_00000/clip.json               seeds, identity, shutter, per-frame speeds, sharpness, attributes
/// DIR/clip_00000/frames/0000.png         RGB frames
/// DIR/clip_00000/poses/0000_keypoints.json   OpenPose JSON 1.3, one person
/// DIR/clip_00000/masks/0000_face.png     face mask (0 / 255 in every channel)
/// DIR/clip_00000/masks/0000_hands.png    hand mask
/// DIR/clip_00000/depth/0000.png          depth: 0 background, else 1 + 254·(far − d)/(far − near) (near is bright)
/// DIR/clip_00000/parts/0000.png          part labels (`PartLabel` raw values in every channel)
/// ```
/// Real datasets need `frames/` and `poses/` (and optionally `captions.jsonl`); masks fall back to keypoint boxes.
public enum DatasetLayout {
    /// Depth range encoded in depth PNGs (body heights from the camera).
    public static let depthNear: Float = 2.2, depthFar: Float = 3.8

    /// "clip_00042".
    public static func clipName(_ index: Int) -> String { "clip_" + pad(index, 5) }
    /// "0007".
    public static func frameName(_ index: Int) -> String { pad(index, 4) }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// A one-channel map as a grey RGB picture.
    public static func grey(_ values: [UInt8], width: Int, height: Int) -> RGBImage {
        var px = [UInt8](repeating: 0, count: 3 * values.count)
        for (i, v) in values.enumerated() { px[3 * i] = v; px[3 * i + 1] = v; px[3 * i + 2] = v }
        return RGBImage(width: width, height: height, pixels: px)
    }

    /// Depth in body heights as 8-bit: 0 background, else 1 + round(254·clamp((far − d)/(far − near))).
    public static func encodeDepth(_ depth: [Float]) -> [UInt8] {
        depth.map { d in
            guard d > 0 else { return 0 }
            let v = max(0, min(1, (depthFar - d) / (depthFar - depthNear)))
            return UInt8(1 + (254 * v).rounded())
        }
    }

    /// Contents of `meta.json` (keys sorted, so the bytes are deterministic).
    public static func metaJSON(_ c: SynthConfiguration, clips: Int) -> Data {
        let meta: [String: Any] = [
            "format": "zoetrope-dancers", "version": 1,
            "width": c.width, "height": c.height, "frames_per_clip": c.frames, "fps": Double(c.fps),
            "clips": clips, "identities": c.identities, "seed": String(c.seed), "split": c.split.rawValue,
            "subframes": c.subframes, "shutter_range": [Double(c.shutterMin), Double(c.shutterMax)],
            "keypoints": "OpenPose JSON 1.3: BODY_25, hands 2x21, face-70 slots (subset filled); confidence 0 = missing",
            "depth_encoding": ["background": 0, "near": Double(depthNear), "far": Double(depthFar),
                               "formula": "value = 1 + round(254 * clamp((far - depth) / (far - near), 0, 1))"],
            "part_labels": PartLabel.allCases.map { String(describing: $0) },
            "sharpness": "normalised variance of the Laplacian on the hand crop; cue = min(1, raw / \(Sharpness.reference))",
            "vocabulary": Captions.vocabulary,
        ]
        return json(meta)
    }

    /// Contents of `clip.json`.
    public static func clipJSON(_ clip: DancerClip) -> Data {
        let id = clip.identity
        let frames: [[String: Any]] = clip.frames.enumerated().map { i, f in
            [
                "frame": i,
                "hand_speed": f.handSpeed.map { Double($0) },
                "hand_exposure_speed": f.exposureSpeed.map { Double($0) },
                "hand_motion": f.handMotion.map { [Double($0.x), Double($0.y)] },
                "sharpness_raw": f.sharpnessRaw.map { $0.map { Double($0) } ?? -1 },
                "sharpness": f.sharpness.map { Double($0) },
                "expression": f.expression.rawValue, "lighting": f.lighting.rawValue, "move": f.move.rawValue,
            ]
        }
        let obj: [String: Any] = [
            "clip": clipName(clip.index), "split": clip.split.rawValue,
            "identity_index": clip.identityIndex, "identity_seed": String(id.seed),
            "motion_seed": String(clip.motionSeed), "clip_seed": String(clip.clipSeed),
            "identity": id.description, "shutter": Double(clip.shutter), "tempo_bps": Double(clip.tempo),
            "expression_changes": clip.expressionChanges.map { ["frame": $0.frame, "expression": $0.expression.rawValue] as [String: Any] },
            "lighting_changes": clip.lightingChanges.map { ["frame": $0.frame, "lighting": $0.lighting.rawValue] as [String: Any] },
            "hand_order": ["right", "left"],
            "frames": frames,
        ]
        return json(obj)
    }

    /// One `captions.jsonl` line per frame of the clip.
    public static func captionLines(_ clip: DancerClip) -> String {
        clip.frames.enumerated().map { i, f in
            String(decoding: json(["clip": clipName(clip.index), "frame": i, "caption": f.caption], pretty: false), as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }

    static func json(_ object: Any, pretty: Bool = true) -> Data {
        let options: JSONSerialization.WritingOptions = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return (try? JSONSerialization.data(withJSONObject: object, options: options)) ?? Data("{}".utf8)
    }
}
