import Foundation

extension AnimatorNetwork {
    /// Metadata key holding the configuration JSON.
    public static let configKey = "zoetrope.config"
    /// Metadata key naming the architecture, so another model's safetensors file is refused clearly.
    public static let architectureKey = "zoetrope.architecture"
    /// Metadata key holding the training noise schedule (a `SamplerConfig` JSON; only its schedule fields count).
    public static let noiseKey = "zoetrope.noise"
    /// This architecture's name and version.
    public static let architecture = "animator-unet-v1"

    /// Writes every parameter and the configuration (atomically).
    public func saveCheckpoint(to path: String, dtype: SafetensorsDType = .f32,
                               extraMetadata: [(key: String, value: String)] = []) throws(SafetensorsError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let json = try? encoder.encode(config) else {
            throw SafetensorsError(path: path, message: "cannot encode the model configuration")
        }
        var metadata: [(key: String, value: String)] = [
            (Self.architectureKey, Self.architecture),
            (Self.configKey, String(decoding: json, as: UTF8.self)),
        ]
        if let noise, let data = try? encoder.encode(noise) { metadata.append((Self.noiseKey, String(decoding: data, as: UTF8.self))) }
        try save(to: path, dtype: dtype, metadata: metadata + extraMetadata)
    }

    /// Builds the network a checkpoint describes and loads its weights. Errors name the file and what is wrong:
    /// another architecture, a missing or unreadable configuration, missing or mis-shaped tensors.
    public static func loadCheckpoint(path: String) throws(SafetensorsError) -> AnimatorNetwork {
        let file = try SafetensorsFile(path: path)
        guard let arch = file.metadataValue(architectureKey) else {
            throw SafetensorsError(path: path, message: "not a Zoetrope animation model (no \"\(architectureKey)\" in the metadata)")
        }
        guard arch == architecture else {
            throw SafetensorsError(path: path, message: "architecture \"\(arch)\" is not supported (this version reads \"\(architecture)\")")
        }
        guard let text = file.metadataValue(configKey) else {
            throw SafetensorsError(path: path, message: "no model configuration (\"\(configKey)\") in the metadata")
        }
        let config: AnimatorConfig
        do {
            config = try JSONDecoder().decode(AnimatorConfig.self, from: Data(text.utf8))
        } catch {
            throw SafetensorsError(path: path, message: "the model configuration is not valid: \(error)")
        }
        let net: AnimatorNetwork
        do {
            net = try AnimatorNetwork(config: config)
        } catch {
            throw SafetensorsError(path: path, message: error.description)
        }
        if let text = file.metadataValue(noiseKey) {
            do {
                let noise = try JSONDecoder().decode(SamplerConfig.self, from: Data(text.utf8))
                try noise.validate()
                net.noise = noise
            } catch {
                throw SafetensorsError(path: path, message: "the training noise schedule (\"\(noiseKey)\") is not valid: \(error)")
            }
        }
        try net.load(from: file)
        return net
    }
}
