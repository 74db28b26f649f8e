import Dancers
import Foundation
import Imaging

/// Reads a dataset in the Dancers layout — written by `zoetrope synth` or a real dataset laid out the same way:
/// `DIR/<clip>/frames/NNNN.png` and `DIR/<clip>/poses/NNNN_keypoints.json` are required, `masks/` and
/// `DIR/captions.jsonl` optional (masks then come from keypoints, captions are empty).
public struct DancerDatasetReader {
    /// One training frame.
    public struct Frame {
        /// The picture.
        public var image: RGBImage
        /// Its pose (scaled to the picture's size when the pose file's canvas differs).
        public var pose: Pose
        /// Face mask in [0, 1], row-major; from `masks/NNNN_face.png` or the keypoints.
        public var faceMask: [Float]
        /// Hand mask in [0, 1]; from `masks/NNNN_hands.png` or the keypoints.
        public var handMask: [Float]
        /// The caption, empty when the dataset has none.
        public var caption: String
    }

    /// The dataset folder.
    public let root: URL
    /// Clip folder names, in natural order.
    public let clips: [String]
    private let captions: [String: [Int: String]]
    private let poseReader: PoseFileReader

    /// Opens `root`; throws when it has no clip folder with `frames/` and `poses/`.
    public init(_ root: URL, person: PersonSelection = .only) throws {
        self.root = root
        poseReader = PoseFileReader(person: person)
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: root.path) else {
            throw PoseFileError(root.path, "dataset folder cannot be listed; give a folder of clip folders")
        }
        var isDir: ObjCBool = false
        clips = names.filter { name in
            fm.fileExists(atPath: root.appendingPathComponent(name).appendingPathComponent("frames").path, isDirectory: &isDir)
                && isDir.boolValue
                && fm.fileExists(atPath: root.appendingPathComponent(name).appendingPathComponent("poses").path)
        }.sorted(by: NaturalOrder.less)
        guard !clips.isEmpty else {
            throw PoseFileError(root.path, "no clip folders with frames/ and poses/ inside; see docs/dancers.md for the layout")
        }
        var caps: [String: [Int: String]] = [:]
        let captionURL = root.appendingPathComponent("captions.jsonl")
        if let text = try? String(contentsOf: captionURL, encoding: .utf8) {
            for (lineNumber, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let clip = obj["clip"] as? String, let frame = (obj["frame"] as? NSNumber)?.intValue,
                      let caption = obj["caption"] as? String else {
                    throw PoseFileError(captionURL.path, "line \(lineNumber + 1) is not {\"clip\": ..., \"frame\": N, \"caption\": ...}")
                }
                caps[clip, default: [:]][frame] = caption
            }
        }
        captions = caps
    }

    /// Frame files of a clip (natural order of `frames/*.png`).
    public func frameNames(_ clip: String) throws -> [String] {
        let dir = root.appendingPathComponent(clip).appendingPathComponent("frames")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.lowercased().hasSuffix(".png") }.sorted(by: NaturalOrder.less)
    }

    /// Loads frame `index` of `clip`; its pose file is `poses/<frame stem>_keypoints.json`.
    public func frame(_ clip: String, _ index: Int) throws -> Frame {
        let names = try frameNames(clip)
        guard index >= 0, index < names.count else {
            throw PoseFileError(root.appendingPathComponent(clip).path, "frame \(index) asked for, clip has \(names.count)")
        }
        let stem = String(names[index].dropLast(4))
        let dir = root.appendingPathComponent(clip)
        let image = try ImageFile.read(dir.appendingPathComponent("frames/\(names[index])"))
        var pose = try poseReader.readFrame(dir.appendingPathComponent("poses/\(stem)_keypoints.json"))
        if pose.canvasWidth != image.width || pose.canvasHeight != image.height {
            let sx = Float(image.width) / Float(pose.canvasWidth), sy = Float(image.height) / Float(pose.canvasHeight)
            pose = pose.mapped { ($0 * sx, $1 * sy) }
            pose.canvasWidth = image.width; pose.canvasHeight = image.height
        }
        func mask(_ name: String, fallback: () -> [Float]) throws -> [Float] {
            let url = dir.appendingPathComponent("masks/\(stem)_\(name).png")
            guard FileManager.default.fileExists(atPath: url.path) else { return fallback() }
            let m = try ImageFile.read(url)
            guard m.width == image.width, m.height == image.height else {
                throw PoseFileError(url.path, "mask is \(m.width)×\(m.height), frame is \(image.width)×\(image.height)")
            }
            return (0..<(m.width * m.height)).map { m.pixels[3 * $0] >= 128 ? 1 : 0 }
        }
        let face = try mask("face") { ConditionMaps.faceMask(pose, width: image.width, height: image.height) }
        let hands = try mask("hands") { ConditionMaps.handMask(pose, width: image.width, height: image.height) }
        return Frame(image: image, pose: pose, faceMask: face, handMask: hands,
                     caption: captions[clip]?[Int(stem) ?? index] ?? "")
    }
}
