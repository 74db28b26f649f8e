import ArgumentParser
import Engine
import Foundation

/// `zoetrope inspect schedule`: the timesteps, ᾱ and σ a sampler configuration walks through.
struct InspectScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Show the timesteps, alphas_cumprod and sigmas of a sampler configuration (exact to diffusers).",
        discussion: """
        Examples:
          zoetrope inspect schedule --sampler dpmpp-2m --steps 25 --zero-snr --spacing trailing --prediction v
          zoetrope inspect schedule --sampler ddim --steps 20 --spacing leading --steps-offset 1 --json
        alphas_cumprod is listed at each step's timestep after zero-SNR rescaling and the SNR shift; sigmas (Euler,
        Euler ancestral, DPM-Solver++) include the final one.
        """)

    @Option(help: ArgumentHelp("Sampler: ddim, euler, euler-a or dpmpp-2m.", valueName: "name"))
    var sampler: String = "dpmpp-2m"

    @Option(parsing: .unconditional, help: ArgumentHelp("Number of inference steps, 1 to 1000.", valueName: "N"))
    var steps: String = "25"

    @Option(name: .customLong("beta-schedule"),
            help: ArgumentHelp("Training beta schedule: linear, scaled-linear or cosine.", valueName: "name"))
    var betaSchedule: String = "scaled-linear"

    @Flag(name: .customLong("zero-snr"), help: "Rescale the schedule to zero terminal SNR (Lin et al. 2024).")
    var zeroSNR = false

    @Option(help: ArgumentHelp("Timestep spacing: leading, trailing or linspace.", valueName: "name"))
    var spacing: String = "trailing"

    @Option(name: .customLong("steps-offset"), parsing: .unconditional, help: ArgumentHelp("Offset added to leading timesteps.", valueName: "N"))
    var stepsOffset: String = "0"

    @Option(help: ArgumentHelp("What the model predicts: epsilon, v or sample.", valueName: "name"))
    var prediction: String = "v"

    @Option(name: .customLong("snr-shift"), parsing: .unconditional,
            help: ArgumentHelp("Resolution SNR shift k > 0 (SNR / k; 1 = none).", valueName: "K"))
    var snrShift: String = "1"

    @Flag(help: "Print JSON: timesteps, alphas_cumprod, sigmas.")
    var json = false

    func run() throws {
        do {
            let config = try makeConfig()
            let solver = try config.makeSampler()
            print(json ? Self.json(config: config, sampler: solver) : Self.table(config: config, sampler: solver))
        } catch let error as SamplingError {
            FileHandle.standardError.write(Data("error: inspect schedule: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Reads the options into a configuration; each bad value gives one line naming the option.
    func makeConfig() throws -> SamplerConfig {
        func choice<T: RawRepresentable & CaseIterable>(_ text: String, _ option: String, _: T.Type) throws -> T
        where T.RawValue == String {
            guard let value = T(rawValue: text.lowercased()) else {
                let names = T.allCases.map(\.rawValue).joined(separator: ", ")
                throw SamplingError("--\(option) \(text): unknown; use one of \(names)")
            }
            return value
        }
        func integer(_ text: String, _ option: String) throws -> Int {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw SamplingError("--\(option) \(text): expected a whole number")
            }
            return value
        }
        var config = SamplerConfig()
        config.sampler = try choice(sampler, "sampler", SamplerKind.self)
        config.steps = try integer(steps, "steps")
        guard config.steps >= 1 && config.steps <= 1000 else {
            throw SamplingError("--steps \(steps): must be between 1 and 1000")
        }
        config.betaSchedule = try choice(betaSchedule, "beta-schedule", BetaSchedule.self)
        config.zeroTerminalSNR = zeroSNR
        config.spacing = try choice(spacing, "spacing", TimestepSpacing.self)
        config.stepsOffset = try integer(stepsOffset, "steps-offset")
        guard config.stepsOffset >= 0 && config.stepsOffset < 1000 else {
            throw SamplingError("--steps-offset \(stepsOffset): must be between 0 and 999")
        }
        config.prediction = try choice(prediction, "prediction", PredictionType.self)
        guard let k = Double(snrShift.trimmingCharacters(in: .whitespaces)), k.isFinite, k > 0 else {
            throw SamplingError("--snr-shift \(snrShift): must be a positive number (1 = no shift)")
        }
        config.snrShift = k
        return config
    }

    /// Shortest round-trip text of a Float, as JSON.
    static func number(_ value: Float) -> String { value.isFinite ? "\(value)" : "null" }

    /// Integers print without a fractional part; fractional timesteps (Euler with linspace) as decimals.
    static func timestep(_ t: Double) -> String { t == t.rounded() ? String(Int(t)) : "\(Float(t))" }

    static func json(config: SamplerConfig, sampler: any Sampler) -> String {
        var fields: [String] = []
        fields.append("\"sampler\":\"\(config.sampler.rawValue)\"")
        fields.append("\"steps\":\(config.steps)")
        fields.append("\"beta_schedule\":\"\(config.betaSchedule.rawValue)\"")
        fields.append("\"zero_snr\":\(config.zeroTerminalSNR)")
        fields.append("\"spacing\":\"\(config.spacing.rawValue)\"")
        fields.append("\"steps_offset\":\(config.stepsOffset)")
        fields.append("\"prediction\":\"\(config.prediction.rawValue)\"")
        fields.append("\"snr_shift\":\(config.snrShift)")
        fields.append("\"init_noise_sigma\":\(number(sampler.initNoiseSigma))")
        fields.append("\"timesteps\":[\(sampler.timesteps.map(timestep).joined(separator: ","))]")
        let abar = sampler.alphasCumprodAtSteps.map { $0.map(number) ?? "null" }
        fields.append("\"alphas_cumprod\":[\(abar.joined(separator: ","))]")
        if let sigmas = sampler.sigmas {
            fields.append("\"sigmas\":[\(sigmas.map(number).joined(separator: ","))]")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func table(config: SamplerConfig, sampler: any Sampler) -> String {
        var lines = ["\(config.sampler.rawValue), \(sampler.timesteps.count) steps, \(config.betaSchedule.rawValue)"
                     + (config.zeroTerminalSNR ? " zero-SNR" : "") + ", \(config.spacing.rawValue)"
                     + (config.stepsOffset != 0 ? "+\(config.stepsOffset)" : "") + ", \(config.prediction.rawValue)"
                     + (config.snrShift != 1 ? ", SNR shift \(config.snrShift)" : "")
                     + ", initial noise sigma \(sampler.initNoiseSigma)"]
        let hasSigmas = sampler.sigmas != nil
        lines.append("step  timestep  alphas_cumprod" + (hasSigmas ? "         sigma" : ""))
        for i in sampler.timesteps.indices {
            func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(width - text.count, 0)) + text }
            var line = pad(String(i), 4) + "  " + pad(timestep(sampler.timesteps[i]), 8) + "  "
                + pad(sampler.alphasCumprodAtSteps[i].map { "\($0)" } ?? "-", 14)
            if let sigmas = sampler.sigmas { line += "  " + pad("\(sigmas[i])", 12) }
            lines.append(line)
        }
        if let last = sampler.sigmas?.last { lines.append("final sigma \(last)") }
        return lines.joined(separator: "\n")
    }
}
