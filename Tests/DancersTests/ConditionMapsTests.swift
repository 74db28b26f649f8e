import Foundation
import Imaging
import Testing
import Dancers

@Suite struct ConditionMapsTests {
    /// A hand-made pose: neck (50, 30), right shoulder (40, 30), right elbow (36, 50), right wrist (36, 70).
    static func pose() -> Pose {
        var body = [Keypoint](repeating: .missing, count: 25)
        body[0] = Keypoint(x: 50, y: 18, confidence: 1)
        body[1] = Keypoint(x: 50, y: 30, confidence: 1)
        body[2] = Keypoint(x: 40, y: 30, confidence: 1)
        body[3] = Keypoint(x: 36, y: 50, confidence: 1)
        body[4] = Keypoint(x: 36, y: 70, confidence: 0.9)
        body[15] = Keypoint(x: 47, y: 16, confidence: 1)
        body[16] = Keypoint(x: 53, y: 16, confidence: 1)
        var right = [Keypoint](repeating: .missing, count: 21)
        for i in 0..<21 { right[i] = Keypoint(x: 33 + Float(i % 5), y: 72 + Float(i / 5), confidence: 1) }
        return Pose(canvasWidth: 100, canvasHeight: 100, body: body, rightHand: right)
    }

    @Test func poseMapUsesOpenPoseColours() {
        let map = ConditionMaps.poseMap(Self.pose(), width: 512, height: 512)
        // Middle of RShoulder→RElbow (COCO limb 2: colour (255,170,0)·0.6), away from the joint discs.
        let mid = map[Int((40 + 36) / 2 * 5.12), Int(40 * 5.12)]
        #expect(mid == RGB(153, 102, 0))
        // The right elbow joint disc: COCO point 3 colour (255, 255, 0).
        #expect(map[Int(36 * 5.12), Int(50 * 5.12)] == RGB(255, 255, 0))
        // The neck: COCO point 1 colour (255, 85, 0).
        #expect(map[Int(50 * 5.12), Int(30 * 5.12)] == RGB(255, 85, 0))
        // Far from everything: black. The left arm is missing: nothing drawn there.
        #expect(map[500, 10] == RGB(0, 0, 0))
        #expect(map[Int(64 * 5.12), Int(50 * 5.12)] == RGB(0, 0, 0))
        // Hand joints are blue.
        #expect(map[Int(33 * 5.12), Int(72 * 5.12)] == RGB(0, 0, 255))
    }

    @Test func masksCoverTheirKeypoints() {
        let p = Self.pose()
        let face = ConditionMaps.faceMask(p, width: 100, height: 100)
        #expect(face[18 * 100 + 50] == 1 && face[16 * 100 + 47] == 1)
        #expect(face[70 * 100 + 36] == 0)
        let hands = ConditionMaps.handMask(p, width: 100, height: 100)
        for k in p.rightHand { #expect(hands[Int(k.y) * 100 + Int(k.x)] == 1) }
        #expect(hands[18 * 100 + 50] == 0)
        // Scaled to another map size, the boxes follow.
        let small = ConditionMaps.handMask(p, width: 50, height: 50)
        #expect(small[37 * 50 + 17] == 1)
    }

    @Test func missingHandFallsBackToWristBox() {
        var p = Self.pose()
        p.rightHand = [Keypoint](repeating: .missing, count: 21)
        let hands = ConditionMaps.handMask(p, width: 100, height: 100)
        #expect(hands[72 * 100 + 36] == 1)  // just beyond the wrist, along the forearm
        #expect(hands[40 * 100 + 36] == 0)
        p.body[4] = .missing
        #expect(ConditionMaps.handMask(p, width: 100, height: 100).allSatisfy { $0 == 0 })
    }

    @Test func motionChannelsCarryTheHandsDisplacement() {
        let p = Self.pose()
        let prev = p.mapped { ($0 - 2, $1 + 1) }
        let m = ConditionMaps.handMotion(p, previous: prev, width: 100, height: 100)
        let i = 73 * 100 + 35
        #expect(abs(m[i] - 2 * 8 / 100) < 1e-6)
        #expect(abs(m[10_000 + i] - (-1) * 8 / 100) < 1e-6)
        #expect(m[18 * 100 + 50] == 0)
        let cue = ConditionMaps.sharpness(p, cues: [0.25, 1], width: 100, height: 100)
        #expect(cue[i] == 0.25 && cue[0] == 0)
        #expect(ConditionMaps.cue(speed: 0, shutter: 1, size: 64) == 1)
        #expect(ConditionMaps.cue(speed: 10, shutter: 1, size: 64) < ConditionMaps.cue(speed: 2, shutter: 1, size: 64))
    }

    @Test func alignmentMapsADrivingSequenceOntoTheReference() throws {
        let reference = Self.pose()
        var withHip = reference
        withHip.body[8] = Keypoint(x: 50, y: 60, confidence: 1)
        // The driving dancer is half the size, elsewhere, on another canvas, and moves.
        let driving = (0..<5).map { k in
            var d = withHip.mapped { (10 + $0 * 0.5 + Float(k), 5 + $1 * 0.5) }
            d.canvasWidth = 300; d.canvasHeight = 200
            return d
        }
        let aligned = try PoseAlignment.align(driving, to: withHip)
        for (k, pose) in aligned.enumerated() {
            #expect(pose.canvasWidth == 100 && pose.canvasHeight == 100)
            for (a, b) in zip(pose.body, withHip.body) where b.isPresent {
                #expect(abs(a.x - (b.x + 2 * Float(k))) < 1e-3 && abs(a.y - b.y) < 1e-3)
            }
        }
        #expect(throws: PoseAlignment.AlignmentError.self) {
            try PoseAlignment.align(driving, to: Pose.empty(canvasWidth: 10, canvasHeight: 10))
        }
    }
}
