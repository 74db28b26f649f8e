import Dancers
import Foundation

/// Reads OpenPose JSON (BODY_25 or COCO-18, with or without hands and face), DWPose / ComfyUI POSE_KEYPOINT
/// arrays (frames with `canvas_width`/`canvas_height`), and folders of per-frame files in natural order.
///
/// Fallbacks (documented in docs/dancers.md): missing hands or face become all-missing points; a COCO-18 body
/// gets BODY_25's mid-hip as the mean of the hips and no feet; inside a sequence a frame with no people becomes
/// an empty pose (a sequence with no person at all is an error); when no canvas size is known, pixel coordinates
/// use the smallest canvas holding every point (`defaultCanvas` overrides) and normalised ones use `defaultCanvas`
/// or 512×512. Zero confidence means missing, as in OpenPose.
public struct PoseFileReader: Sendable {
    /// Which person to take from frames with several.
    public var person: PersonSelection = .only
    /// How coordinates are scaled.
    public var coordinates: PoseCoordinates = .automatic
    /// Canvas size for files that do not state one (OpenPose's own files never do).
    public var defaultCanvas: (width: Int, height: Int)? = nil

    /// A reader with the defaults: one person per frame, automatic coordinates.
    public init(person: PersonSelection = .only, coordinates: PoseCoordinates = .automatic,
                defaultCanvas: (width: Int, height: Int)? = nil) {
        self.person = person; self.coordinates = coordinates; self.defaultCanvas = defaultCanvas
    }

