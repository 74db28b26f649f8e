import Engine
import Foundation

/// A training recipe (`zoetrope train --recipe FILE`): the model's shape, the data, the loss options and HIA's
/// progressive stages. Parsed strictly: an unknown key, a wrong type or an impossible value is one line naming the
/// file and the key.
struct TrainRecipe {
    /// One stage of progressive training.
    struct Stage {
        var name: String
        /// Frame side in pixels (the network is convolutional; 32 for the first image stage).
        var size: Int
        /// Frames per clip: 1 trains the image model, more trains with temporal layers.
        var frames: Int
        /// Clips per batch.
        var clips: Int
        var steps: Int
        var learningRate: Float
        var warmup: Int
        /// HIA's resolution SNR shift for this stage (SNR divided by k).
        var snrShift: Double
        /// Whether the network has temporal layers in this stage.
        var temporal: Bool
        /// Train the temporal layers only.
        var temporalOnly: Bool
        /// The fraction of clips whose reference frame comes from another clip of the same person (another dance,
        /// camera path, light and expression: what `zoetrope eval` and a user give); the rest take a frame of the clip
        /// itself. Needs the Dancers source: a dataset folder does not say which clips share a person.
        var otherClipReferences: Double = 0
        /// Timesteps to train on (a share `timestepsShare` of the clips draws one of them), nil for the whole schedule:
        /// a stage that trains more at a few-step sampler's timesteps.
        var timesteps: [Int]? = nil
        /// The share of clips drawing from `timesteps`; the rest draw from the whole schedule.
        var timestepsShare: Double = 1
    }

    /// Where training data comes from.
    enum Data {
        /// The procedural Dancers stream (train split).
        case dancers(identities: Int, seed: UInt64, shutterMin: Float, shutterMax: Float)
        /// A dataset folder laid out as `zoetrope synth` writes it (frames/ and poses/ per clip).
        case folder(URL)
    }

    var name: String
    var seed: UInt64
    var model: AnimatorConfig
    var data: Data
    var options: TrainingOptions
    var emaDecay: Float
    var weightDecay: Float
    var stages: [Stage]
    /// Whether the sharpness cue carries the ground truth's measured blur (false: always "sharp", the ablation).
    var blurCondition: Bool
    var checkpointEvery: Int
    var logEvery: Int
    /// The recipe's text, stored in checkpoints so a model records how it was made.
    var text: String

