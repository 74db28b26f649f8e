import Dancers
import Engine
import Foundation
import Imaging
import Media

/// Where the trainer's batches come from. Batch `step` of stage `stage` is a pure function of the recipe's seed,
/// the stage and the step, so a resumed run sees exactly the data the uninterrupted run would have.
protocol TrainingDataSource {
    /// The batch of `step` in stage number `stageIndex`.
    func batch(stage: TrainRecipe.Stage, stageIndex: Int, step: Int) throws -> TrainingBatch
}

/// One frame's worth of training material, before it is packed into a batch.
private struct FrameSample {
    var image: RGBImage
    var pose: Pose
    var caption: String
    var cues: [Float]
}

/// Packs clips (each: a window of frames plus a reference frame) into a `TrainingBatch` at `size`.
private func pack(_ clips: [(frames: [FrameSample], previousPose: Pose?, reference: RGBImage)], size: Int, blur: Bool) -> TrainingBatch {
    let n = size * size
    let f = clips.first?.frames.count ?? 1
    var targets: [Float] = [], references: [Float] = [], conditions: [Float] = [], captions: [String] = []
    var face: [Float] = [], hands: [Float] = []
    targets.reserveCapacity(clips.count * f * 3 * n)
    for clip in clips {
        references += clip.reference.planarFloats()
        // Hand motion of the first frame comes from the frame before the window when there is one.
        var poses = clip.frames.map(\.pose), cues = clip.frames.map { blur ? $0.cues : [1, 1] }
        if let previous = clip.previousPose { poses.insert(previous, at: 0); cues.insert([1, 1], at: 0) }
        var maps = ConditionMaps.clip(poses: poses, cues: cues, size: size)
        if clip.previousPose != nil { maps.removeFirst(ConditionMaps.clipChannels * n) }
        conditions += maps
        for frame in clip.frames {
            targets += frame.image.planarFloats()
            captions.append(frame.caption)
            face += ConditionMaps.faceMask(frame.pose, width: size, height: size)
            hands += ConditionMaps.handMask(frame.pose, width: size, height: size)
        }
    }
    return TrainingBatch(clips: clips.count, frames: f, size: size, targets: targets, references: references,
                         conditions: conditions, captions: captions, faceMasks: face, handMasks: hands)
}

/// The prompt a Dancers frame trains with: expression, move and lighting ("smiling, waving their arms, in warm
/// light"). The identity's description is left out: the reference image carries the person, and the full caption
/// would not fit the prompt encoder's token window (its tail — the lighting — would be cut).
func promptCaption(_ frame: DancerFrame) -> String {
    "\(frame.expression.phrase), \(frame.move.phrase), \(frame.lighting.phrase)"
}

