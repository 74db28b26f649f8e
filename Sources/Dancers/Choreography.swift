import Foundation

/// A dance: moves in sequence at a varying tempo, one cubic spline through all their key poses, and a gentle
/// camera path. Fixed by a motion seed.
public struct Choreography: Sendable {
    /// The seed this dance was made from.
    public let seed: UInt64
    /// Key times in seconds, ascending.
    let times: [Float]
    /// Key poses (one per time).
    let keys: [PoseParameters]
    /// The moves with their start times (seconds).
    public let segments: [(start: Float, move: Move)]
    /// Beats per second of the dance (the base tempo; each move varies it by ±15 %).
    public let tempo: Float
    // Camera path: zoom = z0 + za·sin(ωz t + φz); centre x = px·sin(ωp t + φp); centre y = cy + 0.03·sin(...).
    let zoom0: Float, zoomAmp: Float, zoomRate: Float, zoomPhase: Float
    let panAmp: Float, panRate: Float, panPhase: Float, centreY: Float

    /// A dance lasting at least `duration` seconds.
    public init(seed: UInt64, duration: Float) {
        self.seed = seed
        var r = SeededRandom(seed: SeededRandom.derive(seed, 0xC0))
        tempo = r.uniform(1.2, 2.6)
        var t: Float = -1.0
        var times: [Float] = [t]
        var keys: [PoseParameters] = [PoseParameters.neutral]
        var segments: [(Float, Move)] = []
        var last = PoseParameters.neutral
        var previous: Move?
        while t < duration + 1 {
            var move = r.pick(Move.allCases)
            if move == previous { move = r.pick(Move.allCases) }
            previous = move
            let bps = tempo * r.uniform(0.85, 1.15)
            segments.append((t, move))
            for (beat, pose) in move.keys(from: last, random: &r) {
                times.append(t + beat / bps)
                keys.append(pose)
                last = pose
            }
            t = times[times.count - 1]
        }
        self.times = times
        self.keys = keys
        self.segments = segments
        zoom0 = r.uniform(0.95, 1.12); zoomAmp = r.uniform(0, 0.08); zoomRate = r.uniform(0.2, 0.7); zoomPhase = r.uniform(0, 6.28)
        panAmp = r.uniform(0, 0.08); panRate = r.uniform(0.2, 0.6); panPhase = r.uniform(0, 6.28)
        centreY = r.uniform(0.5, 0.58)
    }

    /// The pose at time `t` (seconds): cubic Hermite through the keys with Catmull–Rom tangents
    /// m_k = (p_{k+1} − p_{k−1}) / (t_{k+1} − t_{k−1}).
    public func parameters(at t: Float) -> PoseParameters {
        let n = times.count
        if n == 1 { return keys[0] }
        // Segment k: times[k] ≤ t < times[k+1] (binary search).
        var lo = 0, hi = n - 1
        if t <= times[0] { return keys[0] }
        if t >= times[n - 1] { return keys[n - 1] }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if times[mid] <= t { lo = mid } else { hi = mid }
        }
        let k = lo
        let t0 = times[k], t1 = times[k + 1], h = t1 - t0
        let u = (t - t0) / h
        // Hermite basis h00 = 2u³ − 3u² + 1, h10 = u³ − 2u² + u, h01 = −2u³ + 3u², h11 = u³ − u².
        let u2 = u * u, u3 = u2 * u
        let h00 = 2 * u3 - 3 * u2 + 1, h10 = u3 - 2 * u2 + u, h01 = -2 * u3 + 3 * u2, h11 = u3 - u2
        let km = max(0, k - 1), kp = min(n - 1, k + 2)
        let p0 = keys[k].values, p1 = keys[k + 1].values, pm = keys[km].values, pp = keys[kp].values
        let dtA = max(1e-4, t1 - times[km]), dtB = max(1e-4, times[kp] - t0)
        var out = [Float](repeating: 0, count: PoseParameters.count)
        for i in 0..<PoseParameters.count {
            let m0 = (p1[i] - pm[i]) / dtA, m1 = (pp[i] - p0[i]) / dtB
            out[i] = h00 * p0[i] + h10 * h * m0 + h01 * p1[i] + h11 * h * m1
        }
        return PoseParameters(values: out)
    }

    /// The camera at time `t`.
    public func camera(at t: Float) -> Camera {
        Camera(centreX: panAmp * sin(panRate * t + panPhase),
               centreY: centreY + 0.02 * sin(0.5 * zoomRate * t + panPhase),
               zoom: zoom0 + zoomAmp * sin(zoomRate * t + zoomPhase))
    }

    /// The move being danced at time `t`.
    public func move(at t: Float) -> Move {
        var current = segments[0].move
        for s in segments where s.start <= t { current = s.move }
        return current
    }
}
