import Foundation
import Testing
import Engine

/// End-to-end: `zoetrope inspect schedule --json` against the diffusers fixture, `inspect prompts`, and bad input.
/// The binary: $ZOETROPE_BIN (set by `make test`), else `.build/release/zoetrope` under the repository root.
@Suite struct InspectCommandTests {
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["ZOETROPE_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return SamplingTestSupport.repositoryRoot.appendingPathComponent(".build/release/zoetrope")
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func scheduleJSONMatchesDiffusers() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build zoetrope first")
        let file = try #require(ScheduleFixtureTests.file)
        let recorded = file.entries.contains { $0.torch_sqrt_inexact != nil }  // the exact-sqrt reference (newer fixtures)
        var checked = 0
        for entry in file.entries where !entry.config.karrasSigmas && entry.invalid != true && entry.truncated != true
            && entry.config.betaSchedule == .scaledLinear && entry.config.stepsOffset == (entry.config.spacing == .leading ? 1 : 0)
            && entry.config.sampler != .eulerAncestral && entry.config.steps == 25 && entry.config.spacing != .linspace {
            let c = entry.config
            var args = ["inspect", "schedule", "--sampler", c.sampler.rawValue, "--steps", "\(c.steps)",
                        "--beta-schedule", c.betaSchedule.rawValue, "--spacing", c.spacing.rawValue,
                        "--steps-offset", "\(c.stepsOffset)", "--prediction", c.prediction.rawValue,
                        "--snr-shift", "\(c.snrShift)", "--json"]
            if c.zeroTerminalSNR { args.append("--zero-snr") }
            let result = try Self.run(args)
            #expect(result.status == 0, "\(args): \(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let timesteps = try #require(object["timesteps"] as? [Double])
            #expect(timesteps == entry.timesteps, "\(args)")
            // The JSON holds float32 values as shortest decimals, like the fixture. Against diffusers with correctly
            // rounded square roots: bit for bit; against plain diffusers: 1e-6, or the bound its own inexact square
            // roots allow (zero SNR; see ScheduleFixtureTests.tolerances and ReferenceSqrtBound).
            let exact = entry.exact
            let abar = try #require(object["alphas_cumprod"] as? [Double]).map { Double(Float($0)) }
            let sigmas = (object["sigmas"] as? [Double])?.map { Double(Float($0)) }
            let tolerance = try ScheduleFixtureTests.tolerances(entry, timesteps: timesteps, sigmaCount: sigmas?.count ?? 0)
            if recorded {
                let same = ScheduleFixtureTests.identical(abar, exact.alphas_cumprod ?? [], truncated: false)
                #expect(same, "\(args): ᾱ vs exact sqrt")
            }
            let (abarError, abarOK) = ScheduleFixtureTests.compare(abar, entry.alphas_cumprod ?? [], truncated: false,
                                                                   tolerances: tolerance.abar)
            #expect(abarOK, "\(args): alphas_cumprod max relative error \(abarError)")
            if let reference = entry.sigmas {
                let sigmas = try #require(sigmas)
                #expect(sigmas.count == reference.count)
                if recorded {
                    let same = ScheduleFixtureTests.identical(sigmas, exact.sigmas ?? [], truncated: false)
                    #expect(same, "\(args): σ vs exact sqrt")
                }
                let (sigmaError, sigmaOK) = ScheduleFixtureTests.compare(sigmas, reference, truncated: false, tolerances: tolerance.sigma)
                #expect(sigmaOK, "\(args): sigmas max relative error \(sigmaError)")
            } else {
                #expect(object["sigmas"] == nil, "DDIM has no sigmas")
            }
            checked += 1
        }
        #expect(checked >= 24)  // ddim, euler, dpmpp-2m × trailing, leading+1 × zero-SNR × shift (the API test covers all)
    }

    @Test func badScheduleOptionsGiveOneLine() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build zoetrope first")
        let cases: [([String], String)] = [
            (["--sampler", "heun"], "--sampler heun: unknown; use one of ddim, euler, euler-a, dpmpp-2m"),
            (["--steps", "0"], "--steps 0: must be between 1 and 1000"),
            (["--steps", "1001"], "--steps 1001: must be between 1 and 1000"),
            (["--steps", "ten"], "--steps ten: expected a whole number"),
            (["--snr-shift", "-2"], "--snr-shift -2: must be a positive number"),
            (["--snr-shift", "0"], "--snr-shift 0: must be a positive number"),
            (["--beta-schedule", "sigmoid"], "--beta-schedule sigmoid: unknown"),
            (["--spacing", "karras"], "--spacing karras: unknown"),
            (["--prediction", "flow"], "--prediction flow: unknown"),
            (["--steps", "1000", "--spacing", "leading", "--steps-offset", "1", "--sampler", "ddim"], "reaches timestep 1000"),
        ]
        for (arguments, expected) in cases {
            let result = try Self.run(["inspect", "schedule"] + arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stdout.isEmpty, "\(arguments)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
    }

    @Test func promptsJSONListsEachFramesWeights() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build zoetrope first")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zoetrope-prompts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("travel.txt")
        try Data("\"0\": \"smiling\",\n\"8\": \"eyes closed\",\n\"20\": \"late\"\n".utf8).write(to: file)
        let result = try Self.run(["inspect", "prompts", file.path, "--frames", "12", "--hold-ratio", "0", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        // "20" is beyond the 12-frame clip: a warning on stderr, clamped to frame 11.
        #expect(result.stderr == "warning: travel.txt:3:1: key \"20\" is frame 20, outside the 12-frame clip (0…11); using frame 11\n")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["prompts"] as? [String] == ["smiling", "eyes closed", "late"])
        let frames = try #require(object["per_frame"] as? [[String: Any]])
        #expect(frames.count == 12)
        // Frame 2: between keys 0 and 8 with no hold → "eyes closed" weight 2/8.
        let weights = try #require(frames[2]["weights"] as? [[String: Any]])
        #expect(weights.count == 2)
        #expect(weights[0]["prompt"] as? Int == 0 && weights[0]["weight"] as? Double == 0.75)
        #expect(weights[1]["prompt"] as? Int == 1 && weights[1]["weight"] as? Double == 0.25)

        let missing = try Self.run(["inspect", "prompts", directory.appendingPathComponent("none.json").path, "--frames", "8"])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("error: prompts file ") && missing.stderr.split(separator: "\n").count == 1)
        try Data("\"0\": \"a\",\n \"x\": \"b\"".utf8).write(to: file)
        let bad = try Self.run(["inspect", "prompts", file.path, "--frames", "8"])
        #expect(bad.status == 1 && bad.stderr.hasPrefix("error: travel.txt:2:2: key \"x\" is not a frame"))
        #expect(bad.stdout.isEmpty)
        try Data([0xff, 0xfe, 0x00]).write(to: file)
        let binary = try Self.run(["inspect", "prompts", file.path, "--frames", "8"])
        #expect(binary.status == 1 && binary.stderr.contains("not UTF-8"))
    }
}