    /// Every frame of a pose sequence: a folder of JSON files (natural order: 2 before 10) or one file holding a
    /// single frame or an array of frames.
    public func readSequence(_ url: URL) throws(PoseFileError) -> [Pose] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw PoseFileError(url.path, "no such file or folder")
        }
        var frames: [(pose: Pose?, path: String)] = []
        if isDirectory.boolValue {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: url.path) } catch {
                throw PoseFileError(url.path, "cannot list the folder (\(error.localizedDescription))")
            }
            let files = names.filter { $0.lowercased().hasSuffix(".json") && !$0.hasPrefix(".") }
                .sorted(by: NaturalOrder.less)
            guard !files.isEmpty else { throw PoseFileError(url.path, "the folder holds no .json pose files") }
            for name in files {
                let file = url.appendingPathComponent(name)
                for pose in try readFrames(file) { frames.append((pose, file.path)) }
            }
        } else {
            for pose in try readFrames(url) { frames.append((pose, url.path)) }
        }
        guard let first = frames.first(where: { $0.pose != nil })?.pose else {
            throw PoseFileError(url.path, "no person in any frame; check the detector's output")
        }
        return frames.map { $0.pose ?? Pose.empty(canvasWidth: first.canvasWidth, canvasHeight: first.canvasHeight) }
    }

    /// One frame's pose; a frame without people is an error here.
    public func readFrame(_ url: URL) throws(PoseFileError) -> Pose {
        let frames = try readFrames(url)
        guard frames.count == 1 else {
            throw PoseFileError(url.path, "holds \(frames.count) frames, expected one; read it as a sequence")
        }
        guard let pose = frames[0] else { throw PoseFileError(url.path, "no people in the frame (\"people\" is empty)") }
        return pose
    }

    /// The frames of one file (nil for a frame without people).
    public func readFrames(_ url: URL) throws(PoseFileError) -> [Pose?] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PoseFileError(url.path, "cannot read the file (\(error.localizedDescription))")
        }
        return try parse(data, path: url.path)
    }

    /// The frames of JSON bytes; `path` names them in errors.
    public func parse(_ data: Data, path: String) throws(PoseFileError) -> [Pose?] {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            let text = String(decoding: data.prefix(1_000_000), as: UTF8.self)
            if text.range(of: #"\b(NaN|-?Infinity)\b"#, options: .regularExpression) != nil {
                throw PoseFileError(path, "contains NaN or Infinity, which JSON does not allow; write missing points as 0, 0, 0")
            }
            throw PoseFileError(path, "not valid JSON (\(Self.reason(error)))")
        }
        if let array = root as? [Any] {
            guard !array.isEmpty else { throw PoseFileError(path, "the frame array is empty") }
            var out: [Pose?] = []
            for (i, item) in array.enumerated() {
                guard let frame = item as? [String: Any] else {
                    throw PoseFileError(path, "frame \(i) is not a JSON object with \"people\"")
                }
                out.append(try pose(frame, path: "\(path) frame \(i)"))
            }
            return out
        }
        guard let frame = root as? [String: Any] else {
            throw PoseFileError(path, "expected an OpenPose object with \"people\" or an array of frames")
        }
        return [try pose(frame, path: path)]
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }

    // MARK: - One frame

    func pose(_ frame: [String: Any], path: String) throws(PoseFileError) -> Pose? {
        guard let peopleAny = frame["people"] else {
            throw PoseFileError(path, "no \"people\" array; is this an OpenPose / DWPose keypoint file?")
        }
        guard let people = peopleAny as? [Any] else { throw PoseFileError(path, "\"people\" is not an array") }
        if people.isEmpty { return nil }
        let chosen: [String: Any]
        switch person {
        case .only:
            guard people.count == 1 else {
                throw PoseFileError(path, "\(people.count) people in the frame; choose one with --person INDEX or --person-id ID")
            }
            guard let p = people[0] as? [String: Any] else { throw PoseFileError(path, "person 0 is not a JSON object") }
            chosen = p
        case .index(let i):
            guard i >= 0, i < people.count else {
                throw PoseFileError(path, "person index \(i) asked for, but the frame lists \(people.count) (0 to \(people.count - 1))")
            }
            guard let p = people[i] as? [String: Any] else { throw PoseFileError(path, "person \(i) is not a JSON object") }
            chosen = p
        case .id(let id):
            let match = people.compactMap { $0 as? [String: Any] }.first { Self.personID($0) == id }
            guard let match else {
                let ids = people.compactMap { ($0 as? [String: Any]).flatMap(Self.personID) }.map(String.init)
                throw PoseFileError(path, "no person with person_id \(id) (ids present: \(ids.isEmpty ? "none" : ids.joined(separator: ", ")))")
            }
            chosen = match
        }
        // OpenPose before 1.2 wrote the same arrays without the "_2d" suffix.
        func field(_ name: String) throws(PoseFileError) -> [Float] {
            chosen[name + "_2d"] != nil ? try numbers(chosen, name + "_2d", path) : try numbers(chosen, name, path)
        }
        let body = try field("pose_keypoints")
        let left = try field("hand_left_keypoints")
        let right = try field("hand_right_keypoints")
        let face = try field("face_keypoints")
        guard [0, 75, 54].contains(body.count) else {
            throw PoseFileError(path, "expected 75 numbers in pose_keypoints_2d (BODY_25) or 54 (COCO-18), found \(body.count)")
        }
        for (name, values) in [("hand_left_keypoints_2d", left), ("hand_right_keypoints_2d", right)] where ![0, 63].contains(values.count) {
            throw PoseFileError(path, "expected 63 numbers in \(name) (21 points × 3), found \(values.count)")
        }
        guard [0, 210].contains(face.count) else {
            throw PoseFileError(path, "expected 210 numbers in face_keypoints_2d (70 points × 3), found \(face.count)")
        }
        func points(_ v: [Float], _ count: Int) -> [Keypoint] {
            guard v.count == 3 * count else { return Array(repeating: .missing, count: count) }
            return (0..<count).map { i in
                let c = v[3 * i + 2]
                return c > 0 ? Keypoint(x: v[3 * i], y: v[3 * i + 1], confidence: min(1, c)) : .missing
            }
        }
        var bodyPoints: [Keypoint]
        if body.count == 54 {
            let coco = points(body, 18)
            bodyPoints = Array(repeating: .missing, count: Pose.bodyCount)
            for (i, j) in Skeleton.coco18ToBody25.enumerated() { bodyPoints[j] = coco[i] }
            let rh = bodyPoints[Skeleton.Body.rHip.rawValue], lh = bodyPoints[Skeleton.Body.lHip.rawValue]
            if rh.isPresent, lh.isPresent {
                bodyPoints[Skeleton.Body.midHip.rawValue] = Keypoint(x: (rh.x + lh.x) / 2, y: (rh.y + lh.y) / 2,
                                                                      confidence: min(rh.confidence, lh.confidence))
            }
        } else {
            bodyPoints = points(body, 25)
        }
        var pose = Pose(canvasWidth: 1, canvasHeight: 1, body: bodyPoints, leftHand: points(left, 21),
                        rightHand: points(right, 21), face: points(face, 70))
        let all = pose.body + pose.leftHand + pose.rightHand + pose.face
        let present = all.filter(\.isPresent)
        guard !present.isEmpty else { return nil }
        // Canvas and scale.
        let stated = (Self.int(frame["canvas_width"]), Self.int(frame["canvas_height"]))
        if let w = stated.0, let h = stated.1, w <= 0 || h <= 0 || w > 65_536 || h > 65_536 {
            throw PoseFileError(path, "canvas_width × canvas_height \(w)×\(h) is not a usable canvas size")
        }
        let maxCoordinate = present.reduce(Float(0)) { max($0, $1.x, $1.y) }
        let isNormalised: Bool
        switch coordinates {
        case .pixels: isNormalised = false
        case .normalised: isNormalised = true
        case .automatic: isNormalised = maxCoordinate <= 1.0001
        }
        var canvasW: Int, canvasH: Int
        if let w = stated.0, let h = stated.1 {
            canvasW = w; canvasH = h
        } else if let d = defaultCanvas {
            canvasW = d.width; canvasH = d.height
        } else if isNormalised {
            canvasW = 512; canvasH = 512
        } else {
            let maxX = present.reduce(Float(0)) { max($0, $1.x) }, maxY = present.reduce(Float(0)) { max($0, $1.y) }
            canvasW = max(1, Int(maxX.rounded(.up)) + 1); canvasH = max(1, Int(maxY.rounded(.up)) + 1)
        }
        pose.canvasWidth = canvasW
        pose.canvasHeight = canvasH
        if isNormalised {
            let fw = Float(canvasW), fh = Float(canvasH)
            pose = pose.mapped { ($0 * fw, $1 * fh) }
        }
        return pose
    }

    static func personID(_ person: [String: Any]) -> Int? {
        if let a = person["person_id"] as? [Any], let first = a.first { return int(first) }
        return int(person["person_id"])
    }

    static func int(_ value: Any?) -> Int? {
        guard let n = value as? NSNumber else { return nil }
        let d = n.doubleValue
        guard d.isFinite, d == d.rounded(), abs(d) < 1e9 else { return nil }
        return Int(d)
    }

    /// A numeric array field; absent or null is empty. Nulls inside count as 0 (missing).
    func numbers(_ person: [String: Any], _ key: String, _ path: String) throws(PoseFileError) -> [Float] {
        guard let value = person[key], !(value is NSNull) else { return [] }
        guard let array = value as? [Any] else { throw PoseFileError(path, "\(key) is not an array of numbers") }
        var out = [Float]()
        out.reserveCapacity(array.count)
        for (i, item) in array.enumerated() {
            if item is NSNull { out.append(0); continue }
            guard let n = item as? NSNumber else {
                throw PoseFileError(path, "\(key)[\(i)] is not a number")
            }
            let d = n.doubleValue
            guard d.isFinite, abs(d) < 1e7 else {
                throw PoseFileError(path, "\(key)[\(i)] is \(d), not a usable coordinate; write missing points as 0, 0, 0")
            }
            out.append(Float(d))
        }
        return out
    }
}

/// Natural file order: runs of digits compare as numbers ("frame2" < "frame10").
enum NaturalOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        var i = 0, j = 0
        while i < x.count, j < y.count {
            let dx = CharacterSet.decimalDigits.contains(x[i]), dy = CharacterSet.decimalDigits.contains(y[j])
            if dx && dy {
                var ei = i, ej = j
                while ei < x.count, CharacterSet.decimalDigits.contains(x[ei]) { ei += 1 }
                while ej < y.count, CharacterSet.decimalDigits.contains(y[ej]) { ej += 1 }
                let na = String(String.UnicodeScalarView(x[i..<ei])), nb = String(String.UnicodeScalarView(y[j..<ej]))
                let ta = na.drop { $0 == "0" }, tb = nb.drop { $0 == "0" }
                if ta.count != tb.count { return ta.count < tb.count }
                if ta != tb { return ta < tb }
                if na.count != nb.count { return na.count < nb.count }
                i = ei; j = ej
            } else {
                if x[i] != y[j] { return x[i].value < y[j].value }
                i += 1; j += 1
            }
        }
        return x.count - i < y.count - j
    }
}
