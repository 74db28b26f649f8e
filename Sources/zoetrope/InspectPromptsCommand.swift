import ArgumentParser
import Engine
import Foundation

/// `zoetrope inspect prompts FILE --frames N`: each frame's prompt weights from a prompt-travel schedule.
struct InspectPromptsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompts",
        abstract: "Show each frame's prompt weights from a prompt schedule (animatediff prompt_map JSON or FizzNodes text).",
        discussion: """
        Examples:
          zoetrope inspect prompts travel.json --frames 32
          zoetrope inspect prompts schedule.txt --frames 48 --hold-ratio 0 --json
        The file is either animatediff-cli's config ({"prompt_map": {"0": "...", "16": "..."}, "head_prompt": ...})
        or FizzNodes text ("0": "smiling", "24": "surprised"). Keys may be expressions (4*8), negative (-1 = last
        frame) or fractions (0.5). Weights are per distinct prompt; the model's prompt encoder mixes the embeddings.
        """)

    @Argument(help: ArgumentHelp("The prompt schedule file.", valueName: "file"))
    var file: String

    @Option(parsing: .unconditional, help: ArgumentHelp("Number of frames in the clip.", valueName: "N"))
    var frames: String

    @Option(name: .customLong("hold-ratio"), parsing: .unconditional,
            help: ArgumentHelp("Hold each keyframe's prompt for this fraction of the interval (default: the file's "
                               + "prompt_fixed_ratio, else 0.5).", valueName: "R"))
    var holdRatio: String?

    @Flag(help: "After the last keyframe, blend back toward the first (looping clips).")
    var wrap = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        do {
            guard let frameCount = Int(frames), frameCount >= 1, frameCount <= 100_000 else {
                throw SamplingError("--frames \(frames): expected a whole number from 1 to 100000")
            }
            var options = PromptTravelOptions()
            options.wrapAround = wrap
            if let holdRatio {
                guard let r = Double(holdRatio), r >= 0, r <= 1 else {
                    throw SamplingError("--hold-ratio \(holdRatio): expected a number from 0 to 1")
                }
                options.holdRatio = r
            }
            let name = (file as NSString).lastPathComponent
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
                throw SamplingError("prompts file \(file): cannot read it (\(reason))")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw SamplingError("prompts file \(file): not UTF-8 text; save it as UTF-8")
            }
            let schedule = try PromptScheduleParser.parse(text, fileName: name, frameCount: frameCount)
            for warning in schedule.warnings {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }
            let perFrame = schedule.framePrompts(options: options)
            let ratio = options.holdRatio ?? schedule.fileHoldRatio ?? 0.5
            print(json ? Self.json(schedule, perFrame, ratio: ratio, wrap: wrap)
                       : Self.table(schedule, perFrame, ratio: ratio, wrap: wrap))
        } catch let error as SamplingError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    static func json(_ schedule: PromptSchedule, _ perFrame: [FramePrompt], ratio: Double, wrap: Bool) -> String {
        let prompts = schedule.prompts.map(quoted).joined(separator: ",")
        let keys = schedule.keyframes.map {
            "{\"frame\":\($0.frame),\"prompt\":\($0.promptIndex),\"line\":\($0.position.line),\"column\":\($0.position.column)}"
        }.joined(separator: ",")
        let frames = perFrame.map { f in
            let weights = f.weights.map { "{\"prompt\":\($0.prompt),\"weight\":\($0.weight)}" }.joined(separator: ",")
            return "{\"frame\":\(f.frame),\"weights\":[\(weights)],\"from\":\(f.from),\"to\":\(f.to),\"t\":\(f.t)}"
        }.joined(separator: ",\n  ")
        let warnings = schedule.warnings.map(quoted).joined(separator: ",")
        return "{\"frames\":\(schedule.frameCount),\"hold_ratio\":\(ratio),\"wrap\":\(wrap),\"prompts\":[\(prompts)],"
            + "\"keyframes\":[\(keys)],\"warnings\":[\(warnings)],\"per_frame\":[\n  \(frames)]}"
    }

    static func table(_ schedule: PromptSchedule, _ perFrame: [FramePrompt], ratio: Double, wrap: Bool) -> String {
        var lines = ["\(schedule.prompts.count) prompts, \(schedule.keyframes.count) keyframes, \(schedule.frameCount) "
                     + "frames, hold ratio \(ratio)" + (wrap ? ", wrap-around" : "")]
        for (i, p) in schedule.prompts.enumerated() { lines.append("  [\(i)] \(p)") }
        for f in perFrame {
            let mix = f.weights.map { String(format: "[%d] %.4f", $0.prompt, $0.weight) }.joined(separator: " + ")
            lines.append(String(format: "%5d  ", f.frame) + mix)
        }
        return lines.joined(separator: "\n")
    }
}
