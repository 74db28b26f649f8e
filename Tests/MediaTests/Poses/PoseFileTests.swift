import Dancers
import Foundation
import Media
import Testing

@Suite struct PoseFileTests {
    static let dir = MediaTestSupport.fixtures.appendingPathComponent("Poses")

    static func write(_ text: String, _ name: String = "frame.json", in folder: URL? = nil) throws -> URL {
        let folder = try folder ?? MediaTestSupport.makeTemporaryDirectory()
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    static func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return String(describing: error) }
    }

    // MARK: - Good files

    @Test func readsAnOpenPoseBody25FileWithHandsAndFace() throws {
        let pose = try PoseFileReader().readFrame(Self.dir.appendingPathComponent("openpose_body25_hands_face.json"))
        #expect(pose.body.count == 25 && pose.leftHand.count == 21 && pose.rightHand.count == 21 && pose.face.count == 70)
        #expect(pose.body[1] == Keypoint(x: 314.579, y: 92.827, confidence: 0.91701))
        #expect(pose.hasHands && pose.hasFace)
        // No canvas in OpenPose files: the smallest canvas holding every point.
        #expect(pose.canvasWidth >= 458 && pose.canvasWidth <= 640 && pose.canvasHeight > 400)
        let sized = try PoseFileReader(defaultCanvas: (640, 480)).readFrame(Self.dir.appendingPathComponent("openpose_body25_hands_face.json"))
        #expect(sized.canvasWidth == 640 && sized.canvasHeight == 480 && sized.body[1].x == pose.body[1].x)
    }

    @Test func readsCOCO18IntoBody25Slots() throws {
        let coco = try PoseFileReader(defaultCanvas: (640, 480)).readFrame(Self.dir.appendingPathComponent("coco18.json"))
        let full = try PoseFileReader(defaultCanvas: (640, 480)).readFrame(Self.dir.appendingPathComponent("openpose_body25_hands_face.json"))
        for j in Skeleton.coco18ToBody25 { #expect(coco.body[j] == full.body[j]) }
        // Mid-hip is the mean of the hips; feet are missing; no hands or face.
        let mid = coco.body[8], rh = full.body[9], lh = full.body[12]
        #expect(abs(mid.x - (rh.x + lh.x) / 2) < 1e-3 && abs(mid.y - (rh.y + lh.y) / 2) < 1e-3)
        #expect(coco.body[19...24].allSatisfy { !$0.isPresent })
        #expect(!coco.hasHands && !coco.hasFace)
    }

    @Test func readsComfyUIArraysWithNormalisedCoordinates() throws {
        let frames = try PoseFileReader().readSequence(Self.dir.appendingPathComponent("comfyui_pose_keypoint.json"))
        let full = try PoseFileReader(defaultCanvas: (640, 480)).readFrame(Self.dir.appendingPathComponent("openpose_body25_hands_face.json"))
        #expect(frames.count == 2)
        #expect(frames[0].canvasWidth == 640 && frames[0].canvasHeight == 480)
        #expect(abs(frames[0].body[1].x - full.body[1].x) < 0.01 && abs(frames[0].body[1].y - full.body[1].y) < 0.01)
        #expect(abs(frames[1].body[1].x - frames[0].body[1].x - 4) < 0.01)
        #expect(!frames[0].hasHands)  // null hands → missing
    }

    @Test func readsAFolderInNaturalOrder() throws {
        let folder = try MediaTestSupport.makeTemporaryDirectory()
        for k in [10, 2, 1] {
            var body = Array(repeating: "0", count: 75)
            body[3] = String(k); body[4] = "5"; body[5] = "1"
            _ = try Self.write("{\"people\":[{\"pose_keypoints_2d\":[\(body.joined(separator: ","))]}]}",
                               "walk_\(k)_keypoints.json", in: folder)
        }
        _ = try Self.write("not a pose", "notes.txt", in: folder)
        let frames = try PoseFileReader(defaultCanvas: (64, 64)).readSequence(folder)
        #expect(frames.map { $0.body[1].x } == [1, 2, 10])
    }

    @Test func writtenJSONReadsBackIdentically() throws {
        var c = SynthConfiguration(); c.frames = 3; c.width = 128; c.height = 128
        let clip = try DancerGenerator(c).clip(0)
        let folder = try MediaTestSupport.makeTemporaryDirectory()
        for (i, f) in clip.frames.enumerated() {
            let url = folder.appendingPathComponent("\(i)_keypoints.json")
            try PoseFileWriter.write(f.pose, to: url)
            let back = try PoseFileReader().readFrame(url)
            // Depth has no OpenPose field; everything else must survive exactly.
            #expect(back == f.pose.withoutDepth)
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text.hasPrefix("{\"version\":1.3,"))
            #expect(try PoseFileWriter.json(back) == PoseFileWriter.json(f.pose))
        }
    }

    // MARK: - Bad files

    @Test func wrongArrayLengthsAreNamed() throws {
        let short = Array(repeating: "1", count: 60).joined(separator: ",")
        var url = try Self.write("{\"people\":[{\"pose_keypoints_2d\":[\(short)]}]}")
        var m = Self.message { _ = try PoseFileReader().readFrame(url) }
        #expect(m == "pose file \(url.path): expected 75 numbers in pose_keypoints_2d (BODY_25) or 54 (COCO-18), found 60")
        let body = Array(repeating: "1", count: 75).joined(separator: ",")
        url = try Self.write("{\"people\":[{\"pose_keypoints_2d\":[\(body)],\"hand_left_keypoints_2d\":[1,2,3]}]}")
        m = Self.message { _ = try PoseFileReader().readFrame(url) }
        #expect(m.contains("expected 63 numbers in hand_left_keypoints_2d (21 points × 3), found 3"))
        url = try Self.write("{\"people\":[{\"pose_keypoints_2d\":[\(body)],\"face_keypoints_2d\":[1,2,3,4,5,6]}]}")
        m = Self.message { _ = try PoseFileReader().readFrame(url) }
        #expect(m.contains("expected 210 numbers in face_keypoints_2d"))
        url = try Self.write("{\"people\":[{\"pose_keypoints_2d\":[\"a\"]}]}")
        m = Self.message { _ = try PoseFileReader().readFrame(url) }
        #expect(m.contains("pose_keypoints_2d[0] is not a number"))
    }

    @Test func nanAndBrokenJSONAreClearErrors() throws {
        var url = try Self.write("{\"people\":[{\"pose_keypoints_2d\":[NaN,1,1]}]}")
        var m = Self.message { _ = try PoseFileReader().readFrame(url) }
        #expect(m == "pose file \(url.path): contains NaN or Infinity, which JSON does not allow; write missing points as 0, 0, 0")
        url = try Self.write("{\"people\":[{")
        m = Self.message { _ = try PoseFileReader().readFrame(url) }
        #expect(m.hasPrefix("pose file \(url.path): not valid JSON"))
        url = try Self.write("{\"frames\":[]}")
        m = Self.message { _ = try PoseFileReader().readFrame(url) }
        #expect(m.contains("no \"people\" array"))
        m = Self.message { _ = try PoseFileReader().readSequence(URL(fileURLWithPath: "/nonexistent/poses")) }
        #expect(m == "pose file /nonexistent/poses: no such file or folder")
        url = try Self.write("{\"people\":[{\"pose_keypoints_2d\":[1e300,1,1]}]}")
        m = Self.message { _ = try PoseFileReader().readFrame(url) }
        #expect(m.contains("not a usable coordinate"))
    }

    @Test func noPeople() throws {
        let url = try Self.write("{\"version\":1.3,\"people\":[]}")
        let m = Self.message { _ = try PoseFileReader().readFrame(url) }
        #expect(m == "pose file \(url.path): no people in the frame (\"people\" is empty)")
        // In a sequence, an empty frame becomes an empty pose; an all-empty sequence is an error.
        let folder = url.deletingLastPathComponent()
        let body = (["0", "0", "0", "5", "6", "1"] + Array(repeating: "0", count: 69)).joined(separator: ",")
        _ = try Self.write("{\"people\":[{\"pose_keypoints_2d\":[\(body)]}]}", "frame2.json", in: folder)
        let frames = try PoseFileReader(defaultCanvas: (32, 32)).readSequence(folder)
        #expect(frames.count == 2 && !frames[0].body.contains { $0.isPresent } && frames[1].body[1].x == 5)
        let emptyFolder = try MediaTestSupport.makeTemporaryDirectory()
        _ = try Self.write("{\"people\":[]}", "a.json", in: emptyFolder)
        let e = Self.message { _ = try PoseFileReader().readSequence(emptyFolder) }
        #expect(e == "pose file \(emptyFolder.path): no person in any frame; check the detector's output")
    }

    @Test func severalPeopleAreChosenByIndexOrIdOrRefused() throws {
        func person(_ id: Int, _ x: Int) -> String {
            let body = (["0", "0", "0", String(x), "6", "1"] + Array(repeating: "0", count: 69)).joined(separator: ",")
            return "{\"person_id\":[\(id)],\"pose_keypoints_2d\":[\(body)]}"
        }
        let url = try Self.write("{\"people\":[\(person(3, 10)),\(person(7, 20))]}")
        let m = Self.message { _ = try PoseFileReader().readFrame(url) }
        #expect(m == "pose file \(url.path): 2 people in the frame; choose one with --person INDEX or --person-id ID")
        #expect(try PoseFileReader(person: .index(1)).readFrame(url).body[1].x == 20)
        #expect(try PoseFileReader(person: .id(3)).readFrame(url).body[1].x == 10)
        #expect(Self.message { _ = try PoseFileReader(person: .index(5)).readFrame(url) }
            .contains("person index 5 asked for, but the frame lists 2 (0 to 1)"))
        #expect(Self.message { _ = try PoseFileReader(person: .id(9)).readFrame(url) }
            .contains("no person with person_id 9 (ids present: 3, 7)"))
    }

    @Test func missingHandsAndFaceBecomeMissingPoints() throws {
        let body = Array(repeating: "2", count: 75).joined(separator: ",")
        let url = try Self.write("{\"people\":[{\"pose_keypoints_2d\":[\(body)]}]}")
        let pose = try PoseFileReader().readFrame(url)
        #expect(pose.leftHand.count == 21 && pose.rightHand.count == 21 && pose.face.count == 70)
        #expect(!pose.hasHands && !pose.hasFace)
        // The condition maps fall back to wrist boxes for hands and draw no face.
        #expect(ConditionMaps.handMask(pose, width: 8, height: 8).contains(1))
    }
}

