import Dancers
import Foundation

/// Writes one pose as an OpenPose JSON frame (version 1.3, one person).
///
/// Matches: OpenPose's `*_keypoints.json` layout — `person_id` [-1], flat `x, y, confidence` arrays for
/// BODY_25 (75), face (210), left and right hands (63 each), empty `*_3d` arrays — plus `canvas_width` and
/// `canvas_height` at the top level (as ComfyUI writes them) so the canvas survives a round trip.
/// Limitations: depth is not written (OpenPose has no field for it); missing points are written as 0, 0, 0.
public enum PoseFileWriter {
    /// The JSON text of `pose`.
    public static func json(_ pose: Pose) -> String {
        func list(_ pts: [Keypoint]) -> String {
            var parts: [String] = []
            parts.reserveCapacity(pts.count * 3)
            for p in pts {
                if p.isPresent && p.x.isFinite && p.y.isFinite {
                    parts.append(number(p.x)); parts.append(number(p.y)); parts.append(number(p.confidence))
                } else {
                    parts.append("0"); parts.append("0"); parts.append("0")
                }
            }
            return "[" + parts.joined(separator: ",") + "]"
        }
        return """
        {"version":1.3,"canvas_width":\(pose.canvasWidth),"canvas_height":\(pose.canvasHeight),"people":[{"person_id":[-1],\
        "pose_keypoints_2d":\(list(pose.body)),"face_keypoints_2d":\(list(pose.face)),\
        "hand_left_keypoints_2d":\(list(pose.leftHand)),"hand_right_keypoints_2d":\(list(pose.rightHand)),\
        "pose_keypoints_3d":[],"face_keypoints_3d":[],"hand_left_keypoints_3d":[],"hand_right_keypoints_3d":[]}]}

        """
    }

    /// Shortest text that reads back as the same Float ("12.5", "0", "1e-05").
    static func number(_ v: Float) -> String {
        if v == v.rounded(), abs(v) < 1e7 { return String(Int(v)) }
        return "\(v)"
    }

    /// Writes `pose` to `url` atomically (temporary file, then rename).
    public static func write(_ pose: Pose, to url: URL) throws(PoseFileError) {
        do { try Data(json(pose).utf8).write(to: url, options: .atomic) } catch {
            throw PoseFileError(url.path, "cannot write (\(error.localizedDescription))")
        }
    }
}
