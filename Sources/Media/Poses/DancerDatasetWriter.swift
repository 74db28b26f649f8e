import Dancers
import Foundation
import Imaging

/// Writes Dancers clips in the dataset layout documented by `DatasetLayout` (PNG frames and maps, OpenPose JSON).
public enum DancerDatasetWriter {
    /// Writes one clip's folder under `root` (frames, poses, masks, depth, parts, clip.json) and returns its
    /// `captions.jsonl` lines for the caller to collect.
    public static func write(_ clip: DancerClip, to root: URL) throws -> String {
        let fm = FileManager.default
        let dir = root.appendingPathComponent(DatasetLayout.clipName(clip.index))
        for sub in ["frames", "poses", "masks", "depth", "parts"] {
            try fm.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        for (i, f) in clip.frames.enumerated() {
            let name = DatasetLayout.frameName(i)
            let w = f.image.width, h = f.image.height
            try PNGWriter.write(f.image, to: dir.appendingPathComponent("frames/\(name).png"))
            try PoseFileWriter.write(f.pose, to: dir.appendingPathComponent("poses/\(name)_keypoints.json"))
            try PNGWriter.write(DatasetLayout.grey(f.faceMask, width: w, height: h),
                                to: dir.appendingPathComponent("masks/\(name)_face.png"))
            try PNGWriter.write(DatasetLayout.grey(f.handMask, width: w, height: h),
                                to: dir.appendingPathComponent("masks/\(name)_hands.png"))
            try PNGWriter.write(DatasetLayout.grey(DatasetLayout.encodeDepth(f.depth), width: w, height: h),
                                to: dir.appendingPathComponent("depth/\(name).png"))
            try PNGWriter.write(DatasetLayout.grey(f.parts, width: w, height: h),
                                to: dir.appendingPathComponent("parts/\(name).png"))
        }
        try DatasetLayout.clipJSON(clip).write(to: dir.appendingPathComponent("clip.json"), options: .atomic)
        return DatasetLayout.captionLines(clip)
    }
}
