import Foundation
import Media

/// One row of the parameters panel: how it reads and writes the project document, its range and step.
///
/// The table (``all``) is the single place that knows which settings the studio edits; the panel, the `:set`
/// command and the tests all go through it.
public struct StudioParameter: Sendable {
    /// Label shown in the panel.
    public let label: String
    /// Name for `:set NAME VALUE` (the project file's key).
    public let name: String
    /// What kind of value it is.
    public let kind: Kind

    /// The kinds of value.
    public enum Kind: Sendable {
        /// A number with a range, a step (× 10 with Shift) and a number of decimals.
        case number(get: @Sendable (ProjectDocument, StudioLimits) -> Double, set: @Sendable (inout ProjectDocument, Double) -> Void,
                    range: @Sendable (StudioLimits) -> ClosedRange<Double>, step: Double, decimals: Int)
        /// The seed (a 64-bit integer).
        case seed
        /// One of a list.
        case choice(options: [String], get: @Sendable (ProjectDocument) -> String, set: @Sendable (inout ProjectDocument, String) -> Void)
        /// On or off.
        case toggle(get: @Sendable (ProjectDocument) -> Bool, set: @Sendable (inout ProjectDocument, Bool) -> Void)
    }

    /// The value as shown.
    public func display(_ document: ProjectDocument, limits: StudioLimits) -> String {
        switch kind {
        case .number(let get, _, _, _, let decimals):
            let v = get(document, limits)
            return decimals == 0 ? String(Int(v.rounded())) : String(format: "%.\(decimals)f", v)
        case .seed: return String(document.seed)
        case .choice(_, let get, _): return get(document)
        case .toggle(let get, _): return get(document) ? "on" : "off"
        }
    }

    /// The document with the value moved by `steps` steps (negative = down); choices cycle, toggles flip.
    public func adjusted(_ document: ProjectDocument, by steps: Int, limits: StudioLimits) -> ProjectDocument {
        var d = document
        switch kind {
        case .number(let get, let set, let range, let step, let decimals):
            let r = range(limits)
            var v = get(d, limits) + Double(steps) * step
            let scale = pow(10, Double(decimals))
            v = (v * scale).rounded() / scale
            set(&d, min(r.upperBound, max(r.lowerBound, v)))
        case .seed:
            d.seed = steps >= 0 ? d.seed &+ UInt64(steps) : d.seed &- UInt64(-steps)
        case .choice(let options, let get, let set):
            let i = options.firstIndex(of: get(d)) ?? 0
            let n = options.count
            set(&d, options[((i + steps) % n + n) % n])
        case .toggle(let get, let set):
            if steps != 0 { set(&d, !get(d)) }
        }
        return d
    }

    /// The document with the value typed by the user, or a message saying what is wrong.
    public func parsed(_ text: String, in document: ProjectDocument, limits: StudioLimits) -> Result<ProjectDocument, ParameterError> {
        var d = document
        let t = text.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .number(_, let set, let range, _, let decimals):
            let r = range(limits)
            guard let v = Double(t), v.isFinite else {
                return .failure(ParameterError("\(name): \"\(t)\" is not a number"))
            }
            if decimals == 0, v != v.rounded() { return .failure(ParameterError("\(name): \"\(t)\" must be a whole number")) }
            guard r.contains(v) else {
                return .failure(ParameterError("\(name): \(t) is out of range (\(format(r.lowerBound, decimals))...\(format(r.upperBound, decimals)))"))
            }
            set(&d, v)
        case .seed:
            guard let v = UInt64(t) else { return .failure(ParameterError("seed: \"\(t)\" is not a whole number from 0 to \(UInt64.max)")) }
            d.seed = v
        case .choice(let options, _, let set):
            guard let o = options.first(where: { $0.lowercased() == t.lowercased() }) else {
                return .failure(ParameterError("\(name): \"\(t)\" is not one of \(options.joined(separator: ", "))"))
            }
            set(&d, o)
        case .toggle(_, let set):
            switch t.lowercased() {
            case "on", "true", "yes", "1": set(&d, true)
            case "off", "false", "no", "0": set(&d, false)
            default: return .failure(ParameterError("\(name): \"\(t)\" is not on or off"))
            }
        }
        return .success(d)
    }

    private func format(_ v: Double, _ decimals: Int) -> String {
        decimals == 0 ? String(Int(v)) : String(format: "%.\(decimals)f", v)
    }
}

