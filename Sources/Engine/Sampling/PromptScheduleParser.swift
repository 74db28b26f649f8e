import Foundation

/// Reads prompt schedules in the two syntaxes users already have:
/// - animatediff-cli-prompt-travel JSON: a config with `"prompt_map": {"0": "...", "16": "..."}` and optional
///   `head_prompt`, `tail_prompt` (joined around every entry with commas) and `prompt_fixed_ratio`; or the bare map;
/// - FizzNodes BatchPromptSchedule text: `"0" :"smiling", "24" :"surprised"` (keys may be expressions).
///
/// Keys: see `KeyframeExpression`. Errors (one line each, "file:line:column: ..."): unparseable key, empty prompt,
/// syntax errors. Warnings: key beyond the clip (clamped), duplicate key (last wins).
public enum PromptScheduleParser {
    /// Parses `text` (read from `fileName`, used in messages) for a clip of `frameCount` frames.
    public static func parse(_ text: String, fileName: String, frameCount: Int) throws -> PromptSchedule {
        guard frameCount >= 1 else { throw SamplingError("\(fileName): the clip needs at least one frame, got \(frameCount)") }
        var parser = PositionedJSONParser(text)
        var warnings: [String] = []
        var head = "", tail = ""
        var holdRatio: Double?
        let members: [(key: String, keyPosition: TextPosition, value: PositionedJSON)]
        do {
            if text.first(where: { !$0.isWhitespace }) == "{" {
                let document = try parser.parseDocument()
                guard case .object(let top, _) = document else {
                    throw SamplingError("\(fileName): expected a JSON object")
                }
                if let map = top.last(where: { $0.key == "prompt_map" }) {
                    guard case .object(let entries, _) = map.value else {
                        throw SamplingError("\(fileName):\(map.value.position): prompt_map must be an object such as "
                                            + "{\"0\": \"smiling\", \"16\": \"eyes closed\"}, found \(map.value.kindName)")
                    }
                    members = entries
                    for member in top {
                        switch (member.key, member.value) {
                        case ("head_prompt", .string(let s, _)): head = s
                        case ("tail_prompt", .string(let s, _)): tail = s
                        case ("prompt_fixed_ratio", .number(let r, _, let p)):
                            guard r >= 0 && r <= 1 else {
                                throw SamplingError("\(fileName):\(p): prompt_fixed_ratio must be between 0 and 1, got \(r)")
                            }
                            holdRatio = r
                        case ("head_prompt", let v), ("tail_prompt", let v), ("prompt_fixed_ratio", let v):
                            if case .null = v { break }
                            throw SamplingError("\(fileName):\(v.position): \(member.key) has the wrong type (\(v.kindName))")
                        default: break
                        }
                    }
                } else {
                    members = top
                }
            } else {
                members = try parser.parseBareMembers()
            }
        } catch let error as JSONSyntaxError {
            throw SamplingError("\(fileName):\(error.position): \(error.message)")
        }
        guard !members.isEmpty else {
            throw SamplingError("\(fileName): no keyframes; write e.g. \"0\": \"smiling\", \"16\": \"eyes closed\"")
        }
        var prompts: [String] = []
        var byFrame: [Int: PromptKeyframe] = [:]
        for member in members {
            let where_ = "\(fileName):\(member.keyPosition)"
            guard let key = KeyframeExpression.evaluate(member.key, frameCount: frameCount) else {
                throw SamplingError("\(where_): key \"\(member.key)\" is not a frame; use a frame number (\"16\"), an "
                                    + "expression (\"4*8\"), a negative index from the end (\"-1\") or a fraction (\"0.5\")")
            }
            guard case .string(let raw, let valuePosition) = member.value else {
                throw SamplingError("\(fileName):\(member.value.position): the prompt of key \"\(member.key)\" must be "
                                    + "a quoted string, found \(member.value.kindName)")
            }
            guard !raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw SamplingError("\(fileName):\(valuePosition): the prompt of key \"\(member.key)\" is empty; "
                                    + "write the prompt or remove the key")
            }
            var frame = key.frame
            if frame >= frameCount || frame < 0 {
                let clamped = min(max(frame, 0), frameCount - 1)
                warnings.append("\(where_): key \"\(member.key)\" is frame \(frame), outside the \(frameCount)-frame "
                                + "clip (0…\(frameCount - 1)); using frame \(clamped)")
                frame = clamped
            }
            var prompt = raw
            if !head.isEmpty { prompt = head + "," + prompt }
            if !tail.isEmpty { prompt = prompt + "," + tail }
            let index: Int
            if let existing = prompts.firstIndex(of: prompt) { index = existing } else { prompts.append(prompt); index = prompts.count - 1 }
            if let earlier = byFrame[frame] {
                warnings.append("\(where_): key \"\(member.key)\" is frame \(frame) again (first at \(earlier.position)); "
                                + "the later prompt wins")
            }
            byFrame[frame] = PromptKeyframe(frame: frame, promptIndex: index, position: member.keyPosition)
        }
        let keyframes = byFrame.values.sorted { $0.frame < $1.frame }
        // Drop prompts that lost every keyframe to a duplicate, keeping the order of first appearance.
        let used = prompts.indices.filter { i in keyframes.contains { $0.promptIndex == i } }
        let remap = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
        return PromptSchedule(prompts: used.map { prompts[$0] },
                              keyframes: keyframes.map {
                                  PromptKeyframe(frame: $0.frame, promptIndex: remap[$0.promptIndex] ?? 0, position: $0.position)
                              },
                              frameCount: frameCount, fileHoldRatio: holdRatio, warnings: warnings)
    }
}
