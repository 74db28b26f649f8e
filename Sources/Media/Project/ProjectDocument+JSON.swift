import Engine
import Foundation

// MARK: - Files

extension ProjectDocument {
    /// Largest project file accepted (a project is a few KB; anything this large is not one).
    static let maxFileSize = 4 << 20

    /// Reads a project file. Errors name the file and the field: `demo.zoetrope.json: "steps" must be ...`.
    public static func load(from url: URL) throws(MediaFileError) -> ProjectDocument {
        let data = try readSmallFile(url, limit: maxFileSize, what: "project")
        let json: JSONValue
        do {
            json = try JSONParser.parse(data)
        } catch {
            throw MediaFileError(url: url, message: "not valid JSON at \(error)")
        }
        do {
            return try ProjectDocument(json: json)
        } catch {
            throw MediaFileError(url: url, message: error.description)
        }
    }

    /// Saves atomically (temporary file, fsync, rename): a crash leaves the old or the new project, never a mix.
    public func save(to url: URL) throws(MediaFileError) {
        try AtomicFile.write(Array((makeJSON().serialized() + "\n").utf8), to: url)
    }

    /// A path stored in the project, resolved against the project file's folder (absolute paths stay as they are).
    public static func resolve(_ path: String, relativeTo projectURL: URL) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path) }
        let expanded = path.hasPrefix("~/") ? NSString(string: path).expandingTildeInPath : path
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded) }
        return projectURL.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
    }
}

/// Reads a whole file that is expected to be small, with clear errors for the usual mistakes.
package func readSmallFile(_ url: URL, limit: Int, what: String) throws(MediaFileError) -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        throw MediaFileError(url: url, message: "no such file")
    }
    if isDirectory.boolValue { throw MediaFileError(url: url, message: "is a folder, expected a \(what) file") }
    guard let handle = FileHandle(forReadingAtPath: url.path) else {
        throw MediaFileError(url: url, message: "cannot be read (permission denied?)")
    }
    defer { try? handle.close() }
    let data: Data
    do {
        data = try handle.read(upToCount: limit + 1) ?? Data()
    } catch {
        throw MediaFileError(url: url, message: "read failed: \(error.localizedDescription)")
    }
    if data.count > limit {
        throw MediaFileError(url: url, message: "larger than \(limit >> 20) MB, too large for a \(what) file")
    }
    return Array(data)
}

// MARK: - JSON

/// A field that is missing or has the wrong value.
struct ProjectFieldError: Error, CustomStringConvertible {
    var description: String
}

