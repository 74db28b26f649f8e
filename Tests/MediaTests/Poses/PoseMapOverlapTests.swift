import Dancers
import Foundation
import Imaging
import Media
import Testing

/// Keypoints land on the body: the pose map drawn from the written-and-read-back JSON covers the rendered limbs.
@Suite struct PoseMapOverlapTests {
    @Test(arguments: [64, 128]) func poseMapFromJSONOverlapsRenderedLimbs(size: Int) throws {
        var c = SynthConfiguration()
        c.width = size; c.height = size; c.frames = 8; c.identities = 12; c.seed = 3
        let generator = try DancerGenerator(c)
        let folder = try MediaTestSupport.makeTemporaryDirectory()
        var ious: [Double] = []
        for clip in generator.stream(0..<12) {
            let radii = FigureBuilderRadii.of(clip.identity)
            for (i, f) in clip.frames.enumerated() {
                let url = folder.appendingPathComponent("\(clip.index)_\(i)_keypoints.json")
                try PoseFileWriter.write(f.pose, to: url)
                let pose = try PoseFileReader().readFrame(url)
                let scale = f.camera.scale(height: size)
                // Arms and legs drawn separately with the body's own half-widths (the standard stick is thinner).
                func only(_ joints: [Int]) -> Pose {
                    var p = Pose.empty(canvasWidth: pose.canvasWidth, canvasHeight: pose.canvasHeight)
                    for j in joints { p.body[j] = pose.body[j] }
                    return p
                }
                let arms = ConditionMaps.poseMap(only([2, 3, 4, 5, 6, 7]), width: size, height: size, limbRadius: radii.arm * scale)
                let legs = ConditionMaps.poseMap(only([9, 10, 11, 12, 13, 14]), width: size, height: size, limbRadius: radii.leg * scale)
                var inter = 0, union = 0
                for p in 0..<(size * size) {
                    let drawn = arms.pixels[3 * p] | arms.pixels[3 * p + 1] | arms.pixels[3 * p + 2]
                        | legs.pixels[3 * p] | legs.pixels[3 * p + 1] | legs.pixels[3 * p + 2] > 60
                    let label = PartLabel(rawValue: f.parts[p])
                    let limb = label?.isLimb == true || label == .skirt
                    if drawn && limb { inter += 1 }
                    if drawn || limb { union += 1 }
                }
                if union > 0 { ious.append(Double(inter) / Double(union)) }
            }
        }
        let mean = ious.reduce(0, +) / Double(ious.count)
        print("dancers: pose map vs rendered limbs at \(size)×\(size): mean IoU \(mean) over \(ious.count) frames")
        #expect(mean >= 0.6)
    }
}

/// The limb half-widths Dancers draws (body heights).
enum FigureBuilderRadii {
    static func of(_ id: Identity) -> (arm: Float, leg: Float) { Identity.limbRadii(id) }
}
