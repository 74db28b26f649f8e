import Foundation

// Checks made on a checkpoint's configuration before any memory is allocated for the network it describes.
// (Kept out of Model/ while the architecture changes there; it only reads the configuration's public fields.)

extension AnimatorConfig {
    /// Largest values a configuration may hold, far beyond any CPU model, so nonsense (a width of 10⁹, a frame of
    /// 10⁶ pixels) is refused by name instead of exhausting memory.
    package static let limits = (imageSize: 2048, width: 8192, levels: 8, frameWindow: 1024, heads: 1024,
                                 conditionChannels: 256, promptLength: 4096, promptLayers: 256, vocabulary: 1_000_000)

    /// Refuses a configuration that is out of bounds, or that describes far more weights than `file` holds (at least
    /// one 3×3 convolution of width `c` per UNet level, so ≥ 9·Σ c² values), naming the field.
    package func checkPlausible(for file: SafetensorsFile) throws(ModelConfigError) {
        let l = Self.limits
        func fail(_ m: String) -> ModelConfigError { ModelConfigError(message: m) }
        guard (1...l.imageSize).contains(imageSize) else { throw fail("\"imageSize\" must be from 1 to \(l.imageSize), got \(imageSize)") }
        guard (1...l.levels).contains(channels.count), channels.allSatisfy({ (1...l.width).contains($0) }) else {
            throw fail("\"channels\" must list 1 to \(l.levels) widths from 1 to \(l.width), got \(channels)")
        }
        guard (1...l.frameWindow).contains(frameWindow) else { throw fail("\"frameWindow\" must be from 1 to \(l.frameWindow), got \(frameWindow)") }
        guard (1...l.heads).contains(heads) else { throw fail("\"heads\" must be from 1 to \(l.heads), got \(heads)") }
        guard (1...l.width).contains(normGroups) else { throw fail("\"normGroups\" must be from 1 to \(l.width), got \(normGroups)") }
        guard (1...l.conditionChannels).contains(conditionChannels) else {
            throw fail("\"conditionChannels\" must be from 1 to \(l.conditionChannels), got \(conditionChannels)")
        }
        guard (1...l.width).contains(promptWidth) else { throw fail("\"promptWidth\" must be from 1 to \(l.width), got \(promptWidth)") }
        guard (0...l.promptLayers).contains(promptLayers) else { throw fail("\"promptLayers\" must be from 0 to \(l.promptLayers), got \(promptLayers)") }
        guard (1...l.promptLength).contains(promptLength) else { throw fail("\"promptLength\" must be from 1 to \(l.promptLength), got \(promptLength)") }
        guard vocabulary.count <= l.vocabulary else { throw fail("\"vocabulary\" holds \(vocabulary.count) words, more than \(l.vocabulary)") }
        let atLeast = channels.reduce(0) { $0 + 9 * $1 * $1 }
        let stored = file.entries.reduce(0) { $0 + $1.count }
        guard atLeast <= stored else {
            throw fail("\"channels\" \(channels) need at least \(atLeast) weights but the file holds \(stored): the configuration does not match the weights")
        }
    }
}

extension DecodingError {
    /// One line: the field's path and what was wrong (`field "channels"[1]: expected Int, found a string`).
    package var oneLine: String {
        func path(_ context: Context) -> String {
            let parts = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? "\"\(key.stringValue)\"" }
            return parts.isEmpty ? "the top level" : "field " + parts.joined()
        }
        switch self {
        case .typeMismatch(let type, let context):
            return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)): expected \(type), found null"
        case .keyNotFound(let key, let context):
            let within = context.codingPath.isEmpty ? "" : " in \(path(context))"
            return "missing field \"\(key.stringValue)\"\(within)"
        case .dataCorrupted(let context):
            let detail = context.underlyingError.map { ($0 as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\($0)" }
            return "\(path(context)): \(context.debugDescription)" + (detail.map { " (\($0))" } ?? "")
        @unknown default:
            return "\(self)"
        }
    }
}
