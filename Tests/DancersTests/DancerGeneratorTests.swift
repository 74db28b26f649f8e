import Foundation
import Imaging
import Testing
import Dancers

@Suite struct DancerGeneratorTests {
    static func config(size: Int = 64, frames: Int = 6, seed: UInt64 = 7, split: DatasetSplit = .train) -> SynthConfiguration {
        var c = SynthConfiguration()
        c.width = size; c.height = size; c.frames = frames; c.seed = seed; c.split = split; c.identities = 8
        return c
    }

    @Test func sameSeedGivesIdenticalClips() throws {
        let a = try DancerGenerator(Self.config()).clip(3)
        let b = try DancerGenerator(Self.config()).clip(3)
        #expect(a.frames.count == 6)
        for (fa, fb) in zip(a.frames, b.frames) {
            #expect(fa.image == fb.image)
            #expect(fa.pose == fb.pose)
            #expect(fa.parts == fb.parts)
            #expect(fa.depth == fb.depth)
            #expect(fa.caption == fb.caption)
        }
        let c = try DancerGenerator(Self.config(seed: 8)).clip(3)
        #expect(c.frames[0].image != a.frames[0].image)
        // Another clip index with the same identity (3 + 8) dances differently.
        let d = try DancerGenerator(Self.config()).clip(11)
        #expect(d.identity == a.identity)
        #expect(d.frames[0].pose != a.frames[0].pose)
    }