extension Pose {
    /// The same pose as OpenPose JSON carries it: depth 0, and points with confidence 0 written as 0, 0, 0.
    var withoutDepth: Pose {
        func z(_ a: [Keypoint]) -> [Keypoint] {
            a.map { $0.isPresent ? Keypoint(x: $0.x, y: $0.y, confidence: $0.confidence) : .missing }
        }
        return Pose(canvasWidth: canvasWidth, canvasHeight: canvasHeight, body: z(body), leftHand: z(leftHand),
                    rightHand: z(rightHand), face: z(face))
    }
}

@Suite struct DancerDatasetTests {
    @Test func writtenDatasetReadsBack() throws {
        var c = SynthConfiguration(); c.frames = 3; c.width = 64; c.height = 64; c.identities = 2
        let generator = try DancerGenerator(c)
        let root = try MediaTestSupport.makeTemporaryDirectory()
        var captions = ""
        var clips: [DancerClip] = []
        for clip in generator.stream(0..<2) { captions += try DancerDatasetWriter.write(clip, to: root); clips.append(clip) }
        try Data(captions.utf8).write(to: root.appendingPathComponent("captions.jsonl"))
        let reader = try DancerDatasetReader(root)
        #expect(reader.clips == ["clip_00000", "clip_00001"])
        for clip in clips {
            for i in 0..<3 {
                let f = try reader.frame(DatasetLayout.clipName(clip.index), i)
                #expect(f.image == clip.frames[i].image)
                #expect(f.pose == clip.frames[i].pose.withoutDepth)
                #expect(f.caption == clip.frames[i].caption)
                #expect(f.handMask == clip.frames[i].handMask.map { $0 == 255 ? 1 : 0 })
            }
        }
        // Without masks/ the masks come from keypoints; without captions.jsonl captions are empty.
        try FileManager.default.removeItem(at: root.appendingPathComponent("clip_00000/masks"))
        try FileManager.default.removeItem(at: root.appendingPathComponent("captions.jsonl"))
        let bare = try DancerDatasetReader(root).frame("clip_00000", 1)
        #expect(bare.caption.isEmpty)
        #expect(bare.faceMask == ConditionMaps.faceMask(bare.pose, width: 64, height: 64))
    }

    @Test func folderWithoutClipsIsAClearError() throws {
        let root = try MediaTestSupport.makeTemporaryDirectory()
        #expect(PoseFileTests.message { _ = try DancerDatasetReader(root) }
            == "pose file \(root.path): no clip folders with frames/ and poses/ inside; see docs/dancers.md for the layout")
    }
}