    /// Parses `url`; every error names the file.
    static func load(_ url: URL) throws -> TrainRecipe {
        let path = url.path
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw RecipeError("recipe \(path): cannot be read (missing or not a file)")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let root: JSONValue
        do { root = try JSONParser.parse(text, options: .init(rejectDuplicateKeys: true)) } catch {
            throw RecipeError("recipe \(path): not valid JSON at \(error)")
        }
        let r = Reader(file: path)
        let top = try r.object(root, at: "", keys: ["name", "seed", "model", "data", "training", "stages", "checkpointEvery", "logEvery"])
        var model = AnimatorConfig()
        if let m = top["model"] {
            let o = try r.object(m, at: "model", keys: ["imageSize", "patchSize", "channels", "attentionLevels", "temporalLevels",
                                                        "heads", "normGroups", "frameWindow", "promptWidth", "promptLayers", "promptLength"])
            if let v = o["imageSize"] { model.imageSize = try r.int(v, at: "model.imageSize", 8...1024) }
            if let v = o["patchSize"] { model.patchSize = try r.int(v, at: "model.patchSize", 1...8) }
            if let v = o["channels"] { model.channels = try r.ints(v, at: "model.channels", 1...1024) }
            if let v = o["attentionLevels"] { model.attentionLevels = try r.ints(v, at: "model.attentionLevels", 0...8) }
            if let v = o["temporalLevels"] { model.temporalLevels = try r.ints(v, at: "model.temporalLevels", 0...8) }
            if let v = o["heads"] { model.heads = try r.int(v, at: "model.heads", 1...64) }
            if let v = o["normGroups"] { model.normGroups = try r.int(v, at: "model.normGroups", 1...256) }
            if let v = o["frameWindow"] { model.frameWindow = try r.int(v, at: "model.frameWindow", 1...64) }
            if let v = o["promptWidth"] { model.promptWidth = try r.int(v, at: "model.promptWidth", 1...1024) }
            if let v = o["promptLayers"] { model.promptLayers = try r.int(v, at: "model.promptLayers", 0...16) }
            if let v = o["promptLength"] { model.promptLength = try r.int(v, at: "model.promptLength", 2...128) }
        }
        do { try model.validate() } catch { throw RecipeError("recipe \(path): \(error.description)") }

        var data = Data.dancers(identities: 64, seed: 1, shutterMin: 0.5, shutterMax: 1)
        if let d = top["data"] {
            let o = try r.object(d, at: "data", keys: ["source", "identities", "seed", "shutter", "path"])
            let source = try o["source"].map { try r.string($0, at: "data.source") } ?? "dancers"
            switch source {
            case "dancers":
                let identities = try o["identities"].map { try r.int($0, at: "data.identities", 1...100_000) } ?? 64
                let seed = try o["seed"].map { try r.int($0, at: "data.seed", 0...Int.max) } ?? 1
                var shutter: [Double] = [0.5, 1]
                if let s = o["shutter"] {
                    shutter = try r.doubles(s, at: "data.shutter")
                    guard shutter.count == 2, shutter[0] >= 0, shutter[1] <= 1, shutter[0] <= shutter[1] else {
                        throw RecipeError("recipe \(path): \"data.shutter\" must be [low, high] within 0…1")
                    }
                }
                data = .dancers(identities: identities, seed: UInt64(seed), shutterMin: Float(shutter[0]), shutterMax: Float(shutter[1]))
            case "folder":
                guard let p = o["path"] else { throw RecipeError("recipe \(path): \"data.source\" \"folder\" needs \"data.path\"") }
                let folder = try r.string(p, at: "data.path")
                let base = url.deletingLastPathComponent()
                data = .folder(folder.hasPrefix("/") ? URL(fileURLWithPath: folder) : base.appendingPathComponent(folder))
            default:
                throw RecipeError("recipe \(path): \"data.source\" is \"\(source)\"; use \"dancers\" or \"folder\"")
            }
        }

        var options = TrainingOptions()
        var emaDecay: Float = 0.999, weightDecay: Float = 0.01, blurCondition = true
        if let t = top["training"] {
            let o = try r.object(t, at: "training", keys: ["faceWeight", "handWeight", "minSNRGamma", "dropReference", "dropPrompt",
                                                           "dropBoth", "maxGradNorm", "emaDecay", "weightDecay", "zeroTerminalSNR", "betaSchedule",
                                                           "blurCondition"])
            if let v = o["faceWeight"] { options.faceWeight = Float(try r.double(v, at: "training.faceWeight", 0...100)) }
            if let v = o["handWeight"] { options.handWeight = Float(try r.double(v, at: "training.handWeight", 0...100)) }
            if let v = o["minSNRGamma"], v != .null { options.minSNRGamma = Float(try r.double(v, at: "training.minSNRGamma", 0.01...1000)) }
            if let v = o["dropReference"] { options.dropReference = Float(try r.double(v, at: "training.dropReference", 0...1)) }
            if let v = o["dropPrompt"] { options.dropPrompt = Float(try r.double(v, at: "training.dropPrompt", 0...1)) }
            if let v = o["dropBoth"] { options.dropBoth = Float(try r.double(v, at: "training.dropBoth", 0...1)) }
            if let v = o["maxGradNorm"] { options.maxGradNorm = Float(try r.double(v, at: "training.maxGradNorm", 0.001...1e6)) }
            if let v = o["emaDecay"] { emaDecay = Float(try r.double(v, at: "training.emaDecay", 0...1)) }
            if let v = o["weightDecay"] { weightDecay = Float(try r.double(v, at: "training.weightDecay", 0...1)) }
            if let v = o["blurCondition"] { blurCondition = try r.bool(v, at: "training.blurCondition") }
            if let v = o["zeroTerminalSNR"] { options.schedule.zeroTerminalSNR = try r.bool(v, at: "training.zeroTerminalSNR") }
            if let v = o["betaSchedule"] {
                let s = try r.string(v, at: "training.betaSchedule")
                guard let b = BetaSchedule(rawValue: s) else {
                    throw RecipeError("recipe \(path): \"training.betaSchedule\" is \"\(s)\"; use linear, scaled-linear or cosine")
                }
                options.schedule.betaSchedule = b
            }
            if options.dropReference + options.dropPrompt + options.dropBoth > 1 {
                throw RecipeError("recipe \(path): \"training.dropReference\" + \"dropPrompt\" + \"dropBoth\" exceed 1")
            }
        }
        options.schedule.prediction = .v

        guard let stagesValue = top["stages"] else { throw RecipeError("recipe \(path): \"stages\" is missing (a list of training stages)") }
        guard let list = stagesValue.arrayValue, !list.isEmpty else {
            throw RecipeError("recipe \(path): \"stages\" must be a non-empty list, found \(stagesValue.kindDescription)")
        }
        var stages: [Stage] = []
        for (i, s) in list.enumerated() {
            let at = "stages[\(i)]"
            let o = try r.object(s, at: at, keys: ["name", "size", "frames", "clips", "steps", "learningRate", "warmup", "snrShift",
                                                   "temporal", "temporalOnly", "otherClipReferences", "timesteps", "timestepsShare"])
            let name = try o["name"].map { try r.string($0, at: "\(at).name") } ?? "stage\(i + 1)"
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw RecipeError("recipe \(path): \"\(at).name\" \"\(name)\" must be letters, digits, - or _ (it names files)")
            }
            let size = try o["size"].map { try r.int($0, at: "\(at).size", 8...1024) } ?? model.imageSize
            let unit = model.patchSize << (model.channels.count - 1)
            guard size % unit == 0 else { throw RecipeError("recipe \(path): \"\(at).size\" \(size) must be divisible by \(unit)") }
            let frames = try o["frames"].map { try r.int($0, at: "\(at).frames", 1...64) } ?? 1
            let temporal = try o["temporal"].map { try r.bool($0, at: "\(at).temporal") } ?? (frames > 1)
            if frames > 1 && !temporal { throw RecipeError("recipe \(path): \"\(at)\" trains \(frames)-frame clips, which needs \"temporal\": true") }
            if frames > model.frameWindow {
                throw RecipeError("recipe \(path): \"\(at).frames\" \(frames) exceeds the model's frame window \(model.frameWindow)")
            }
            var stage = Stage(
                name: name, size: size, frames: frames,
                clips: try o["clips"].map { try r.int($0, at: "\(at).clips", 1...4096) } ?? 4,
                steps: try o["steps"].map { try r.int($0, at: "\(at).steps", 1...10_000_000) } ?? 1000,
                learningRate: Float(try o["learningRate"].map { try r.double($0, at: "\(at).learningRate", 1e-8...1) } ?? 1e-4),
                warmup: try o["warmup"].map { try r.int($0, at: "\(at).warmup", 0...10_000_000) } ?? 100,
                snrShift: try o["snrShift"].map { try r.double($0, at: "\(at).snrShift", 0.01...100) } ?? 1,
                temporal: temporal,
                temporalOnly: try o["temporalOnly"].map { try r.bool($0, at: "\(at).temporalOnly") } ?? false)
            if let v = o["otherClipReferences"] {
                stage.otherClipReferences = try r.double(v, at: "\(at).otherClipReferences", 0...1)
                if case .folder = data {
                    throw RecipeError("recipe \(path): \"\(at).otherClipReferences\" needs \"data.source\" \"dancers\" (a dataset folder does not say which clips share a person)")
                }
            }
            if let v = o["timesteps"] {
                let list = try r.doubles(v, at: "\(at).timesteps")
                guard !list.isEmpty, list.allSatisfy({ $0 >= 0 && $0 < 1000 && $0 == $0.rounded() }) else {
                    throw RecipeError("recipe \(path): \"\(at).timesteps\" must be a non-empty list of whole timesteps 0…999")
                }
                stage.timesteps = list.map { Int($0) }
            }
            if let v = o["timestepsShare"] {
                guard stage.timesteps != nil else { throw RecipeError("recipe \(path): \"\(at).timestepsShare\" needs \"\(at).timesteps\"") }
                stage.timestepsShare = try r.double(v, at: "\(at).timestepsShare", 0...1)
            }
            if stage.temporalOnly && !stage.temporal {
                throw RecipeError("recipe \(path): \"\(at).temporalOnly\" needs a stage with temporal layers")
            }
            if stages.contains(where: { $0.name == name }) { throw RecipeError("recipe \(path): two stages are named \"\(name)\"") }
            stages.append(stage)
        }
        let name = try top["name"].map { try r.string($0, at: "name") } ?? url.deletingPathExtension().lastPathComponent
        let seed = try top["seed"].map { try r.int($0, at: "seed", 0...Int.max) } ?? 0
        let every = try top["checkpointEvery"].map { try r.int($0, at: "checkpointEvery", 1...10_000_000) } ?? 100
        let logEvery = try top["logEvery"].map { try r.int($0, at: "logEvery", 1...10_000_000) } ?? 10
        return TrainRecipe(name: name, seed: UInt64(seed), model: model, data: data, options: options, emaDecay: emaDecay,
                           weightDecay: weightDecay, stages: stages, blurCondition: blurCondition, checkpointEvery: every, logEvery: logEvery, text: text)
    }

    /// Reads typed values out of the parsed JSON, with errors that name the file and the key.
    private struct Reader {
        let file: String

        func fail(_ at: String, _ what: String) -> RecipeError { RecipeError("recipe \(file): \"\(at)\" \(what)") }

        func object(_ v: JSONValue, at: String, keys: [String]) throws(RecipeError) -> [String: JSONValue] {
            guard let o = v.objectValue else {
                throw RecipeError("recipe \(file): \(at.isEmpty ? "the top level" : "\"\(at)\"") must be an object, found \(v.kindDescription)")
            }
            var out: [String: JSONValue] = [:]
            for (k, value) in o {
                guard keys.contains(k) else {
                    let place = at.isEmpty ? "" : " in \"\(at)\""
                    throw RecipeError("recipe \(file): unknown key \"\(k)\"\(place) (known: \(keys.joined(separator: ", ")))")
                }
                out[k] = value
            }
            return out
        }

        func string(_ v: JSONValue, at: String) throws(RecipeError) -> String {
            guard let s = v.stringValue else { throw fail(at, "must be a string, found \(v.kindDescription)") }
            return s
        }

        func bool(_ v: JSONValue, at: String) throws(RecipeError) -> Bool {
            guard let b = v.boolValue else { throw fail(at, "must be true or false, found \(v.kindDescription)") }
            return b
        }

        func int(_ v: JSONValue, at: String, _ range: ClosedRange<Int>) throws(RecipeError) -> Int {
            guard let i = v.int64Value, let n = Int(exactly: i) else { throw fail(at, "must be a whole number, found \(v.kindDescription)") }
            guard range.contains(n) else { throw fail(at, "is \(n); allowed \(range.lowerBound)…\(range.upperBound)") }
            return n
        }

        func double(_ v: JSONValue, at: String, _ range: ClosedRange<Double>) throws(RecipeError) -> Double {
            guard let d = v.doubleValue, d.isFinite else { throw fail(at, "must be a number, found \(v.kindDescription)") }
            guard range.contains(d) else { throw fail(at, "is \(d); allowed \(range.lowerBound)…\(range.upperBound)") }
            return d
        }

        func ints(_ v: JSONValue, at: String, _ range: ClosedRange<Int>) throws(RecipeError) -> [Int] {
            guard let a = v.arrayValue else { throw fail(at, "must be a list of whole numbers, found \(v.kindDescription)") }
            var out: [Int] = []
            for (i, e) in a.enumerated() { out.append(try int(e, at: "\(at)[\(i)]", range)) }
            return out
        }

        func doubles(_ v: JSONValue, at: String) throws(RecipeError) -> [Double] {
            guard let a = v.arrayValue else { throw fail(at, "must be a list of numbers, found \(v.kindDescription)") }
            var out: [Double] = []
            for (i, e) in a.enumerated() { out.append(try double(e, at: "\(at)[\(i)]", -1e9...1e9)) }
            return out
        }
    }
}

/// A recipe that cannot be used: one line naming the file and the key.
struct RecipeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
