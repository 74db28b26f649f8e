/// A dense float32 tensor: contiguous, row-major, with a shape.
///
/// Images are `[N, C, H, W]`, clips `[N, F, C, H, W]`, token sequences `[N, L, C]`. Storage comes from the
/// `BufferPool`, so a loop that drops its intermediates reuses their memory. A tensor recorded on a `Tape`
/// (`tape != nil`) makes every operation that reads it record a backward step; otherwise nothing is recorded.
/// Tensors are not thread-safe: they live on the engine thread.
public final class Tensor {
    /// Extent of each dimension.
    public let shape: [Int]
    /// Number of elements (product of `shape`).
    public let count: Int
    /// The buffer (shared with reshaped views).
    package let storage: TensorStorage
    /// Gradient of the loss with respect to this tensor, accumulated by `Tape.backward`.
    public var grad: Tensor?
    /// The tape that records operations on this tensor, if any (held weakly: when the tape dies the tensor detaches).
    public internal(set) weak var tape: Tape?
    /// True for tensors the user asked gradients for (`Tape.watch`); their `grad` survives backward.
    package var isWatched = false

    /// An uninitialised tensor of `shape`.
    public init(shape: [Int]) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.storage = TensorStorage(count: count)
    }

    /// A view of `storage` with another shape of the same element count.
    package init(shape: [Int], sharing storage: TensorStorage) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.storage = storage
    }

    /// A tensor of `shape` filled with `values` (row-major); `values.count` must equal the product of `shape`.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "Tensor(shape: \(shape)): expected \(count) values, got \(values.count)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        let t = Tensor(shape: shape)
        t.data.update(repeating: 0, count: t.count)
        return t
    }

    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = Tensor(shape: shape)
        t.data.update(repeating: value, count: t.count)
        return t
    }

    /// First element of the buffer.
    public var data: UnsafeMutablePointer<Float> { storage.pointer }

    /// The elements as a buffer pointer.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: data, count: count) }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// Row-major strides in elements.
    public var strides: [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { s[i] = acc; acc *= shape[i] }
        return s
    }

    /// The elements copied into an array.
    public var values: [Float] { Array(buffer) }

    /// A copy with its own storage, not on any tape.
    public func copy() -> Tensor {
        let t = Tensor(shape: shape)
        t.data.update(from: data, count: count)
        return t
    }

    /// The same values on no tape (shares storage).
    public func detached() -> Tensor { Tensor(shape: shape, sharing: storage) }
}

extension Tensor: CustomStringConvertible {
    /// Shape and the first few values.
    public var description: String {
        let head = buffer.prefix(6).map { String($0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(head)\(count > 6 ? ", …" : "")]"
    }
}
