/// Reverse-mode automatic differentiation: a record of backward steps, replayed in reverse by `backward`.
///
/// Usage: `let tape = Tape(); tape.watch(parameters)`; run the forward pass (every operation that reads a
/// watched tensor, or a tensor computed from one, records its backward step here); `tape.backward(loss)`
/// accumulates `grad` into every watched tensor. Gradients add up across tapes until `zeroGrad`, which gives
/// gradient accumulation over micro-batches. Inference mode is simply no tape: nothing is recorded.
public final class Tape {
    private var steps: [Step] = []

    /// One recorded operation: its output and the closure that turns `output.grad` into input gradients.
    private struct Step {
        let output: Tensor
        let backward: (Tensor) -> Void
    }

    /// An empty tape.
    public init() {}

    /// Number of recorded steps.
    public var count: Int { steps.count }

    /// Makes `tensors` require gradients on this tape.
    public func watch(_ tensors: [Tensor]) {
        for t in tensors { t.tape = self; t.isWatched = true }
    }

    /// Makes `tensor` require gradients on this tape.
    public func watch(_ tensor: Tensor) { watch([tensor]) }

    /// Records `output` as computed by an operation whose input gradients `backward(outputGrad)` accumulates.
    package func record(_ output: Tensor, _ backward: @escaping (Tensor) -> Void) {
        output.tape = self
        steps.append(Step(output: output, backward: backward))
    }

    /// Back-propagates from `output` with upstream gradient `seed` (ones when nil; a scalar loss needs none).
    ///
    /// Intermediate gradients are released as soon as they have been used; watched tensors keep theirs.
    /// The tape is emptied: run a new forward pass (on a new tape) before the next backward.
    public func backward(_ output: Tensor, seed: Tensor? = nil) {
        let g = seed ?? Tensor.full(output.shape, 1)
        precondition(g.count == output.count, "Tape.backward: seed has \(g.count) elements, output \(output.count)")
        // The seed is only read, never written, when nothing was computed from `output` (it is the last step and
        // not watched): then it is used as is instead of copied.
        let readOnly = steps.last?.output === output && !output.isWatched && output.grad == nil
        output.accumulateGrad(g, owned: seed == nil || readOnly)
        while let step = steps.popLast() {
            guard let gy = step.output.grad else { continue }
            if !step.output.isWatched { step.output.grad = nil }
            step.backward(gy)
        }
    }
}

extension Tensor {
    /// Adds `g` into `grad`. With `owned` the caller hands over `g`'s buffer (no copy when there is no gradient yet);
    /// otherwise `g` is copied, since it may be shared with another input's gradient.
    package func accumulateGrad(_ g: Tensor, owned: Bool = false) {
        if let existing = grad {
            let dst = existing.data, src = g.data
            for i in 0..<count { dst[i] += src[i] }
        } else if owned {
            grad = g.shape == shape ? g : Tensor(shape: shape, sharing: g.storage)
        } else {
            let c = Tensor(shape: shape)
            c.data.update(from: g.data, count: count)
            grad = c
        }
    }

    /// True when gradients flow into this tensor (it is on a live tape).
    public var requiresGrad: Bool { tape != nil }

    /// Sets every watched gradient to nil.
    public func zeroGrad() { grad = nil }
}

/// The tape shared by `inputs` if any of them is on one (the first found), else nil (inference).
@inline(__always)
package func tapeOf(_ inputs: Tensor?...) -> Tape? {
    for case let t? in inputs { if let tape = t.tape { return tape } }
    return nil
}