extension ProjectDocument {
    /// Builds a document from parsed JSON, validating every known field and keeping unknown ones.
    init(json: JSONValue) throws(ProjectFieldError) {
        guard json.objectValue != nil else {
            throw ProjectFieldError(description: "expected a JSON object at the top level, found \(json.kindDescription)")
        }
        let r = FieldReader(root: json)
        // A newer format version is read for the fields this version knows; the rest is saved back unchanged.
        _ = try r.int("zoetrope_project", in: 1...Int(Int32.max))
        guard let reference = try r.string("reference"), !reference.isEmpty else {
            throw ProjectFieldError(description: "\"reference\" is missing: give the path of the reference image")
        }
        guard let poses = try r.string("poses"), !poses.isEmpty else {
            throw ProjectFieldError(description: "\"poses\" is missing: give the path of the pose folder or file")
        }
        self.init(reference: reference, poses: poses)
        original = json
        model = try r.string("model")
        if let s = try r.uint64("seed") { seed = s }
        if let v = try r.int("steps", in: 1...1000) { steps = v }
        if let v = try r.choice("sampler", Self.samplers) { sampler = v }
        frames = try r.int("frames", in: 1...100_000)
        if let v = try r.int("fps", in: 1...240) { fps = v }
        if let v = try r.double("guidance.reference", in: 0...50) { guidance.reference = v }
        if let v = try r.double("guidance.pose", in: 0...50) { guidance.pose = v }
        if let v = try r.double("guidance.prompt", in: 0...50) { guidance.prompt = v }
        if let v = try r.double("guidance.ramp_start", in: 0...1) { guidance.rampStart = v }
        if let v = try r.double("guidance.rescale", in: 0...1) { guidance.rescale = v }
        if let v = try r.double("reference_noise", in: 0...1) { referenceNoise = v }
        if let v = try r.double("shutter", in: 0...1) { shutter = v }
        if let v = try r.int("context.length", in: 1...4096) { context.length = v }
        if let v = try r.int("context.overlap", in: 0...4095) { context.overlap = v }
        if context.overlap >= context.length {
            throw ProjectFieldError(description: "\"context.overlap\" (\(context.overlap)) must be smaller than \"context.length\" (\(context.length))")
        }
        if let v = try r.choice("context.fusion", ContextWindows.fusions) { context.fusion = v }
        if let v = try r.bool("context.loop") { context.loop = v }
        if let v = try r.string("prompts.head") { prompts.head = v }
        if let v = try r.string("prompts.tail") { prompts.tail = v }
        if let v = try r.choice("prompts.interpolation", PromptKeyframes.interpolations) { prompts.interpolation = v }
        if let v = try r.double("prompts.hold_ratio", in: 0...1) { prompts.holdRatio = v }
        if let v = try r.bool("prompts.wrap") { prompts.wrap = v }
        if let map = try r.object("prompts.map") {
            var keyframes: [Keyframe] = []
            for (key, value) in map {
                guard let frame = Int(key), frame >= 0, frame <= 100_000 else {
                    throw ProjectFieldError(description: "\"prompts.map\": key \"\(key)\" is not a frame number (0, 1, 2, ...)")
                }
                guard let prompt = value.stringValue else {
                    throw ProjectFieldError(description: "\"prompts.map\".\"\(key)\" must be a string, found \(value.kindDescription)")
                }
                keyframes.removeAll { $0.frame == frame }  // a repeated key: the last one wins, as in the JSON object
                keyframes.append(Keyframe(frame: frame, prompt: prompt))
            }
            prompts.keyframes = keyframes.sorted { $0.frame < $1.frame }
        }
        if let v = try r.string("output.path") { output.path = v }
        if let v = try r.choice("output.format", OutputSettings.formats) { output.format = v }
        if let v = try r.int("output.upscale", in: 1...16) { output.upscale = v }
        if let v = try r.choice("output.filter", OutputSettings.filters) { output.filter = v }
        if let v = try r.choice("output.layout", OutputSettings.layouts) { output.layout = v }
    }

    /// The document as JSON: known fields in a fixed order, unknown fields from the file kept after them.
    public func makeJSON() -> JSONValue {
        func number(_ d: Double) -> JSONValue { .number(d) }
        var known: [(key: String, value: JSONValue)] = [
            ("zoetrope_project", .integer(Self.formatVersion)),
            ("reference", .string(reference)),
            ("poses", .string(poses)),
        ]
        if let model { known.append(("model", .string(model))) }
        // Seeds above Int64.max are written as a decimal number that still parses exactly as UInt64 text.
        known.append(("seed", seed <= UInt64(Int64.max) ? .integer(Int64(seed)) : .string(String(seed))))
        known.append(("steps", .integer(Int64(steps))))
        known.append(("sampler", .string(sampler)))
        if let frames { known.append(("frames", .integer(Int64(frames)))) }
        known.append(("fps", .integer(Int64(fps))))
        known.append(("guidance", .object([
            ("reference", number(guidance.reference)), ("pose", number(guidance.pose)),
            ("prompt", number(guidance.prompt)), ("ramp_start", number(guidance.rampStart)),
            ("rescale", number(guidance.rescale)),
        ])))
        known.append(("reference_noise", number(referenceNoise)))
        known.append(("shutter", number(shutter)))
        known.append(("context", .object([
            ("length", .integer(Int64(context.length))), ("overlap", .integer(Int64(context.overlap))),
            ("fusion", .string(context.fusion)), ("loop", .bool(context.loop)),
        ])))
        known.append(("prompts", .object([
            ("map", .object(prompts.keyframes.map { (String($0.frame), JSONValue.string($0.prompt)) })),
            ("head", .string(prompts.head)), ("tail", .string(prompts.tail)),
            ("interpolation", .string(prompts.interpolation)), ("hold_ratio", number(prompts.holdRatio)),
            ("wrap", .bool(prompts.wrap)),
        ])))
        known.append(("output", .object([
            ("path", .string(output.path)), ("format", .string(output.format)), ("upscale", .integer(Int64(output.upscale))),
            ("filter", .string(output.filter)), ("layout", .string(output.layout)),
        ])))
        return Self.merge(known: .object(known), into: original, replacingKeys: ["prompts.map", "model", "frames"])
    }