/// A typed value that cannot be used: one line for the messages pane.
public struct ParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Limits that depend on the loaded files: how many poses there are and the model's frame window.
public struct StudioLimits: Sendable, Equatable {
    /// Poses in the sequence (the largest frame count).
    public var poseCount: Int
    /// Frames the model sees at once.
    public var frameWindow: Int
    public init(poseCount: Int, frameWindow: Int) { self.poseCount = max(1, poseCount); self.frameWindow = max(1, frameWindow) }
}

extension StudioParameter {
    /// The parameters panel, top to bottom.
    public static let all: [StudioParameter] = [
        StudioParameter(label: "Seed", name: "seed", kind: .seed),
        number("Steps", "steps", { Double($0.steps) }, { $0.steps = Int($1) }, { _ in 1...200 }, 1, 0),
        StudioParameter(label: "Sampler", name: "sampler", kind: .choice(
            options: ProjectDocument.samplers, get: { $0.sampler }, set: { $0.sampler = $1 })),
        number("CFG reference", "guidance.reference", { $0.guidance.reference }, { $0.guidance.reference = $1 }, { _ in 0...50 }, 0.1, 1),
        number("CFG pose", "guidance.pose", { $0.guidance.pose }, { $0.guidance.pose = $1 }, { _ in 0...50 }, 0.1, 1),
        number("CFG prompt", "guidance.prompt", { $0.guidance.prompt }, { $0.guidance.prompt = $1 }, { _ in 0...50 }, 0.1, 1),
        number("CFG ramp start", "guidance.ramp_start", { $0.guidance.rampStart }, { $0.guidance.rampStart = $1 }, { _ in 0...1 }, 0.05, 2),
        number("CFG rescale", "guidance.rescale", { $0.guidance.rescale }, { $0.guidance.rescale = $1 }, { _ in 0...1 }, 0.05, 2),
        number("Reference noise", "reference_noise", { $0.referenceNoise }, { $0.referenceNoise = $1 }, { _ in 0...1 }, 0.05, 2),
        number("Motion-blur shutter", "shutter", { $0.shutter }, { $0.shutter = $1 }, { _ in 0...1 }, 0.05, 2),
        StudioParameter(label: "Frames", name: "frames", kind: .number(
            get: { d, l in Double(min(d.frames ?? l.poseCount, l.poseCount)) }, set: { d, v in d.frames = Int(v) }, range: { 1...Double($0.poseCount) }, step: 1, decimals: 0)),
        number("FPS", "fps", { Double($0.fps) }, { $0.fps = Int($1) }, { _ in 1...120 }, 1, 0),
        number("Context length", "context.length", { Double($0.context.length) },
               { $0.context.length = Int($1); $0.context.overlap = min($0.context.overlap, Int($1) - 1) }, { _ in 1...4096 }, 1, 0),
        number("Context overlap", "context.overlap", { Double($0.context.overlap) }, { $0.context.overlap = max(0, min(Int($1), $0.context.length - 1)) },
               { _ in 0...4095 }, 1, 0),
        StudioParameter(label: "Context fusion", name: "context.fusion", kind: .choice(
            options: ProjectDocument.ContextWindows.fusions, get: { $0.context.fusion }, set: { $0.context.fusion = $1 })),
        StudioParameter(label: "Context loop", name: "context.loop", kind: .toggle(get: { $0.context.loop }, set: { $0.context.loop = $1 })),
    ]

    private static func number(_ label: String, _ name: String, _ get: @escaping @Sendable (ProjectDocument) -> Double,
                               _ set: @escaping @Sendable (inout ProjectDocument, Double) -> Void,
                               _ range: @escaping @Sendable (StudioLimits) -> ClosedRange<Double>, _ step: Double, _ decimals: Int) -> StudioParameter {
        StudioParameter(label: label, name: name, kind: .number(get: { d, _ in get(d) }, set: set, range: range, step: step, decimals: decimals))
    }

    /// The parameter called `name` (its file key or its label, any case).
    public static func named(_ name: String) -> StudioParameter? {
        let n = name.lowercased()
        return all.first { $0.name == n || $0.label.lowercased() == n || $0.name.split(separator: ".").last.map(String.init) == n }
    }
}
