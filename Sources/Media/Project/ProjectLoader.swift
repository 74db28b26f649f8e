import Dancers
import Engine
import Foundation
import Imaging

/// Turns a project document into what the engine needs: the model, the reference, the poses and the
/// `GenerationRequest`. One implementation shared by `zoetrope render` and the studio, so the two never disagree.
///
/// Loading is split by file so the studio reloads only what an edit touched (a new reference image does not reload
/// the model).
public enum ProjectLoader {
    /// The bundled demo model, looked up beside the executable's repository and in the working directory.
    public static func bundledModel() -> URL? {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [URL(fileURLWithPath: "demo/model.safetensors")]
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("demo/model.safetensors"))
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// The checkpoint a project uses: `override`, else the project's `"model"`, else the bundled demo model.
    public static func modelURL(document: ProjectDocument, projectURL: URL, override: String? = nil) throws(ProjectLoadError) -> URL {
        if let override { return URL(fileURLWithPath: override) }
        if let path = document.model { return ProjectDocument.resolve(path, relativeTo: projectURL) }
        if let bundled = bundledModel() { return bundled }
        throw ProjectLoadError("\(projectURL.path): no \"model\" given and no bundled model found (demo/model.safetensors); set \"model\" or pass --model")
    }

    /// Loads the checkpoint.
    public static func loadModel(_ url: URL) throws(ProjectLoadError) -> AnimatorNetwork {
        do { return try AnimatorNetwork.loadCheckpoint(path: url.path) } catch { throw ProjectLoadError(error.description) }
    }

    /// The reference image, letterboxed onto a black `size × size` square (Lanczos-3).
    public static func loadReference(document: ProjectDocument, projectURL: URL, size: Int) throws(ProjectLoadError) -> RGBImage {
        let url = ProjectDocument.resolve(document.reference, relativeTo: projectURL)
        do {
            return try ImageFile.read(url).fittedToSquare(side: size, mode: .letterbox, fill: RGB(0, 0, 0), filter: .lanczos3)
        } catch {
            throw ProjectLoadError("\(error)")
        }
    }

    /// The pose sequence (every pose in the file or folder; `frames` trims it in ``request(document:projectURL:reference:poses:config:)``).
    public static func loadPoses(document: ProjectDocument, projectURL: URL) throws(ProjectLoadError) -> [Pose] {
        let url = ProjectDocument.resolve(document.poses, relativeTo: projectURL)
        let poses: [Pose]
        do { poses = try PoseFileReader().readSequence(url) } catch { throw ProjectLoadError(error.description) }
        if poses.isEmpty { throw ProjectLoadError("\(url.path): no poses found") }
        return poses
    }

    /// The poses the clip uses: the first `frames` of the sequence (all when `frames` is unset).
    /// A project asking for more frames than there are poses is an error naming both files.
    public static func clipPoses(document: ProjectDocument, projectURL: URL, poses: [Pose]) throws(ProjectLoadError) -> [Pose] {
        guard let frames = document.frames else { return poses }
        if frames > poses.count {
            let posesURL = ProjectDocument.resolve(document.poses, relativeTo: projectURL)
            throw ProjectLoadError("\(projectURL.path): \"frames\" is \(frames) but \(posesURL.path) holds \(poses.count) poses (remove \"frames\" or give as many poses)")
        }
        return Array(poses.prefix(frames))
    }

