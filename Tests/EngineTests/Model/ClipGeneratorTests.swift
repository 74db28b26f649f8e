import Engine
import Foundation
import Imaging
import Testing

@Suite("Clip generation")
struct ClipGeneratorTests {
    static func request(_ net: AnimatorNetwork, frames: Int = 4, steps: Int = 3) -> GenerationRequest {
        let s = net.config.imageSize
        var reference = RGBImage(width: s, height: s)
        for y in 0..<s { for x in 0..<s { reference[x, y] = RGB(UInt8(x * 255 / s), UInt8(y * 255 / s), 128) } }
        var rng = Philox(seed: 3)
        var r = GenerationRequest(reference: reference,
                                  conditions: rng.normal([frames * net.config.conditionChannels * s * s]).values,
                                  frameCount: frames)
        r.prompts = ["smiling", "warm light"]
        r.sampler.steps = steps
        r.guidance = .animation(referenceScale: .constant(2), promptScale: .constant(1.5))
        return r
    }

    @Test("a request runs every step with previews of every frame; same seed gives identical frames")
    func runsDeterministically() throws {
        let net = try AnimatorNetwork.loadCheckpoint(path: EngineTestSupport.fixtures.appendingPathComponent("animator_tiny.safetensors").path)
        let generator = ClipGenerator(network: net)
        let request = Self.request(net)
        var steps: [Int] = []
        let a = try #require(try generator.run(request) { i, n, previews in
            steps.append(i)
            #expect(n == 3 && previews.count == 4 * 3 * 16 * 16)
            return true
        })
        #expect(steps == [0, 1, 2])
        #expect(a.count == 4 && a.allSatisfy { $0.width == 16 && $0.height == 16 })
        let b = try #require(try ClipGenerator(network: net).run(request) { _, _, _ in true })
        #expect(a == b)
        var other = request
        other.seed += 1
        let c = try #require(try generator.run(other) { _, _, _ in true })
        #expect(a != c)
    }

    @Test("cancelling from a step returns nil at once")
    func cancels() throws {
        let net = try AnimatorNetwork(config: .tiny, seed: 1)
        var calls = 0
        let result = try ClipGenerator(network: net).run(Self.request(net, steps: 10)) { _, _, _ in calls += 1; return false }
        #expect(result == nil && calls == 1)
    }

    @Test("bad requests: one line naming the field")
    func badRequests() throws {
        let net = try AnimatorNetwork(config: .tiny, seed: 1)
        let generator = ClipGenerator(network: net)
        var wrongSize = Self.request(net)
        wrongSize.reference = RGBImage(width: 20, height: 16)
        var fewConditions = Self.request(net)
        fewConditions.conditions.removeLast()
        var strength = Self.request(net)
        strength.referenceNoise = 1.5
        for (request, expected) in [(wrongSize, "reference image is 20×16"), (fewConditions, "condition maps hold"),
                                    (strength, "reference noise strength")] {
            #expect(throws: GenerationError.self) { try generator.validate(request) }
            do { try generator.validate(request) } catch { #expect(error.description.hasPrefix(expected), "\(error)") }
        }
        var unknown = Self.request(net)
        unknown.prompts = ["smiling purple hat"]
        #expect(generator.warnings(for: unknown) == ["prompt \"smiling purple hat\": unknown words purple, hat (the model's vocabulary has 3 words)"])
    }

    @Test("a clip longer than the frame window runs through context windows")
    func longClip() throws {
        let net = try AnimatorNetwork(config: .tiny, seed: 1)
        let frames = try #require(try ClipGenerator(network: net).run(Self.request(net, frames: 10, steps: 2)) { _, _, _ in true })
        #expect(frames.count == 10)
    }
}

/// Collects events from the engine thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [GenerationEvent] = []
    func add(_ e: GenerationEvent) { lock.lock(); events.append(e); lock.unlock() }
    var all: [GenerationEvent] { lock.lock(); defer { lock.unlock() }; return events }
    func waitFor(_ done: ([GenerationEvent]) -> Bool, timeout: Double = 60) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end { if done(all) { return true }; usleep(2000) }
        return false
    }
}

@Suite("Generation session")
struct GenerationSessionTests {
    func isTerminal(_ e: GenerationEvent) -> Bool {
        switch e { case .finished, .cancelled, .failed: return true; default: return false }
    }

    @Test("events arrive in order: started, steps, finished; a newer request cancels the older")
    func eventsAndRestart() throws {
        let net = try AnimatorNetwork(config: .tiny, seed: 1)
        let log = EventLog()
        let session = GenerationSession(network: net) { log.add($0) }
        let first = session.submit(ClipGeneratorTests.request(net, steps: 50))
        #expect(log.waitFor { $0.contains { if case .step(let id, _, _, _) = $0 { return id == first }; return false } })
        let second = session.submit(ClipGeneratorTests.request(net, steps: 3))
        #expect(log.waitFor { $0.contains { if case .finished(let id, _) = $0 { return id == second }; return false } })
        session.shutDown()
        let events = log.all
        let firstEvents = events.filter { $0.id == first }
        #expect(firstEvents.filter(isTerminal).count == 1)
        if case .cancelled = firstEvents.last! {} else { Issue.record("first request ended with \(firstEvents.last!)") }
        let secondEvents = events.filter { $0.id == second }
        if case .started(_, 3, _) = secondEvents.first! {} else { Issue.record("second began with \(secondEvents.first!)") }
        #expect(secondEvents.filter { if case .step = $0 { return true }; return false }.count == 3)
        #expect(secondEvents.filter(isTerminal).count == 1)
    }

    @Test("a bad request fails with one line; the session keeps working")
    func failure() throws {
        let net = try AnimatorNetwork(config: .tiny, seed: 1)
        let log = EventLog()
        let session = GenerationSession(network: net) { log.add($0) }
        var bad = ClipGeneratorTests.request(net)
        bad.frameCount = 0
        let id = session.submit(bad)
        #expect(log.waitFor { $0.contains { if case .failed(let i, let m) = $0 { return i == id && m.contains("frame count") }; return false } })
        let good = session.submit(ClipGeneratorTests.request(net, steps: 2))
        #expect(log.waitFor { $0.contains { if case .finished(let i, _) = $0 { return i == good }; return false } })
        session.shutDown()
    }

    @Test("many cancel/restart cycles: no deadlock, every request ends exactly once")
    func manyRestarts() throws {
        let net = try AnimatorNetwork(config: .tiny, seed: 1)
        let log = EventLog()
        let session = GenerationSession(network: net) { log.add($0) }
        var ids: [Int] = []
        for i in 0..<200 {
            ids.append(session.submit(ClipGeneratorTests.request(net, steps: 20)))
            if i % 3 == 0 { session.cancel() }
            if i % 7 == 0 { usleep(500) }
        }
        let last = session.submit(ClipGeneratorTests.request(net, steps: 2))
        ids.append(last)
        #expect(log.waitFor { $0.contains { if case .finished(let i, _) = $0 { return i == last }; return false } })
        session.shutDown()
        let events = log.all
        for id in ids {
            let n = events.filter { $0.id == id && isTerminal($0) }.count
            #expect(n == 1, "request \(id) ended \(n) times")
        }
    }
}
