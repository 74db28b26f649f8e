import Foundation

/// Philox-4×32-10, a counter-based random generator: the numbers at position `i` depend only on (seed, i).
///
/// Matches: Salmon et al., "Parallel random numbers: as easy as 1, 2, 3" (SC'11), Random123's `philox4x32_10`
/// (its known-answer vectors are in the tests). Because each element's value is a function of its index, filling
/// a tensor in parallel gives the same bits for any thread count.
public struct Philox: Sendable {
    /// The 64-bit key (the seed).
    public let seed: UInt64
    /// The high 64 bits of every counter; a sampler advances it so each call draws fresh numbers.
    public var offset: UInt64

    /// A generator for `seed`, starting at stream `offset`.
    public init(seed: UInt64, offset: UInt64 = 0) {
        self.seed = seed
        self.offset = offset
    }

    /// The 10-round Philox-4×32 bijection of `counter` under `key`.
    @inline(__always)
    public static func block(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        let m0: UInt64 = 0xD251_1F53, m1: UInt64 = 0xCD9E_8D57
        let w0: UInt32 = 0x9E37_79B9, w1: UInt32 = 0xBB67_AE85
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 { k0 &+= w0; k1 &+= w1 }
            let p0 = m0 &* UInt64(c0), p1 = m1 &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return (c0, c1, c2, c3)
    }

    /// Four uniform 32-bit words for block `index` of the current stream.
    @inline(__always)
    public func words(_ index: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        Philox.block(
            counter: (UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32),
                      UInt32(truncatingIfNeeded: offset), UInt32(truncatingIfNeeded: offset >> 32)),
            key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
    }

    /// A uniform float in (0, 1) from 24 random bits: `(u >> 8 + 0.5) / 2^24`.
    @inline(__always)
    static func unit(_ u: UInt32) -> Float { (Float(u >> 8) + 0.5) * (1.0 / 16_777_216.0) }

    /// Fills `out[0..<count]` with standard normal samples, element `i` being a function of (seed, offset, i).
    ///
    /// Box–Muller on pairs: `z0 = √(−2 ln u1) cos 2πu2`, `z1 = √(−2 ln u1) sin 2πu2`; block `b` gives elements
    /// `4b..<4b+4`. Computed in Double so the values do not depend on libm's float rounding.
    /// `width` overrides the parallel-loop width (tests use it to show the result does not depend on it).
    public func fillNormal(_ out: UnsafeMutablePointer<Float>, count: Int, width: Int? = nil) {
        let blocks = (count + 3) / 4
        parallelFor(blocks, costPerItem: 64, width: width) { range in
            for b in range {
                let (a0, a1, a2, a3) = words(UInt64(b))
                let r0 = (-2 * log(Double(Philox.unit(a0)))).squareRoot(), t0 = 2 * Double.pi * Double(Philox.unit(a1))
                let r1 = (-2 * log(Double(Philox.unit(a2)))).squareRoot(), t1 = 2 * Double.pi * Double(Philox.unit(a3))
                let base = 4 * b
                if base + 3 < count {
                    out[base] = Float(r0 * cos(t0)); out[base + 1] = Float(r0 * sin(t0))
                    out[base + 2] = Float(r1 * cos(t1)); out[base + 3] = Float(r1 * sin(t1))
                } else {
                    let z = (Float(r0 * cos(t0)), Float(r0 * sin(t0)), Float(r1 * cos(t1)), Float(r1 * sin(t1)))
                    if base < count { out[base] = z.0 }
                    if base + 1 < count { out[base + 1] = z.1 }
                    if base + 2 < count { out[base + 2] = z.2 }
                }
            }
        }
    }

    /// Fills `out[0..<count]` with uniform floats in (0, 1), element `i` from word `i % 4` of block `i / 4`.
    public func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int) {
        let blocks = (count + 3) / 4
        parallelFor(blocks, costPerItem: 16) { range in
            for b in range {
                let (a0, a1, a2, a3) = words(UInt64(b))
                let base = 4 * b
                if base < count { out[base] = Philox.unit(a0) }
                if base + 1 < count { out[base + 1] = Philox.unit(a1) }
                if base + 2 < count { out[base + 2] = Philox.unit(a2) }
                if base + 3 < count { out[base + 3] = Philox.unit(a3) }
            }
        }
    }

    /// A tensor of standard normal samples; advances `offset` so the next call draws different numbers.
    public mutating func normal(_ shape: [Int]) -> Tensor {
        let t = Tensor(shape: shape)
        fillNormal(t.data, count: t.count)
        offset &+= 1
        return t
    }

    /// A tensor of uniform (0, 1) samples; advances `offset`.
    public mutating func uniform(_ shape: [Int]) -> Tensor {
        let t = Tensor(shape: shape)
        fillUniform(t.data, count: t.count)
        offset &+= 1
        return t
    }
}