    /// Known values win; members only in `original` are kept (recursively for objects). Keys listed in
    /// `replacingKeys` (dotted paths) are replaced wholesale, so removed keyframes or a cleared model stay removed.
    static func merge(known: JSONValue, into original: JSONValue, replacingKeys: Set<String>, path: String = "") -> JSONValue {
        guard case .object(let knownMembers) = known, case .object(let originalMembers) = original else { return known }
        var result: [(key: String, value: JSONValue)] = []
        for (key, value) in knownMembers {
            let childPath = path.isEmpty ? key : path + "." + key
            if !replacingKeys.contains(childPath), let old = originalMembers.last(where: { $0.key == key })?.value {
                result.append((key, merge(known: value, into: old, replacingKeys: replacingKeys, path: childPath)))
            } else {
                result.append((key, value))
            }
        }
        let knownKeys = Set(knownMembers.map(\.key))
        for (key, value) in originalMembers where !knownKeys.contains(key) {
            let childPath = path.isEmpty ? key : path + "." + key
            if replacingKeys.contains(childPath) { continue }  // a known optional field now unset
            if !result.contains(where: { $0.key == key }) { result.append((key, value)) }
        }
        return .object(result)
    }
}

/// Reads typed fields by dotted path with one clear message per wrong value.
private struct FieldReader {
    let root: JSONValue

    func value(_ path: String) throws(ProjectFieldError) -> JSONValue? {
        var node = root
        var walked: [String] = []
        for part in path.split(separator: ".").map(String.init) {
            guard case .object = node else {
                throw ProjectFieldError(description: "\"\(walked.joined(separator: "."))\" must be an object, found \(node.kindDescription)")
            }
            walked.append(part)
            guard let next = node[part] else { return nil }
            node = next
        }
        if case .null = node { return nil }
        return node
    }

    func string(_ path: String) throws(ProjectFieldError) -> String? {
        guard let v = try value(path) else { return nil }
        guard let s = v.stringValue else { throw ProjectFieldError(description: "\"\(path)\" must be a string, found \(v.kindDescription)") }
        return s
    }

    func bool(_ path: String) throws(ProjectFieldError) -> Bool? {
        guard let v = try value(path) else { return nil }
        guard let b = v.boolValue else { throw ProjectFieldError(description: "\"\(path)\" must be true or false, found \(v.kindDescription)") }
        return b
    }

    func int(_ path: String, in range: ClosedRange<Int>) throws(ProjectFieldError) -> Int? {
        guard let v = try value(path) else { return nil }
        guard let i = v.int64Value, i >= Int64(range.lowerBound), i <= Int64(range.upperBound) else {
            throw ProjectFieldError(description: "\"\(path)\" must be a whole number from \(range.lowerBound) to \(range.upperBound), found \(v.kindDescription)")
        }
        return Int(i)
    }

    func uint64(_ path: String) throws(ProjectFieldError) -> UInt64? {
        guard let v = try value(path) else { return nil }
        if let i = v.int64Value, i >= 0 { return UInt64(i) }
        if let s = v.stringValue, let u = UInt64(s) { return u }
        throw ProjectFieldError(description: "\"\(path)\" must be a whole number from 0 to \(UInt64.max), found \(v.kindDescription)")
    }

    func double(_ path: String, in range: ClosedRange<Double>) throws(ProjectFieldError) -> Double? {
        guard let v = try value(path) else { return nil }
        guard let d = v.doubleValue, d.isFinite, range.contains(d) else {
            throw ProjectFieldError(description: "\"\(path)\" must be a number from \(JSONValue.format(range.lowerBound)) to \(JSONValue.format(range.upperBound)), found \(v.kindDescription)")
        }
        return d
    }

    func choice(_ path: String, _ options: [String]) throws(ProjectFieldError) -> String? {
        guard let v = try value(path) else { return nil }
        guard let s = v.stringValue, options.contains(s) else {
            throw ProjectFieldError(description: "\"\(path)\" must be one of \(options.joined(separator: ", ")), found \(v.kindDescription)")
        }
        return s
    }

    func object(_ path: String) throws(ProjectFieldError) -> [(key: String, value: JSONValue)]? {
        guard let v = try value(path) else { return nil }
        guard let o = v.objectValue else { throw ProjectFieldError(description: "\"\(path)\" must be an object, found \(v.kindDescription)") }
        return o
    }
}
