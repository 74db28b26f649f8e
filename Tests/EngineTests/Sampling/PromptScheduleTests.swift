import Foundation
import Testing
import Engine

/// Prompt traveling: worked examples derived by hand from each tool's documented formula (derivations inline).
@Suite struct PromptScheduleTests {
    static func weights(_ frame: FramePrompt) -> [Int: Double] {
        Dictionary(uniqueKeysWithValues: frame.weights.map { ($0.prompt, $0.weight) })
    }

    static func parse(_ text: String, frames: Int) throws -> PromptSchedule {
        try PromptScheduleParser.parse(text, fileName: "test.txt", frameCount: frames)
    }

    /// animatediff-cli-prompt-travel, prompt_preprocess + get_current_prompt_embeds_from_text (wrap-around is its only
    /// mode). prompt_map {0: A, 16: B}, 32 frames, prompt_fixed_ratio 0.5:
    ///   hold keys k½ = k0 + round((k1 − k0)·0.5): 0→16 gives 8 (A); 16→32 (the clip end) gives 24 (B).
    ///   keys 0A 8A 16B 24B. Frame 12: prev 8, next 16 → rate (12−8)/(16−8) = 0.5 → A 0.5, B 0.5.
    ///   Frame 28: prev 24 (B), next wraps to 0 (A): dist_prev 4, dist_next 0 − 28 + 32 = 4 → A 0.5.
    ///   Frame 31: dist_prev 7, dist_next 1 → A 7/8, B 1/8. Frames 0…8 and 16…24: one prompt.
    @Test func animatediffPromptMapWithHoldAndWrap() throws {
        let text = #"{"head_prompt": "1girl", "prompt_map": {"0": "A", "16": "B"}, "tail_prompt": "light", "prompt_fixed_ratio": 0.5}"#
        let schedule = try Self.parse(text, frames: 32)
        #expect(schedule.prompts == ["1girl,A,light", "1girl,B,light"])  // head + "," + prompt + "," + tail
        #expect(schedule.fileHoldRatio == 0.5)
        var options = PromptTravelOptions()
        options.wrapAround = true
        let frames = schedule.framePrompts(options: options)
        #expect(frames.count == 32)
        for f in 0...8 { #expect(Self.weights(frames[f]) == [0: 1]) }
        #expect(Self.weights(frames[12]) == [0: 0.5, 1: 0.5])
        #expect(Self.weights(frames[10]) == [0: 0.75, 1: 0.25])
        for f in 16...24 { #expect(Self.weights(frames[f]) == [1: 1]) }
        #expect(Self.weights(frames[28]) == [1: 0.5, 0: 0.5])
        #expect(Self.weights(frames[31]) == [1: 0.125, 0: 0.875])
        // Without wrap-around the last prompt is held after the last key.
        let open = schedule.framePrompts()
        for f in 24..<32 { #expect(Self.weights(open[f]) == [1: 1]) }
        #expect(Self.weights(open[12]) == [0: 0.5, 1: 0.5])
    }

    /// Python's round() is half-to-even: keys 0 (A), 5 (B), ratio 0.5 → k½ = 0 + round(2.5) = 2 (not 3).
    /// Frame 3: prev 2 (A), next 5 → rate 1/3. Ratio 1.0: k½ = 0 + 5 = k1 → 4: A held to frame 4, B at 5.
    @Test func holdKeysRoundHalfToEvenAndStopBeforeTheNextKey() throws {
        let schedule = try Self.parse(#""0": "A", "5": "B""#, frames: 10)
        var options = PromptTravelOptions()
        options.holdRatio = 0.5
        let half = schedule.framePrompts(options: options)
        #expect(Self.weights(half[2]) == [0: 1])
        let w3 = Self.weights(half[3])
        #expect(abs((w3[1] ?? 0) - 1.0 / 3) < 1e-15 && abs((w3[0] ?? 0) - 2.0 / 3) < 1e-15)
        options.holdRatio = 1
        let full = schedule.framePrompts(options: options)
        for f in 0...4 { #expect(Self.weights(full[f]) == [0: 1]) }
        #expect(Self.weights(full[5]) == [1: 1])
    }

    /// FizzNodes BatchPromptSchedule: keys evaluated as expressions; between keys k0 < f < k1 the next prompt's weight
    /// is (f − k0)/(k1 − k0); after the last key (FizzNodes adds one at the last frame) the last prompt holds.
    /// "0": A, "2*5": B over 21 frames, no hold: frame 3 → A 0.7, B 0.3; frame 10 onward → B.
    @Test func fizzNodesExpressionKeysLerpLinearly() throws {
        let schedule = try Self.parse("\"0\" :\"A\",\n\"2*5\" :\"B\",\n", frames: 21)
        var options = PromptTravelOptions()
        options.holdRatio = 0
        let frames = schedule.framePrompts(options: options)
        for f in 0..<10 {
            let w = Self.weights(frames[f])
            #expect(abs((w[1] ?? 0) - Double(f) / 10) < 1e-15)
            #expect(abs((w[0] ?? 0) + (w[1] ?? 0) - 1) < 1e-15)
        }
        for f in 10..<21 { #expect(Self.weights(frames[f]) == [1: 1]) }
    }

    /// AnimateDiff-Evolved validate_index: negative = length + index; decimal x in [0, 1] = int(x · length), 1.0 = last.
    /// 20 frames: "-1" → 19, "-20" → 0, "0.5" → 10, "0.33" → int(6.6) = 6, "1.0" → 19; "(4+4)*2" → 16, "24/5" → 4.
    @Test func negativeFractionalAndArithmeticKeys() throws {
        let cases: [(String, Int)] = [("-1", 19), ("-20", 0), ("0.5", 10), ("0.33", 6), ("1.0", 19), ("(4+4)*2", 16),
                                      ("24/5", 4), (" 7 ", 7), ("-(2)", 18)]
        for (key, frame) in cases {
            let schedule = try Self.parse("\"\(key)\": \"P\"", frames: 20)
            #expect(schedule.keyframes.map(\.frame) == [frame], "key \(key)")
            #expect(schedule.warnings.isEmpty, "key \(key)")
        }
    }

    @Test func keysBeyondTheClipWarnAndClamp() throws {
        let schedule = try Self.parse("\"0\": \"A\",\n  \"40\": \"B\",\n\"-30\": \"C\"", frames: 16)
        #expect(schedule.keyframes.map(\.frame) == [0, 15])
        #expect(schedule.warnings.count == 3)
        #expect(schedule.warnings[0].hasPrefix("test.txt:2:3: key \"40\" is frame 40, outside the 16-frame clip"))
        #expect(schedule.warnings[0].hasSuffix("using frame 15"))
        // "-30" → −14 → clamped to 0 (second warning), where it replaces "A" (duplicate: last wins, third warning).
        #expect(schedule.warnings[1].hasPrefix("test.txt:3:1: key \"-30\" is frame -14, outside"))
        #expect(schedule.warnings[2].hasPrefix("test.txt:3:1: key \"-30\" is frame 0 again (first at 1:1)"))
        #expect(schedule.prompts == ["B", "C"])
    }

    @Test func duplicateKeysLastWinsWithAWarning() throws {
        let schedule = try Self.parse(#"{"prompt_map": {"0": "A", "8": "B", "8": "C"}}"#, frames: 16)
        #expect(schedule.prompts == ["A", "C"])
        #expect(schedule.keyframes.map(\.frame) == [0, 8])
        #expect(schedule.warnings == ["test.txt:1:37: key \"8\" is frame 8 again (first at 1:27); the later prompt wins"])
    }

    @Test func badSchedulesGiveOneLineWithLineAndColumn() {
        let cases: [(String, String)] = [
            ("\"0\": \"A\",\n \"1x\": \"B\"", "test.txt:2:2: key \"1x\" is not a frame"),
            ("\"0\": \"A\",\n\"4\":   \"  \"", "test.txt:2:8: the prompt of key \"4\" is empty"),
            ("\"0\": \"A\"\n\"4\": \"B\"", "test.txt:2:1: expected ',' between entries"),
            ("{\"prompt_map\": {\"0\": \"A\"", "test.txt:1:25: expected ',' or '}'"),
            ("\"0\": \"A", "test.txt:1:6: unterminated string"),
            ("\"0\": 3", "test.txt:1:6: the prompt of key \"0\" must be a quoted string"),
            ("{\"prompt_map\": [1]}", "test.txt:1:16: prompt_map must be an object"),
            ("0: \"A\"", "test.txt:1:1: expected a quoted key"),
            ("\"1.5\": \"A\"", "key \"1.5\" is not a frame"),
            ("\"4/0\": \"A\"", "key \"4/0\" is not a frame"),
            ("", "test.txt: no keyframes"),
            ("{\"a\": " + String(repeating: "[", count: 100_000), "nesting deeper than 200 levels"),
        ]
        for (text, expected) in cases {
            do {
                _ = try Self.parse(text, frames: 16)
                Issue.record("expected an error for \(text)")
            } catch let error as SamplingError {
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(!error.message.contains("\n"))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    /// Slerp: orthogonal unit vectors at t = 0.5: ω = π/2, result (sin(π/4) e1 + sin(π/4) e2) / sin(π/2) = (e1+e2)/√2.
    /// Near-parallel (|cos| > 0.9995) and anti-parallel vectors fall back to lerp exactly.
    @Test func slerpMatchesTheClosedFormAndFallsBackToLerp() {
        let s = PromptSchedule.slerp([1, 0], [0, 1], t: 0.5)
        #expect(abs(s[0] - Float(0.5.squareRoot())) < 1e-7 && abs(s[1] - Float(0.5.squareRoot())) < 1e-7)
        let a: [Float] = [1, 0.01], b: [Float] = [1, 0.02]
        let lerp = zip(a, b).map { Float(0.75 * Double($0) + 0.25 * Double($1)) }
        #expect(PromptSchedule.slerp(a, b, t: 0.25) == lerp)
        #expect(PromptSchedule.slerp([1, 0], [-1, 0], t: 0.5) == [0, 0])
        // t = 1/3 between orthogonal vectors: sin(2ω/3)·e1 + sin(ω/3)·e2 with ω = π/2 → (cos 30°, sin 30°).
        let third = PromptSchedule.slerp([2, 0], [0, 2], t: 1.0 / 3)
        #expect(abs(third[0] - 2 * Float(3.0.squareRoot() / 2)) < 1e-6 && abs(third[1] - 1) < 1e-6)
    }

    @Test func embeddingsMixByTheFrameWeights() throws {
        let schedule = try Self.parse(#""0": "A", "4": "B""#, frames: 5)
        var options = PromptTravelOptions()
        options.holdRatio = 0
        let frame = schedule.framePrompts(options: options)[1]  // B weight 1/4
        let e = schedule.embedding(for: frame, embeddings: [[4, 8], [8, 0]], interpolation: .lerp)
        #expect(e == [5, 6])  // 0.75·(4, 8) + 0.25·(8, 0)
        let s = schedule.embedding(for: frame, embeddings: [[1, 0], [0, 1]], interpolation: .slerp)
        #expect(abs(s[0] - Float(cos(Double.pi / 8))) < 1e-6 && abs(s[1] - Float(sin(Double.pi / 8))) < 1e-6)
    }
}
