/// Everything a clip's UNet calls share, computed once per clip: the reference tokens (and the blank reference's, for
/// passes that drop the reference), the guidance residuals of every frame, and each frame's prompt embedding (and the
/// empty prompt's). `unetInputs(for:)` lays out one `ModelBatch` — all guidance passes over a window's frames — as the
/// rows of one UNet call.
///
/// Row layout: pass-major, `rows = passes × frames`; row `p · F + r` is frame `frames[r]` under `conditions[p]`.
/// A pass without `.reference` gets the blank reference's tokens, without `.prompt` the empty prompt, without
/// `.pose` zero guidance residuals.
package struct ClipConditioning {
    /// Reference tokens per spatial-attention level, `[1, L_l, C_l]`.
    package let reference: [Int: Tensor]
    /// The blank (all-zero, i.e. mid-grey) reference's tokens, same levels and shapes.
    package let blankReference: [Int: Tensor]
    /// Guidance residuals per UNet level for every clip frame, `[F, C_l, H_l, W_l]`.
    package let guidance: [Tensor]
    /// Per clip frame: its prompt embedding, `promptLength × promptWidth` values.
    package let framePrompts: [[Float]]
    /// The empty prompt's embedding.
    package let emptyPrompt: [Float]
    /// Frames in the clip.
    package let frameCount: Int
    /// Shape of one prompt embedding, `[promptLength, promptWidth]`.
    package let promptShape: [Int]
    /// Shape of one frame, `[channels, height, width]`.
    package let frameShape: [Int]

    /// The inputs of one UNet call.
    package struct UNetInputs {
        /// Noisy frames `[rows, C, H, W]`.
        package var x: Tensor
        /// One timestep per row.
        package var timesteps: [Float]
        /// Frames per clip in the batch (the temporal layers' group size).
        package var frames: Int
        /// Reference tokens per level, one copy per row.
        package var reference: [Int: Tensor]
        /// Prompt tokens per row.
        package var prompt: Tensor
        /// Guidance residuals per level, per row.
        package var guidance: [Tensor]
    }

    /// Lays out `batch` as one UNet call (see the type's row layout). Throws when the batch does not fit the clip.
    package func unetInputs(for batch: ModelBatch) throws(GenerationError) -> UNetInputs {
        let frames = batch.frames, fw = frames.count, passes = batch.conditions
        let perFrame = frameShape.reduce(1, *)
        guard fw >= 1, frames.allSatisfy({ (0..<frameCount).contains($0) }), batch.input.count == fw * perFrame else {
            throw GenerationError("internal: a model batch of frames \(frames) with \(batch.input.count) values does not fit a clip of \(frameCount) frames × \(perFrame)")
        }
        let rows = passes.count * fw
        // x: the window's frames once per pass.
        let x = Tensor(shape: [rows] + frameShape)
        batch.input.withUnsafeBufferPointer { input in
            guard let base = input.baseAddress else { return }
            for p in 0..<passes.count { (x.data + p * fw * perFrame).update(from: base, count: fw * perFrame) }
        }
        var referenceRows: [Int: Tensor] = [:]
        for (level, tokens) in reference {
            guard let blank = blankReference[level], blank.count == tokens.count else {
                throw GenerationError("internal: no blank reference tokens for level \(level)")
            }
            let per = tokens.count
            let t = Tensor(shape: [rows] + Array(tokens.shape.dropFirst()))
            for (p, pass) in passes.enumerated() {
                let source = pass.contains(.reference) ? tokens : blank
                for r in 0..<fw { (t.data + (p * fw + r) * per).update(from: source.data, count: per) }
            }
            referenceRows[level] = t
        }
        let promptSize = promptShape.reduce(1, *)
        let promptRows = Tensor(shape: [rows] + promptShape)
        for (p, pass) in passes.enumerated() {
            for (r, frame) in frames.enumerated() {
                let embedding = pass.contains(.prompt) ? framePrompts[frame] : emptyPrompt
                guard embedding.count == promptSize else {
                    throw GenerationError("internal: frame \(frame)'s prompt embedding has \(embedding.count) values, expected \(promptSize)")
                }
                embedding.withUnsafeBufferPointer { e in
                    guard let base = e.baseAddress else { return }
                    (promptRows.data + (p * fw + r) * promptSize).update(from: base, count: promptSize)
                }
            }
        }
        var guidanceRows: [Tensor] = []
        for g in guidance {
            let per = g.count / frameCount
            let t = Tensor.zeros([rows] + Array(g.shape.dropFirst()))
            for (p, pass) in passes.enumerated() where pass.contains(.pose) {
                for (r, frame) in frames.enumerated() {
                    (t.data + (p * fw + r) * per).update(from: g.data + frame * per, count: per)
                }
            }
            guidanceRows.append(t)
        }
        return UNetInputs(x: x, timesteps: [Float](repeating: Float(batch.timestep), count: rows), frames: fw,
                          reference: referenceRows, prompt: promptRows, guidance: guidanceRows)
    }
}