    @Test func splitsShareNoIdentityOrMotionSeed() throws {
        let train = try DancerGenerator(Self.config(split: .train))
        let test = try DancerGenerator(Self.config(split: .test))
        let n = 20_000
        let trainIDs = Set((0..<n).map(train.identitySeed)), testIDs = Set((0..<n).map(test.identitySeed))
        let trainMotions = Set((0..<n).map(train.motionSeed)), testMotions = Set((0..<n).map(test.motionSeed))
        #expect(trainIDs.count == n && testIDs.count == n)
        #expect(trainIDs.isDisjoint(with: testIDs))
        #expect(trainMotions.isDisjoint(with: testMotions))
        #expect(trainIDs.isDisjoint(with: testMotions) && trainMotions.isDisjoint(with: testIDs))
        // Any dataset seed: the split bit keeps them apart.
        for seed in [UInt64(0), 1, 42, .max] {
            var c = Self.config(seed: seed, split: .test)
            let t = try DancerGenerator(c)
            c.split = .train
            let r = try DancerGenerator(c)
            for i in 0..<500 { #expect(t.identitySeed(i) != r.identitySeed(i) && DatasetSplit.of(seed: t.motionSeed(i)) == .test) }
        }
    }

    @Test func identitiesAreDistinct() {
        // 200 000 seeds: the visible attributes (quantised) repeat almost never.
        var seen = Set<String>()
        let n = 200_000
        for i in 0..<n {
            let id = Identity(seed: SeededRandom.derive(99, UInt64(i)))
            let key = "\(id.hairStyle)\(id.hairColourName)\(id.top.description)\(id.topKind)\(id.bottom.description)"
                + "\(id.bottomKind)\(id.background.kind)\(Int(id.skin.x * 20))\(Int(id.build * 10))\(Int(id.headSize * 200))"
                + "\(Int(id.shoulderHalfWidth * 200))\(Int(id.background.wall.x * 8))\(Int(id.background.wall.y * 8))"
            seen.insert(key)
        }
        #expect(Double(seen.count) / Double(n) > 0.99, "distinct \(seen.count) of \(n)")
    }

    @Test func expressionAndLightingChangeAtRecordedFramesAndCaptionsFollow() throws {
        var checked = 0
        for i in 0..<12 {
            let clip = try DancerGenerator(Self.config(frames: 12)).clip(i)
            for (f, frame) in clip.frames.enumerated() {
                let e = clip.expressionChanges.last { $0.frame <= f }!.expression
                let l = clip.lightingChanges.last { $0.frame <= f }!.lighting
                #expect(frame.expression == e && frame.lighting == l)
                #expect(frame.caption.contains(e.phrase) && frame.caption.contains(l.phrase) && frame.caption.contains(frame.move.phrase))
                for w in Captions.words(frame.caption) { #expect(Captions.vocabulary.contains(w), "word \(w)") }
            }
            if clip.expressionChanges.count > 1 {
                let f = clip.expressionChanges[1].frame
                #expect(clip.frames[f].caption != clip.frames[f - 1].caption)
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    @Test func masksAndDepthMatchPartLabels() throws {
        let clip = try DancerGenerator(Self.config(size: 128, frames: 4)).clip(1)
        for f in clip.frames {
            var figure = 0
            for i in f.parts.indices {
                let label = f.parts[i]
                #expect((label == 0) == (f.depth[i] == 0))
                if label != 0 { figure += 1; #expect(f.depth[i] > 2 && f.depth[i] < 4) }
                if label == PartLabel.head.rawValue || label == PartLabel.face.rawValue { #expect(f.faceMask[i] == 255) }
                if label == PartLabel.leftHand.rawValue || label == PartLabel.rightHand.rawValue { #expect(f.handMask[i] == 255) }
            }
            #expect(figure > 128 * 128 / 20)
            // The nose keypoint lies on the face mask when it is visible.
            let nose = f.pose.body[0]
            if nose.isPresent {
                let i = Int(nose.y) * 128 + Int(nose.x)
                #expect(f.faceMask[i] == 255 || f.parts[i] == PartLabel.hair.rawValue || PartLabel(rawValue: f.parts[i])?.isLimb == true
                        || f.parts[i] == PartLabel.leftHand.rawValue || f.parts[i] == PartLabel.rightHand.rawValue)
            }
        }
    }

    /// Blur is real: over a generated set, hand-region sharpness falls as hand speed rises.
    @Test func handSharpnessFallsWithSpeed() throws {
        var c = Self.config(size: 128, frames: 16, seed: 21)
        c.identities = 24
        let gen = try DancerGenerator(c)
        var speed: [Double] = [], sharp: [Double] = [], raw: [Double] = [], exposure: [Double] = [], shuttered: [Double] = []
        var boneSpeed: [Double] = [], boneRaw: [Double] = [], boneEnergy: [Double] = []
        for clip in gen.stream(0..<24) {
            for f in clip.frames {
                for s in 0..<2 {
                    if let r = f.sharpnessRaw[s] {
                        speed.append(Double(f.handSpeed[s])); sharp.append(Double(f.sharpness[s])); raw.append(Double(r))
                        exposure.append(Double(f.exposureSpeed[s]))
                        shuttered.append(Double(f.handSpeed[s] * clip.shutter))
                    }
                    let view = RGBImageView(width: 128, height: 128, bytes: f.image.pixels)
                    if let r = Sharpness.measure(view, hand: s == 0 ? f.pose.rightHand : f.pose.leftHand) {
                        boneSpeed.append(Double(f.exposureSpeed[s])); boneRaw.append(Double(r))
                        boneEnergy.append(Double(Sharpness.measure(view, hand: s == 0 ? f.pose.rightHand : f.pose.leftHand,
                                                                   normalised: false) ?? 0))
                    }
                }
            }
        }
        // The hand's speed while the shutter is open sets the blur; the frame-to-frame speed (what inference
        // sees) also includes shutter variation (0.5–1 per clip) and aliasing of fast gestures, so it ranks weaker.
        let rho = Statistics.spearman(exposure, sharp)
        print("dancers: Spearman(frame speed, cue) = \(Statistics.spearman(speed, sharp)), Spearman(speed, raw) = \(Statistics.spearman(speed, raw)), Spearman(exposure speed, cue) = \(rho), Spearman(exposure, raw) = \(Statistics.spearman(exposure, raw)), Spearman(frame speed × shutter, cue) = \(Statistics.spearman(shuttered, sharp)), Spearman(frame speed, exposure speed) = \(Statistics.spearman(speed, exposure)) over \(speed.count) hand crops")
        #expect(speed.count > 300)
        #expect(rho <= -0.7)
        #expect(Statistics.spearman(speed, sharp) <= -0.4)
        #expect(Statistics.spearman(exposure, raw) < -0.2)
        // The keypoint-region measure (what real data allows) ranks blur too.
        let boneRho = Statistics.spearman(boneSpeed, boneRaw)
        print("dancers: Spearman(exposure speed, raw on hand-bone region) = \(boneRho), un-normalised \(Statistics.spearman(boneSpeed, boneEnergy)) over \(boneSpeed.count)")
        #expect(boneRho < -0.2)
    }

    @Test func withoutBlurFastHandsStaySharp() throws {
        // The same clip with 1 sub-frame (no blur) and 8: the blurred fast hands lose Laplacian energy.
        var sharpC = Self.config(size: 128, frames: 16, seed: 5); sharpC.subframes = 1
        var blurC = sharpC; blurC.subframes = 8; blurC.shutterMin = 1; blurC.shutterMax = 1
        sharpC.shutterMin = 1; sharpC.shutterMax = 1
        var lower = 0, total = 0
        for i in 0..<6 {
            let a = try DancerGenerator(sharpC).clip(i), b = try DancerGenerator(blurC).clip(i)
            for (fa, fb) in zip(a.frames, b.frames) {
                for s in 0..<2 where fa.handSpeed[s] > 3 {
                    if let ra = fa.sharpnessRaw[s], let rb = fb.sharpnessRaw[s] { total += 1; if rb < ra { lower += 1 } }
                }
            }
        }
        #expect(total > 10)
        #expect(Double(lower) / Double(total) > 0.9, "\(lower) of \(total)")
    }

    @Test func badConfigurationIsRejected() {
        var c = SynthConfiguration(); c.width = 4
        #expect(throws: SynthError.self) { try DancerGenerator(c) }
        c = SynthConfiguration(); c.subframes = 0
        #expect(throws: SynthError.self) { try DancerGenerator(c) }
        c = SynthConfiguration(); c.shutterMin = 0.9; c.shutterMax = 0.2
        #expect(throws: SynthError.self) { try DancerGenerator(c) }
    }
}
