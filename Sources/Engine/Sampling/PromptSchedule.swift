import Foundation

/// A parsed prompt schedule: distinct prompts, keyframes, and the warnings found while reading it.
///
/// Weights follow animatediff-cli-prompt-travel: hold keys k½ = k0 + round((k1 − k0) · ratio) (minus one if it
/// lands on k1) carry k0's prompt; between keys kp ≤ f < kn the weight of kn's prompt is
/// (f − kp)/(kn − kp) — with wrap-around, distances run modulo the clip length; without it, frames before the first
/// key hold the first prompt and frames after the last hold the last (FizzNodes adds keys at 0 and the last frame).
public struct PromptSchedule: Sendable {
    /// The distinct prompts (head/tail applied), in order of first appearance.
    public var prompts: [String]
    /// Keyframes sorted by frame, one per frame.
    public var keyframes: [PromptKeyframe]
    /// The clip length the keys were resolved against.
    public var frameCount: Int
    /// The hold ratio given in the file (animatediff-cli `prompt_fixed_ratio`), if any.
    public var fileHoldRatio: Double?
    /// Non-fatal problems (key beyond the clip, duplicate key), one line each: "file:line:column: ...".
    public var warnings: [String]

    /// Per-frame prompt weights for the clip.
    public func framePrompts(options: PromptTravelOptions = PromptTravelOptions()) -> [FramePrompt] {
        let n = frameCount
        guard n > 0, !keyframes.isEmpty else { return [] }
        let ratio = min(max(options.holdRatio ?? fileHoldRatio ?? 0.5, 0), 1)
        // Hold keys (animatediff-cli prompt_preprocess): k½ = k0 + round_half_even((k1 − k0) · ratio).
        var keys: [(frame: Int, prompt: Int)] = keyframes.map { ($0.frame, $0.promptIndex) }
        let originals = keys
        for (i, key) in originals.enumerated() {
            let next = i + 1 < originals.count ? originals[i + 1].frame : n
            var hold = key.frame + Int((Double(next - key.frame) * ratio).rounded(.toNearestOrEven))
            if hold == next { hold -= 1 }
            if hold != key.frame && !keys.contains(where: { $0.frame == hold }) { keys.append((hold, key.prompt)) }
        }
        keys.sort { $0.frame < $1.frame }
        return (0..<n).map { f in
            var previous: (frame: Int, prompt: Int)?
            var next: (frame: Int, prompt: Int)?
            for key in keys {
                if key.frame > f { next = key; break }
                previous = key
            }
            let from: (frame: Int, prompt: Int), to: (frame: Int, prompt: Int), t: Double
            if options.wrapAround {
                // animatediff-cli get_current_prompt_embeds_from_text: distances modulo the clip length.
                let p = previous ?? keys[keys.count - 1], q = next ?? keys[0]
                var distPrevious = f - p.frame, distNext = q.frame - f
                if distPrevious < 0 { distPrevious += n }
                if distNext < 0 { distNext += n }
                if p.frame == q.frame || distPrevious + distNext == 0 {
                    (from, to, t) = (p, p, 0)
                } else {
                    (from, to, t) = (p, q, Double(distPrevious) / Double(distPrevious + distNext))
                }
            } else if let p = previous, let q = next {
                (from, to, t) = (p, q, Double(f - p.frame) / Double(q.frame - p.frame))
            } else {
                let held = previous ?? keys[0]
                (from, to, t) = (held, held, 0)
            }
            var weights: [PromptWeight] = []
            func add(_ prompt: Int, _ w: Double) {
                guard w > 0 else { return }
                if let i = weights.firstIndex(where: { $0.prompt == prompt }) { weights[i].weight += w }
                else { weights.append(PromptWeight(prompt: prompt, weight: w)) }
            }
            add(from.prompt, 1 - t)
            add(to.prompt, t)
            return FramePrompt(frame: f, weights: weights, from: from.prompt, to: to.prompt, t: t)
        }
    }

    /// The embedding of a frame from the keyframe prompts' embeddings (one vector per entry of `prompts`).
    public func embedding(for frame: FramePrompt, embeddings: [[Float]],
                          interpolation: PromptInterpolation) -> [Float] {
        switch interpolation {
        case .lerp:
            guard let first = frame.weights.first, first.prompt < embeddings.count else { return [] }
            var result = [Double](repeating: 0, count: embeddings[first.prompt].count)
            for w in frame.weights where w.prompt < embeddings.count {
                for (i, value) in embeddings[w.prompt].enumerated() where i < result.count {
                    result[i] += w.weight * Double(value)
                }
            }
            return result.map { Float($0) }
        case .slerp:
            guard frame.from < embeddings.count, frame.to < embeddings.count else { return [] }
            return Self.slerp(embeddings[frame.from], embeddings[frame.to], t: frame.t)
        }
    }

    /// Spherical linear interpolation of whole embedding tensors (flattened):
    /// u = v/|v|; d = u0·u1; if |d| > 0.9995: (1 − t) v0 + t v1; else ω = acos d,
    /// (sin((1 − t) ω) v0 + sin(t ω) v1) / sin ω.
    /// Matches: animatediff-cli-prompt-travel `slerp` (DOT_THRESHOLD 0.9995), in float64.
    public static func slerp(_ v0: [Float], _ v1: [Float], t: Double, dotThreshold: Double = 0.9995) -> [Float] {
        let count = min(v0.count, v1.count)
        var norm0 = 0.0, norm1 = 0.0, dot = 0.0
        for i in 0..<count {
            let a = Double(v0[i]), b = Double(v1[i])
            norm0 += a * a; norm1 += b * b; dot += a * b
        }
        let cosine = norm0 > 0 && norm1 > 0 ? dot / (norm0.squareRoot() * norm1.squareRoot()) : 1
        if abs(cosine) > dotThreshold {
            return (0..<count).map { Float((1 - t) * Double(v0[$0]) + t * Double(v1[$0])) }
        }
        let omega = acos(cosine)
        let s0 = sin((1 - t) * omega), s1 = sin(t * omega), s = sin(omega)
        return (0..<count).map { Float((s0 * Double(v0[$0]) + s1 * Double(v1[$0])) / s) }
    }
}
