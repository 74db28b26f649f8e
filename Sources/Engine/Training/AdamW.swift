import Foundation

/// AdamW: Adam with decoupled weight decay.
///
/// Per step t (from 1): `p ← p·(1 − lr·λ)`; `m ← β₁m + (1−β₁)g`; `v ← β₂v + (1−β₂)g²`;
/// `p ← p − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε)`.
/// Matches: `torch.optim.AdamW` (single-tensor path, amsgrad off, maximize off), operation for operation.
public final class AdamW {
    /// Hyper-parameters.
    public struct Configuration: Sendable {
        /// Learning rate (a schedule may overwrite `AdamW.learningRate` each step).
        public var learningRate: Float = 1e-4
        /// β₁.
        public var beta1: Float = 0.9
        /// β₂.
        public var beta2: Float = 0.999
        /// ε.
        public var eps: Float = 1e-8
        /// Decoupled weight decay λ.
        public var weightDecay: Float = 1e-2
        /// Defaults as PyTorch's.
        public init() {}
    }

    /// The tensors updated.
    public let parameters: [Tensor]
    /// Hyper-parameters.
    public var configuration: Configuration
    /// Learning rate used by the next `step()`.
    public var learningRate: Float
    /// Steps taken.
    public private(set) var stepCount = 0
    private var m: [Tensor]
    private var v: [Tensor]

    /// An optimiser for `parameters`, moments zero.
    public init(parameters: [Tensor], configuration: Configuration = Configuration()) {
        self.parameters = parameters
        self.configuration = configuration
        self.learningRate = configuration.learningRate
        m = parameters.map { Tensor.zeros($0.shape) }
        v = parameters.map { Tensor.zeros($0.shape) }
    }

    /// One update from the parameters' accumulated `grad` (parameters without a gradient are left alone).
    public func step() {
        stepCount += 1
        let c = configuration, lr = learningRate
        let bc1 = 1 - pow(c.beta1, Float(stepCount)), bc2Sqrt = (1 - pow(c.beta2, Float(stepCount))).squareRoot()
        let stepSize = lr / bc1
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            let pd = p.data, gd = g.data, md = m[i].data, vd = v[i].data
            let decay = 1 - lr * c.weightDecay
            parallelFor(p.count, costPerItem: 16) { r in
                for j in r {
                    pd[j] *= decay
                    // lerp(m, g, 1 − β₁) = m + (1 − β₁)(g − m)
                    md[j] += (1 - c.beta1) * (gd[j] - md[j])
                    vd[j] = vd[j] * c.beta2 + (1 - c.beta2) * gd[j] * gd[j]
                    let denom = vd[j].squareRoot() / bc2Sqrt + c.eps
                    pd[j] += -stepSize * (md[j] / denom)
                }
            }
        }
    }

    /// The first and second moment estimates, in the order of `parameters` (saved with training state).
    public var moments: (m: [Tensor], v: [Tensor]) { (m, v) }

    /// Restores a saved state: the step count and the moments (copied; shapes must match `parameters`).
    public func restore(stepCount: Int, m: [Tensor], v: [Tensor]) {
        precondition(m.count == parameters.count && v.count == parameters.count, "AdamW.restore: moment count differs")
        self.stepCount = stepCount
        for i in parameters.indices {
            self.m[i].data.update(from: m[i].data, count: parameters[i].count)
            self.v[i].data.update(from: v[i].data, count: parameters[i].count)
        }
    }

    /// Drops every parameter's gradient (call after `step()`, or before accumulating a new batch).
    public func zeroGrad() { for p in parameters { p.grad = nil } }

    /// `x^y` for the bias corrections, in Double then rounded (as PyTorch computes `beta ** step` in Python floats).
    private func pow(_ x: Float, _ y: Float) -> Float { Float(Foundation.pow(Double(x), Double(y))) }
}
