import Engine
import Foundation
import Testing

/// Finite-difference checks of every operation's backward pass, at the inputs of the PyTorch fixture cases.
///
/// For the loss `L = Σ y·r` (r = the fixture's upstream gradient) and up to 8 coordinates of each input,
/// `(L(x + h eᵢ) − L(x − h eᵢ)) / 2h` must match the analytic `∂L/∂xᵢ`: a wrong sign or a missing term shows as
/// an error of the order of the gradient itself, far above the tolerance (2 % of the largest gradient entry).
@Suite struct GradientCheckTests {
    static func loss(_ y: Tensor, _ r: Tensor) -> Double {
        var acc = 0.0
        for i in 0..<y.count { acc += Double(y.data[i]) * Double(r.data[i]) }
        return acc
    }

    @Test(arguments: OpParityTests.cases) func finiteDifferences(_ c: OpParityTests.Case) throws {
        let file = try #require(OpParityTests.file)
        var inputs: [String: Tensor] = [:]
        for name in c.inputs { inputs[name] = try file.tensor("\(c.key).in.\(name)") }
        let r = try file.tensor("\(c.key).gy")
        // Analytic gradients.
        let tape = Tape()
        let watched = inputs.mapValues { t -> Tensor in let w = t.copy(); tape.watch(w); return w }
        let y = OpRunner.run(op: c.op, params: c.params, inputs: watched)
        tape.backward(y, seed: Tensor(shape: y.shape, values: r.values))
        for name in c.inputs where name != "mask" {
            let x = inputs[name]!
            let g = try #require(watched[name]?.grad, "\(c.key): no gradient for \(name)")
            let maxG = g.values.map(abs).max() ?? 0
            let h: Float = c.op == "timestep_embedding" ? 2e-2 : 1e-2
            let picks = Set((0..<min(8, x.count)).map { $0 * x.count / min(8, x.count) })
            for i in picks {
                let saved = x.data[i]
                x.data[i] = saved + h
                let plus = Self.loss(OpRunner.run(op: c.op, params: c.params, inputs: inputs), r)
                x.data[i] = saved - h
                let minus = Self.loss(OpRunner.run(op: c.op, params: c.params, inputs: inputs), r)
                x.data[i] = saved
                let fd = Float((plus - minus) / Double(2 * h))
                let tol = 2e-2 * max(maxG, 1e-3) + 1e-2 * abs(g.data[i])
                #expect(abs(fd - g.data[i]) <= tol, "\(c.key) d/d\(name)[\(i)]: finite difference \(fd), analytic \(g.data[i])")
            }
        }
    }
}
