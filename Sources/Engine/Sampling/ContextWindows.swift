/// How overlapping context windows' predictions are blended on the frames they share.
public enum ContextFusion: String, Codable, Sendable, CaseIterable {
    /// Plain average.
    case flat
    /// Weights 1, 2, …, L/2, L/2, …, 2, 1 (AnimateDiff-Evolved's pyramid).
    case pyramid
    /// w_k = min((k+½)·2/L, 2 − (k+½)·2/L) (MimicMotion), used in the equivalent integer form min(2k+1, 2L−2k−1).
    case triangular
}

/// Context windows for clips longer than the model's frame window: windows of `length` frames overlapping by
/// `overlap`, optionally wrapping around the clip (loop closure); fused per frame by `fusion` weights.
///
/// Weights are integers and the fusion accumulates in float64, so a prediction that is the same on every window
/// covering a frame comes out exactly unchanged, and a clip no longer than one window is passed through untouched.
public struct ContextWindowConfig: Codable, Sendable, Equatable {
    /// Frames per window (the model's frame window).
    public var length: Int = 16
    /// Frames shared by consecutive windows (0 ≤ overlap < length).
    public var overlap: Int = 4
    /// How shared frames are blended.
    public var fusion: ContextFusion = .pyramid
    /// Wrap the windows around the end of the clip so the last frames also blend into the first (looping clips).
    public var closedLoop: Bool = false

    /// Defaults: 16 frames, overlap 4, pyramid fusion, open clip.
    public init() {}

    /// Creates a configuration.
    public init(length: Int, overlap: Int, fusion: ContextFusion = .pyramid, closedLoop: Bool = false) {
        self.length = length
        self.overlap = overlap
        self.fusion = fusion
        self.closedLoop = closedLoop
    }

    /// Checks length and overlap.
    public func validate() throws {
        guard length >= 1 && length <= 4096 else {
            throw SamplingError("context window length must be between 1 and 4096 frames, got \(length)")
        }
        guard overlap >= 0 && overlap < length else {
            throw SamplingError("context overlap must be between 0 and \(length - 1) (less than the window), got \(overlap)")
        }
    }

    /// The windows as lists of clip frame indices. A clip of at most `length` frames is one window.
    public func windows(frameCount: Int) -> [[Int]] {
        guard frameCount > length else { return [Array(0..<max(frameCount, 0))] }
        let stride = max(length - overlap, 1)
        var result: [[Int]] = []
        if closedLoop {
            let count = (frameCount + stride - 1) / stride
            for k in 0..<count {
                result.append((0..<length).map { (k * stride + $0) % frameCount })
            }
        } else {
            var start = 0
            while start + length < frameCount {
                result.append(Array(start..<(start + length)))
                start += stride
            }
            result.append(Array((frameCount - length)..<frameCount))
        }
        return result
    }

    /// Integer fusion weights for a window of `n` frames.
    public func weights(count n: Int) -> [Double] {
        switch fusion {
        case .flat:
            return [Double](repeating: 1, count: n)
        case .pyramid:
            if n % 2 == 0 {
                let half = n / 2
                return (Array(1...max(half, 1)) + Array((1...max(half, 1)).reversed())).prefix(n).map(Double.init)
            }
            let peak = (n + 1) / 2
            return (Array(1..<peak) + [peak] + Array((1..<peak).reversed())).map(Double.init)
        case .triangular:
            return (0..<n).map { Double(min(2 * $0 + 1, 2 * n - 2 * $0 - 1)) }
        }
    }

    /// Runs `predict` on every window and fuses the results per frame.
    /// `predict(frames)` returns one buffer per pass, each `frames.count × elementsPerFrame`; the result has one
    /// `frameCount × elementsPerFrame` buffer per pass.
    public func fuse(frameCount: Int, elementsPerFrame: Int,
                     predict: (_ frames: [Int]) throws -> [[Float]]) throws -> [[Float]] {
        let windows = windows(frameCount: frameCount)
        if windows.count == 1 { return try predict(windows[0]) }
        var sums: [[Double]] = []
        var weightSums = [Double](repeating: 0, count: frameCount)
        for window in windows {
            let outputs = try predict(window)
            if sums.isEmpty {
                sums = Array(repeating: [Double](repeating: 0, count: frameCount * elementsPerFrame), count: outputs.count)
            }
            guard outputs.count == sums.count,
                  outputs.allSatisfy({ $0.count == window.count * elementsPerFrame }) else {
                throw SamplingError("the model returned \(outputs.map(\.count)) values for a window of \(window.count) "
                                    + "frames × \(elementsPerFrame); expected \(window.count * elementsPerFrame) per pass")
            }
            let w = weights(count: window.count)
            for (k, frame) in window.enumerated() {
                weightSums[frame] += w[k]
                for p in outputs.indices {
                    let source = k * elementsPerFrame, target = frame * elementsPerFrame
                    for j in 0..<elementsPerFrame { sums[p][target + j] += w[k] * Double(outputs[p][source + j]) }
                }
            }
        }
        return sums.map { sum in
            var fused = [Float](repeating: 0, count: sum.count)
            for frame in 0..<frameCount where weightSums[frame] > 0 {
                for j in 0..<elementsPerFrame {
                    let index = frame * elementsPerFrame + j
                    fused[index] = Float(sum[index] / weightSums[frame])
                }
            }
            return fused
        }
    }
}
