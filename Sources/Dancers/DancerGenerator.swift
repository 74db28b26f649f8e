import Foundation
import Imaging

/// Renders Dancers clips: in memory, one at a time (`clip(_:)`) or as a lazy stream for the trainer (`stream`).
///
/// Everything is a pure function of the configuration and the clip index, so the same seed gives byte-identical
/// clips whatever the thread count; frames of a clip render in parallel (`DispatchQueue.concurrentPerform`).
public struct DancerGenerator: Sendable {
    /// The dataset settings.
    public let configuration: SynthConfiguration

    /// A generator; throws when the configuration is invalid.
    public init(_ configuration: SynthConfiguration) throws(SynthError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Identity seed of identity `index` of the split.
    public func identitySeed(_ index: Int) -> UInt64 {
        configuration.split.seed(.identity, datasetSeed: configuration.seed, index: index)
    }

    /// Motion seed of clip `index` of the split.
    public func motionSeed(_ index: Int) -> UInt64 {
        configuration.split.seed(.motion, datasetSeed: configuration.seed, index: index)
    }

    /// Clip-attribute seed of clip `index`.
    func clipSeed(_ index: Int) -> UInt64 {
        configuration.split.seed(.clip, datasetSeed: configuration.seed, index: index)
    }

    /// A lazy sequence of clips `range` (e.g. `0...` for an endless stream); each clip renders when reached.
    public func stream(_ range: some Sequence<Int>) -> some Sequence<DancerClip> {
        range.lazy.map { self.clip($0) }
    }

    /// Renders clip `index`.
    public func clip(_ index: Int) -> DancerClip {
        let c = configuration
        let identityIndex = index % c.identities
        let identity = Identity(seed: identitySeed(identityIndex))
        let mSeed = motionSeed(index), cSeed = clipSeed(index)
        var r = SeededRandom(seed: cSeed)
        let duration = Float(c.frames) / c.fps
        let choreography = Choreography(seed: mSeed, duration: duration + 2)
        let start = r.uniform(0, 1.5)
        let shutter = r.uniform(c.shutterMin, c.shutterMax)
        let expressions = Self.changes(Expression.allCases, frames: c.frames, probability: 0.7, random: &r)
        let lightings = Self.changes(Lighting.allCases, frames: c.frames, probability: 0.5, random: &r)
        let frames = [DancerFrame](unsafeUninitializedCapacity: c.frames) { buffer, count in
            let base = SendablePointer(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: c.frames) { f in
                let t = start + Float(f) / c.fps
                let expression = expressions.last { $0.0 <= f }?.1 ?? .neutral
                let lighting = lightings.last { $0.0 <= f }?.1 ?? .daylight
                (base.pointer + f).initialize(to: renderFrame(identity: identity, choreography: choreography, time: t,
                                                      shutter: shutter, expression: expression, lighting: lighting))
            }
            count = c.frames
        }
        return DancerClip(index: index, split: c.split, identityIndex: identityIndex, identity: identity,
                          motionSeed: mSeed, clipSeed: cSeed, shutter: shutter, tempo: choreography.tempo,
                          expressionChanges: expressions.map { (frame: $0.0, expression: $0.1) },
                          lightingChanges: lightings.map { (frame: $0.0, lighting: $0.1) }, frames: frames)
    }

    /// A schedule: a value at frame 0, then with probability `p` a change at a random frame, and maybe a second.
    static func changes<T: Equatable>(_ values: [T], frames: Int, probability p: Float,
                                      random r: inout SeededRandom) -> [(Int, T)] {
        var out = [(0, r.pick(values))]
        guard frames >= 4 else { return out }
        if r.chance(p) {
            let f1 = 1 + r.index(frames - 2)
            var v = r.pick(values)
            if v == out[0].1 { v = values[(values.firstIndex(of: v)! + 1) % values.count] }
            out.append((f1, v))
            if r.chance(0.3), f1 + 2 < frames {
                let f2 = f1 + 1 + r.index(frames - f1 - 1)
                var w = r.pick(values)
                if w == v { w = values[(values.firstIndex(of: w)! + 1) % values.count] }
                out.append((f2, w))
            }
        }
        return out
    }

    /// Renders one frame at time `t`: sub-frames over [t − shutter/2, t + shutter/2] (in frame intervals)
    /// averaged for the picture, plus a sharp structure pass at `t` for the part and depth maps.
    func renderFrame(identity: Identity, choreography: Choreography, time t: Float, shutter: Float,
                     expression: Expression, lighting: Lighting) -> DancerFrame {
        let c = configuration
        let w = c.width, h = c.height, n = w * h
        let camera = choreography.camera(at: t)
        let light = lighting.light
        let builder = FigureBuilder(identity: identity, camera: camera, width: w, height: h)
        let raster = Rasterizer(width: w, height: h)
        var background = [Float](repeating: 0, count: 3 * n)
        background.withUnsafeMutableBufferPointer {
            identity.background.render(camera: camera, light: light, width: w, height: h, into: $0.baseAddress!)
        }
        var accum = [Float](repeating: 0, count: 3 * n)
        var scratch = background
        var labels = [UInt8](repeating: 0, count: n)
        var handMask = [UInt8](repeating: 0, count: n)
        var handPaths: [[SIMD2<Float>]] = [[], []]
        let leftHand = PartLabel.leftHand.rawValue, rightHand = PartLabel.rightHand.rawValue
        let dt = shutter / c.fps
        for k in 0..<c.subframes {
            // t_k = t + shutter·((k + ½)/S − ½)/fps
            let tk = c.subframes == 1 ? t : t + dt * ((Float(k) + 0.5) / Float(c.subframes) - 0.5)
            let rig = Rig(choreography.parameters(at: tk), identity)
            let prims = builder.primitives(rig, expression: expression)
            scratch.withUnsafeMutableBufferPointer { s in
                background.withUnsafeBufferPointer { b in s.baseAddress!.update(from: b.baseAddress!, count: 3 * n) }
                labels.withUnsafeMutableBufferPointer { l in
                    l.update(repeating: 0)
                    raster.draw(prims, light: light, colour: s.baseAddress!, depth: nil, label: l.baseAddress!)
                }
                accum.withUnsafeMutableBufferPointer { a in
                    for i in 0..<(3 * n) { a[i] += s[i] }
                }
            }
            for i in 0..<n where labels[i] == leftHand || labels[i] == rightHand { handMask[i] = 255 }
            for side in Side.allCases {
                let pts = rig.hands[side.rawValue]
                let c3 = pts.reduce(SIMD3<Float>.zero, +) / Float(pts.count)
                let q = camera.project(c3, width: w, height: h)
                handPaths[side.rawValue].append(SIMD2(q.x, q.y))
            }
        }
        // Sharp structure pass at t.
        let rig = Rig(choreography.parameters(at: t), identity)
        let pose = rig.pose(camera: camera, width: w, height: h)
        var depth = [Float](repeating: 0, count: n)
        var parts = [UInt8](repeating: 0, count: n)
        scratch.withUnsafeMutableBufferPointer { s in
            depth.withUnsafeMutableBufferPointer { d in
                parts.withUnsafeMutableBufferPointer { p in
                    raster.draw(builder.primitives(rig, expression: expression), light: light,
                                colour: s.baseAddress!, depth: d.baseAddress!, label: p.baseAddress!)
                }
            }
        }
        for i in 0..<n where parts[i] == leftHand || parts[i] == rightHand { handMask[i] = 255 }
        // Bytes by v·255 + ½ truncated (round half up; values are clamped to [0, 255.5) first).
        let sharpBytes = scratch.map { UInt8(max(0, min(255.49, $0 * 255 + 0.5))) }
        let inv = 255 / Float(c.subframes)
        var bytes = [UInt8](repeating: 0, count: 3 * n)
        for i in 0..<(3 * n) { bytes[i] = UInt8(max(0, min(255.49, accum[i] * inv + 0.5))) }
        let faceL = PartLabel.face.rawValue, headL = PartLabel.head.rawValue
        let faceMask = parts.map { $0 == faceL || $0 == headL ? UInt8(255) : 0 }

        // Hand motion since the previous frame (same camera, so it is the picture's motion).
        let previous = Rig(choreography.parameters(at: t - 1 / c.fps), identity)
            .pose(camera: choreography.camera(at: t - 1 / c.fps), width: w, height: h)
        var motion: [SIMD2<Float>] = [.zero, .zero], speed: [Float] = [0, 0]
        var raw: [Float?] = [nil, nil], cue: [Float] = [1, 1], exposureSpeed: [Float] = [0, 0]
        let view = RGBImageView(width: w, height: h, bytes: bytes)
        let sharpView = RGBImageView(width: w, height: h, bytes: sharpBytes)
        for side in Side.allCases {
            if let a = Self.centroid(pose.hand(side)), let b = Self.centroid(previous.hand(side)) {
                motion[side.rawValue] = a - b
                speed[side.rawValue] = ((a - b) * (a - b)).sum().squareRoot()
            }
            if let box = Sharpness.handBox(pose.hand(side)) {
                raw[side.rawValue] = Sharpness.measure(view, x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1)
                // Synthetic cue: Laplacian energy of the blurred over the sharp instant, on the hand's own pixels.
                let own = Self.dilated(parts, label: side == .left ? leftHand : rightHand, width: w, height: h)
                let blurred = Sharpness.laplacianEnergy(view, x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1, mask: own)
                let sharp = Sharpness.laplacianEnergy(sharpView, x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1, mask: own)
                cue[side.rawValue] = Sharpness.cue(raw: blurred, sharp: sharp)
            }
            // Exposure speed: path length of the hand's centroid over the shutter, per frame interval.
            let path = handPaths[side.rawValue]
            if path.count > 1, shutter > 0 {
                var length: Float = 0
                for k in 1..<path.count { length += ((path[k] - path[k - 1]) * (path[k] - path[k - 1])).sum().squareRoot() }
                exposureSpeed[side.rawValue] = length * Float(c.subframes) / Float(c.subframes - 1) / shutter
            }
        }
        let move = choreography.move(at: t)
        return DancerFrame(image: RGBImage(width: w, height: h, pixels: bytes), camera: camera, pose: pose, parts: parts, depth: depth,
                           faceMask: faceMask, handMask: handMask, handMotion: motion, handSpeed: speed,
                           exposureSpeed: exposureSpeed,
                           sharpnessRaw: raw, sharpness: cue, expression: expression, lighting: lighting, move: move,
                           caption: Captions.caption(identity: identity, expression: expression, move: move,
                                                     lighting: lighting))
    }

    /// Pixels with `label`, grown by one pixel (so the hand's outline, where blur shows first, is included).
    static func dilated(_ parts: [UInt8], label: UInt8, width w: Int, height h: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: parts.count)
        for y in 0..<h {
            for x in 0..<w where parts[y * w + x] == label {
                for yy in max(0, y - 1)...min(h - 1, y + 1) { for xx in max(0, x - 1)...min(w - 1, x + 1) { out[yy * w + xx] = 1 } }
            }
        }
        return out
    }

    /// Mean position of a hand's present points; nil when fewer than half are present.
    static func centroid(_ hand: [Keypoint]) -> SIMD2<Float>? {
        var sum = SIMD2<Float>.zero, n: Float = 0
        for p in hand where p.isPresent { sum += SIMD2(p.x, p.y); n += 1 }
        return n >= Float(hand.count) / 2 ? sum / n : nil
    }
}

/// A pointer handed to `concurrentPerform` workers that each write a distinct element.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