/// SplitMix64 over (seed, stage, step, slot): the choices of one batch.
private func draw(_ seed: UInt64, _ stage: Int, _ step: Int, _ slot: Int) -> UInt64 {
    var z = seed &+ UInt64(stage) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(step) &* 0xBF58_476D_1CE4_E5B9 &+ UInt64(slot) &* 0x94D0_49BB_1331_11EB
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// The procedural Dancers stream (train split): every batch renders fresh clips, so nothing repeats.
struct DancerTrainingData: TrainingDataSource {
    let identities: Int
    let seed: UInt64
    let shutterMin: Float
    let shutterMax: Float
    /// False: every sharpness cue is 1 (the blur-condition ablation).
    var blurCondition = true

    func batch(stage: TrainRecipe.Stage, stageIndex: Int, step: Int) throws -> TrainingBatch {
        var config = SynthConfiguration()
        config.width = stage.size
        config.height = stage.size
        // Image stages take one frame (and a reference) per clip; video stages a window plus some slack.
        config.frames = stage.frames == 1 ? 6 : stage.frames + 4
        config.identities = identities
        config.seed = seed
        config.split = .train
        config.shutterMin = shutterMin
        config.shutterMax = shutterMax
        let generator = try DancerGenerator(config)
        // Other-clip references: one frame (the clip's start instant, itself drawn per clip) of clip index + k·N, which
        // has the same identity (clip i dances with identity i mod N) but its own motion, camera, light and expression.
        config.frames = 1
        let single = stage.otherClipReferences > 0 ? try DancerGenerator(config) : nil
        var clips: [(frames: [FrameSample], previousPose: Pose?, reference: RGBImage)] = []
        for b in 0..<stage.clips {
            let index = Int(draw(seed, stageIndex, step, b) % 1_000_000_000)
            let clip = generator.clip(index)
            let samples = clip.frames.map { FrameSample(image: $0.image, pose: $0.pose, caption: promptCaption($0), cues: $0.sharpness) }
            let r = draw(seed ^ 0xA5A5, stageIndex, step, b)
            let start = Int(r % UInt64(samples.count - stage.frames + 1))
            var refIndex = Int((r >> 20) % UInt64(samples.count))
            if stage.frames == 1 && refIndex == start { refIndex = (refIndex + 1 + Int((r >> 40) % UInt64(samples.count - 1))) % samples.count }
            var reference = samples[refIndex].image
            let o = draw(seed ^ 0x5A5A, stageIndex, step, b)
            if let single, Double(o >> 11) / Double(1 << 53) < stage.otherClipReferences {
                reference = single.clip(index + identities * (1 + Int(o % 7))).frames[0].image
            }
            clips.append((Array(samples[start..<(start + stage.frames)]), start > 0 ? samples[start - 1].pose : nil, reference))
        }
        return pack(clips, size: stage.size, blur: blurCondition)
    }
}

/// A dataset folder as `zoetrope synth` writes it (or a real dataset in the same layout: frames/ and poses/ per
/// clip, masks and captions optional). The sharpness cue is measured on the ground-truth frames.
struct FolderTrainingData: TrainingDataSource {
    let reader: DancerDatasetReader
    let seed: UInt64
    /// Frame count of every clip.
    let frameCounts: [Int]
    /// False: every sharpness cue is 1 (the blur-condition ablation).
    var blurCondition = true

    /// Opens and checks the folder: every clip needs as many pose files as frames.
    init(_ root: URL, seed: UInt64) throws {
        reader = try DancerDatasetReader(root)
        self.seed = seed
        var counts: [Int] = []
        for clip in reader.clips {
            let frames = try reader.frameNames(clip)
            let posesDir = root.appendingPathComponent(clip).appendingPathComponent("poses")
            let poses = ((try? FileManager.default.contentsOfDirectory(atPath: posesDir.path)) ?? []).filter { $0.hasSuffix(".json") }
            guard !frames.isEmpty else { throw RecipeError("dataset \(root.path): clip \(clip) has no frames (frames/*.png)") }
            guard poses.count == frames.count else {
                throw RecipeError("dataset \(root.path): clip \(clip) has \(frames.count) frames but \(poses.count) pose files; every frame needs poses/<frame>_keypoints.json")
            }
            for name in frames {
                let stem = String(name.dropLast(4))
                guard FileManager.default.fileExists(atPath: posesDir.appendingPathComponent("\(stem)_keypoints.json").path) else {
                    throw RecipeError("dataset \(root.path): clip \(clip) frame \(name) has no pose file poses/\(stem)_keypoints.json")
                }
            }
            counts.append(frames.count)
        }
        frameCounts = counts
    }

    func batch(stage: TrainRecipe.Stage, stageIndex: Int, step: Int) throws -> TrainingBatch {
        let usable = frameCounts.indices.filter { frameCounts[$0] >= stage.frames + (stage.frames == 1 ? 1 : 0) }
        guard !usable.isEmpty else {
            throw RecipeError("dataset \(reader.root.path): no clip has the \(stage.frames) frames stage \"\(stage.name)\" needs")
        }
        var clips: [(frames: [FrameSample], previousPose: Pose?, reference: RGBImage)] = []
        for b in 0..<stage.clips {
            let r = draw(seed, stageIndex, step, b)
            let c = usable[Int(r % UInt64(usable.count))]
            let count = frameCounts[c], name = reader.clips[c]
            let start = Int((r >> 16) % UInt64(count - stage.frames + 1))
            var refIndex = Int((r >> 32) % UInt64(count))
            if stage.frames == 1 && refIndex == start { refIndex = (start + 1) % count }
            func load(_ i: Int) throws -> FrameSample {
                let f = try reader.frame(name, i)
                var image = f.image, pose = f.pose
                if image.width != stage.size || image.height != stage.size {
                    let sx = Float(stage.size) / Float(image.width), sy = Float(stage.size) / Float(image.height)
                    image = image.resized(width: stage.size, height: stage.size, filter: .lanczos3)
                    pose = pose.mapped { ($0 * sx, $1 * sy) }
                    pose.canvasWidth = stage.size
                    pose.canvasHeight = stage.size
                }
                let view = RGBImageView(width: image.width, height: image.height, bytes: image.pixels)
                let cues = Side.allCases.map { Sharpness.cue(raw: Sharpness.measure(view, hand: pose.hand($0))) }
                return FrameSample(image: image, pose: pose, caption: f.caption, cues: cues)
            }
            var frames: [FrameSample] = []
            for i in start..<(start + stage.frames) { frames.append(try load(i)) }
            let previous = start > 0 ? try load(start - 1).pose : nil
            clips.append((frames, previous, try load(refIndex).image))
        }
        return pack(clips, size: stage.size, blur: blurCondition)
    }
}
