import Foundation

/// The dance-move library. Each move is a list of key poses at beat offsets; a `Choreography` strings moves
/// together and a spline runs through every key.
public enum Move: String, CaseIterable, Sendable, Codable {
    case armWave, handWave, sideStep, sway, jump, turn, clap, handShake, point, march

    /// Caption phrase ("waving their arms").
    public var phrase: String {
        switch self {
        case .armWave: "waving their arms"
        case .handWave: "waving a hand"
        case .sideStep: "stepping side to side"
        case .sway: "swaying"
        case .jump: "jumping"
        case .turn: "turning around"
        case .clap: "clapping"
        case .handShake: "shaking their hands"
        case .point: "pointing"
        case .march: "marching"
        }
    }

    /// Length of the move in beats.
    var beats: Float { self == .jump ? 4 : 4 }

    /// Fast gestures (waves, shakes, claps) key every half beat: at most 2.6 reversals per second, so 12 fps
    /// clips sample them without aliasing the frame-to-frame hand speed.
    /// Key poses at beat offsets in (0, beats], starting from the pose `from` (root position and heading carry over).
    func keys(from start: PoseParameters, random r: inout SeededRandom) -> [(beat: Float, pose: PoseParameters)] {
        typealias K = PoseParameters
        var base = PoseParameters.neutral
        base[K.rootX] = start[K.rootX]
        base[K.rootZ] = start[K.rootZ]
        // Keep the heading, but settle to the nearest multiple of 2π-ish front-facing angle over the move.
        let turns = (start[K.yaw] / (2 * Float.pi)).rounded()
        base[K.yaw] = turns * 2 * Float.pi + r.uniform(-0.35, 0.35)
        let amp = r.uniform(0.75, 1.15)
        var keys: [(Float, PoseParameters)] = []
        func both(_ p: inout PoseParameters, arm i: Int, _ v: Float) { p[arm: .left, i] = v; p[arm: .right, i] = v }
        switch self {
        case .armWave:
            let n = 8
            for k in 1...n {
                var p = base
                let phase: Float = k % 2 == 0 ? 1 : -1
                both(&p, arm: K.shAbd, 2.35 * amp)
                // Same screen direction for both forearms: the left arm's angle grows, the right arm's shrinks.
                p[arm: .left, K.foreAbd] = 2.6 + 0.55 * phase * amp
                p[arm: .right, K.foreAbd] = 2.6 - 0.55 * phase * amp
                both(&p, arm: K.curl, 0.05); both(&p, arm: K.spread, 1.0)
                p[K.leanSide] = 0.08 * phase; p[K.hipShift] = -0.02 * phase
                p[K.headTilt] = 0.08 * phase
                keys.append((Float(k) * 0.5, p))
            }
        case .handWave:
            let side: Side = r.chance(0.5) ? .left : .right
            for k in 1...8 {
                var p = base
                let phase: Float = k % 2 == 0 ? 1 : -1
                p[arm: side, K.shAbd] = 1.45; p[arm: side, K.shFlex] = 0.2
                p[arm: side, K.foreAbd] = 2.75 + 0.4 * phase * amp
                p[arm: side, K.curl] = 0.0; p[arm: side, K.spread] = 0.9
                p[arm: side, K.wristBend] = 0.2 * phase
                p[K.headTilt] = side.sign * -0.06
                keys.append((Float(k) * 0.5, p))
            }
        case .sideStep:
            let dir: Float = start[K.rootX] > 0 ? -1 : 1
            for k in 1...4 {
                var p = base
                let out = k % 2 == 1
                let lead: Side = (dir > 0) == (k % 4 < 2) ? .left : .right
                p[K.rootX] = start[K.rootX] + dir * 0.06 * Float(k) * amp
                if out { p[leg: lead, K.thAbd] = 0.35 * amp; p[leg: lead, K.knee] = 0.15 }
                for s in Side.allCases { p[leg: s, K.knee] += out ? 0.25 : 0.05 }
                both(&p, arm: K.shAbd, out ? 0.9 * amp : 0.35)
                both(&p, arm: K.foreAbd, out ? 1.6 : 0.5)
                p[K.leanSide] = (out ? 0.06 : -0.04) * dir
                keys.append((Float(k), p))
            }
        case .sway:
            for k in 1...4 {
                var p = base
                let phase: Float = k % 2 == 0 ? 1 : -1
                p[K.leanSide] = 0.16 * phase * amp
                p[K.hipShift] = -0.035 * phase * amp
                p[arm: .left, K.shAbd] = 0.5 + 0.35 * phase; p[arm: .right, K.shAbd] = 0.5 - 0.35 * phase
                p[arm: .left, K.foreAbd] = 0.9 + 0.6 * phase; p[arm: .right, K.foreAbd] = 0.9 - 0.6 * phase
                p[K.headTilt] = 0.12 * phase
                for s in Side.allCases { p[leg: s, K.knee] = 0.12 + 0.1 * (s.sign * phase > 0 ? 1 : 0) }
                keys.append((Float(k), p))
            }
        case .jump:
            for j in 0..<2 {
                let o = Float(j) * 2
                var crouch = base
                for s in Side.allCases { crouch[leg: s, K.thFlex] = 0.55; crouch[leg: s, K.knee] = 1.0 }
                crouch[K.leanForward] = 0.25
                both(&crouch, arm: K.shFlex, -0.5); both(&crouch, arm: K.foreFlex, -0.4)
                var air = base
                air[K.jump] = 0.14 * amp
                for s in Side.allCases { air[leg: s, K.knee] = 0.25; air[leg: s, K.thFlex] = 0.15; air[leg: s, K.footPoint] = 0.6 }
                both(&air, arm: K.shAbd, 2.7); both(&air, arm: K.foreAbd, 2.9)
                both(&air, arm: K.curl, 0.0); both(&air, arm: K.spread, 1.0)
                var land = crouch
                land[K.leanForward] = 0.15
                keys.append((o + 0.5, crouch)); keys.append((o + 1.0, air)); keys.append((o + 1.5, land)); keys.append((o + 2.0, base))
            }
        case .turn:
            let dir: Float = r.chance(0.5) ? 1 : -1
            for k in 1...4 {
                var p = base
                p[K.yaw] = base[K.yaw] + dir * Float(k) * 0.5 * Float.pi
                both(&p, arm: K.shAbd, k == 4 ? 0.5 : 1.35 * amp)
                both(&p, arm: K.foreAbd, k == 4 ? 0.4 : 1.5)
                for s in Side.allCases { p[leg: s, K.knee] = k % 2 == 0 ? 0.1 : 0.3 }
                keys.append((Float(k), p))
            }
        case .clap:
            for k in 1...8 {
                var p = base
                let together = k % 2 == 1
                both(&p, arm: K.shAbd, 0.35); both(&p, arm: K.shFlex, 0.75)
                both(&p, arm: K.foreAbd, together ? -2.0 : -1.2)
                both(&p, arm: K.foreFlex, 0.75)
                p[arm: .left, K.palmRoll] = 1.45; p[arm: .right, K.palmRoll] = -1.45
                both(&p, arm: K.curl, 0.05); both(&p, arm: K.spread, 0.1); both(&p, arm: K.wristBend, 0)
                for s in Side.allCases { p[leg: s, K.knee] = together ? 0.2 : 0.06 }
                keys.append((Float(k) * 0.5, p))
            }
        case .handShake:
            for k in 1...8 {
                var p = base
                let phase: Float = k % 2 == 0 ? 1 : -1
                both(&p, arm: K.shAbd, 0.7); both(&p, arm: K.shFlex, 0.5)
                both(&p, arm: K.foreAbd, 1.3 + 0.3 * phase * amp)
                both(&p, arm: K.foreFlex, 0.6)
                both(&p, arm: K.wristBend, 0.6 * phase)
                both(&p, arm: K.curl, 0.1); both(&p, arm: K.spread, 0.8)
                keys.append((Float(k) * 0.5, p))
            }
        case .point:
            for k in 1...4 {
                var p = base
                let side: Side = k <= 2 ? .right : .left
                let jab = k % 2 == 1
                p[arm: side, K.shAbd] = jab ? 2.3 : 2.0; p[arm: side, K.foreAbd] = jab ? 2.35 : 2.1
                p[arm: side, K.shFlex] = 0.2
                p[arm: side, K.curl] = 1.0; p[arm: side, K.indexOut] = 1.0
                let other: Side = side == .left ? .right : .left
                p[arm: other, K.shAbd] = 0.6; p[arm: other, K.foreAbd] = -0.6; p[arm: other, K.foreFlex] = 0.4
                p[arm: other, K.curl] = 0.8
                p[K.leanSide] = side.sign * -0.08
                p[K.headTilt] = side.sign * 0.15
                keys.append((Float(k), p))
            }
        case .march:
            for k in 1...4 {
                var p = base
                let up: Side = k % 2 == 0 ? .left : .right
                let other: Side = up == .left ? .right : .left
                p[leg: up, K.thFlex] = 1.0 * amp; p[leg: up, K.knee] = 1.4 * amp
                p[arm: up, K.shFlex] = -0.45; p[arm: other, K.shFlex] = 0.6
                p[arm: other, K.foreFlex] = 1.3
                both(&p, arm: K.curl, 0.7)
                keys.append((Float(k), p))
            }
        }
        return keys
    }
}