    /// The generation request the project describes, for a model of configuration `config`.
    ///
    /// Guidance: animation-cfg (u keeps the pose) with the reference and prompt scales ramped per frame from
    /// `scale · ramp_start` to `scale`; a pose scale other than 1 adds a pose term in front (u then has no condition).
    public static func request(document: ProjectDocument, projectURL: URL, reference: RGBImage, poses allPoses: [Pose],
                               config: AnimatorConfig) throws(ProjectLoadError) -> GenerationRequest {
        let poses = try clipPoses(document: document, projectURL: projectURL, poses: allPoses)
        let size = config.imageSize
        let cues = ConditionMaps.inferenceCues(poses: poses, shutter: Float(document.shutter), size: size)
        var request = GenerationRequest(reference: reference, conditions: ConditionMaps.clip(poses: poses, cues: cues, size: size),
                                        frameCount: poses.count)
        request.seed = document.seed
        request.sampler.steps = document.steps
        request.sampler.sampler = SamplerKind(rawValue: document.sampler) ?? .dpmSolver2M
        let g = document.guidance
        var guidance = GuidanceConfig.animation(referenceScale: .ramp(from: g.reference * g.rampStart, to: g.reference),
                                                promptScale: .ramp(from: g.prompt * g.rampStart, to: g.prompt), rescale: g.rescale)
        if g.pose != 1 {
            guidance = GuidanceConfig(base: [], terms: [GuidanceTerm([.pose], scale: .ramp(from: g.pose * g.rampStart, to: g.pose))]
                                      + guidance.terms, rescale: g.rescale)
        }
        request.guidance = guidance
        request.referenceNoise = document.referenceNoise
        let window = min(document.context.length, config.frameWindow)
        request.context = poses.count > window
            ? ContextWindowConfig(length: window, overlap: min(document.context.overlap, window - 1),
                                  fusion: ContextFusion(rawValue: document.context.fusion) ?? .pyramid,
                                  closedLoop: document.context.loop)
            : nil
        // Prompt keyframes go through the same parser as prompt_map files, so the semantics are one. Keyframes whose
        // prompt is still empty (just added in the studio) are left out; with none left, the clip has no prompt.
        let written = document.prompts.keyframes.filter { !$0.prompt.trimmingCharacters(in: .whitespaces).isEmpty }
        if written.isEmpty {
            request.prompts = [[document.prompts.head, document.prompts.tail].filter { !$0.isEmpty }.joined(separator: ", ")]
            request.framePrompts = []
            return request
        }
        let map = JSONValue.object([
            ("prompt_map", .object(written.map { (String($0.frame), JSONValue.string($0.prompt)) })),
            ("head_prompt", .string(document.prompts.head)), ("tail_prompt", .string(document.prompts.tail)),
        ])
        let schedule: PromptSchedule
        do {
            schedule = try PromptScheduleParser.parse(map.serialized(), fileName: "prompt keyframes", frameCount: poses.count)
        } catch {
            throw ProjectLoadError("\(error)")
        }
        var options = PromptTravelOptions()
        options.interpolation = PromptInterpolation(rawValue: document.prompts.interpolation) ?? .lerp
        options.holdRatio = document.prompts.holdRatio
        options.wrapAround = document.prompts.wrap
        request.prompts = schedule.prompts
        request.framePrompts = schedule.framePrompts(options: options)
        request.interpolation = options.interpolation
        return request
    }
}

extension ProjectLoader {
    /// The panels of export frame `i` for the project's `output.layout`: the result alone, the pose map beside it,
    /// or reference, pose and result.
    public static func exportPanels(layout: String, frames: [RGBImage], poses: [Pose], reference: RGBImage) -> @Sendable (Int) -> [RGBImage] {
        let size = frames.first?.width ?? reference.width
        let poseMaps = layout == "result" ? [] : poses.prefix(frames.count).map { ConditionMaps.poseMap($0, width: size, height: size) }
        return { i in
            switch layout {
            case "pose|result": return [poseMaps[i], frames[i]]
            case "reference|pose|result": return [reference, poseMaps[i], frames[i]]
            default: return [frames[i]]
            }
        }
    }
}

/// A project whose files cannot be loaded or whose settings do not fit together: one line naming the file.
public struct ProjectLoadError: Error, Sendable, CustomStringConvertible {
    /// The line to show.
    public var description: String
    /// An error with the given line.
    public init(_ description: String) { self.description = description }
}
