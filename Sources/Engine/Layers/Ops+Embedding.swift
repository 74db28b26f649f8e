import Foundation

/// Sinusoidal timestep embedding `[N] → [N, dim]`.
///
/// `freq_i = exp(−ln(maxPeriod)·i/(half − shift))`, `emb = [sin(t·freq), cos(t·freq)]`, flipped to `[cos, sin]`
/// when `flipSinToCos`. Matches: diffusers `get_timestep_embedding(t, dim, flip_sin_to_cos, downscale_freq_shift)`
/// (even `dim`). Backward: `d sin(t f)/dt = f cos(t f)`, `d cos(t f)/dt = −f sin(t f)`.
public func timestepEmbedding(_ t: Tensor, dim: Int, flipSinToCos: Bool = true, downscaleFreqShift: Float = 0,
                              maxPeriod: Float = 10_000) -> Tensor {
    let n = t.count, half = dim / 2
    var freqs = [Float](repeating: 0, count: half)
    for i in 0..<half { freqs[i] = Foundation.exp(-Foundation.log(maxPeriod) * Float(i) / (Float(half) - downscaleFreqShift)) }
    let y = Tensor.zeros([n, dim])
    let (sinOff, cosOff) = flipSinToCos ? (half, 0) : (0, half)
    for r in 0..<n {
        for i in 0..<half {
            let a = t.data[r] * freqs[i]
            y.data[r * dim + sinOff + i] = sin(a)
            y.data[r * dim + cosOff + i] = cos(a)
        }
    }
    if let tape = t.tape {
        tape.record(y) { gy in
            let gt = Tensor.zeros(t.shape)
            for r in 0..<n {
                var acc: Float = 0
                for i in 0..<half {
                    let a = t.data[r] * freqs[i]
                    acc += gy.data[r * dim + sinOff + i] * freqs[i] * cos(a) - gy.data[r * dim + cosOff + i] * freqs[i] * sin(a)
                }
                gt.data[r] = acc
            }
            t.accumulateGrad(gt, owned: true)
        }
    }
    return y
}
