/// Rows of `table` picked by `ids`: `table [V, D]`, ids (count N) → `[N, D]`. Backward scatters into the table.
/// Matches: `torch.nn.functional.embedding`.
public func embeddingLookup(_ table: Tensor, ids: [Int]) -> Tensor {
    let d = table.shape[1], v = table.shape[0]
    let y = Tensor(shape: [ids.count, d])
    for (r, id) in ids.enumerated() {
        precondition(id >= 0 && id < v, "embeddingLookup: id \(id) outside a table of \(v) rows")
        (y.data + r * d).update(from: table.data + id * d, count: d)
    }
    if let tape = table.tape {
        tape.record(y) { gy in
            let g = Tensor.zeros(table.shape)
            for (r, id) in ids.enumerated() { Kernels.addInPlace(g.data + id * d, gy.data + r * d, d) }
            table.accumulateGrad(g, owned: true)
        }
    }
    return y
}
