/// SplitMix64: a tiny, fast, seedable generator whose stream depends on nothing but its seed.
///
/// Matches: Steele, Lea & Flood, "Fast splittable pseudorandom number generators" (2014), the `splitmix64` finaliser.
/// Limitations: not cryptographic; 64-bit state.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    /// The current state; advanced by the golden-ratio increment on every draw.
    public var state: UInt64

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededRandom.mix(state)
    }

    /// The splitmix64 finaliser: z = (z ^ z>>30)·c1, (z ^ z>>27)·c2, z ^ z>>31.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed derived from a base seed and a path of integers (stream tag, index, ...); order matters.
    public static func derive(_ base: UInt64, _ path: UInt64...) -> UInt64 {
        var h = mix(base ^ 0x5A17_E5D0_0D1E_CAFE)
        for p in path { h = mix(h ^ mix(p &+ 0x632B_E59B_D9B4_E019)) }
        return h
    }

    /// A uniform float in [0, 1) from the top 24 bits.
    @inlinable
    public mutating func unit() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// A uniform float in [lo, hi).
    @inlinable
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * unit() }

    /// A uniform integer in 0..<count (count ≥ 1), by multiply-shift (bias below 2⁻³²).
    @inlinable
    public mutating func index(_ count: Int) -> Int {
        Int((UInt64(UInt32(truncatingIfNeeded: next() >> 32)) &* UInt64(count)) >> 32)
    }

    /// One element of a non-empty array.
    @inlinable
    public mutating func pick<T>(_ items: [T]) -> T { items[index(items.count)] }

    /// True with probability `p`.
    @inlinable
    public mutating func chance(_ p: Float) -> Bool { unit() < p }
}

/// Which part of the dataset a sample belongs to. Train and test never share an identity or motion seed.
public enum DatasetSplit: String, Sendable, Codable, CaseIterable {
    /// Training identities and motions.
    case train
    /// Held-out identities and motions.
    case test

    /// Stream tags keep identity, motion and clip seeds apart.
    enum Stream: UInt64 { case identity = 1, motion = 2, clip = 3 }

    /// The top bit of every derived seed is the split, so the two splits are disjoint by construction.
    static let splitBit: UInt64 = 1 << 63

    /// The seed of the `index`-th identity/motion/clip of this split under a dataset seed.
    ///
    /// seed = (hash(datasetSeed, stream, index) with bit 63 cleared) | (bit 63 if test).
    func seed(_ stream: Stream, datasetSeed: UInt64, index: Int) -> UInt64 {
        let h = SeededRandom.derive(datasetSeed, stream.rawValue, UInt64(truncatingIfNeeded: index))
        return (h & ~DatasetSplit.splitBit) | (self == .test ? DatasetSplit.splitBit : 0)
    }

    /// The split a derived seed belongs to.
    package static func of(seed: UInt64) -> DatasetSplit { seed & splitBit != 0 ? .test : .train }
}
