import Foundation

/// A free list of float buffers keyed by element count, so a warm loop allocates nothing.
///
/// Tensors take their storage from here and give it back when they die. `freshAllocations` counts buffers that
/// had to be allocated from the system: after warm-up a repeated computation must leave it unchanged.
package final class BufferPool: @unchecked Sendable {
    /// The pool every tensor uses.
    package static let shared = BufferPool()

    private let lock = NSLock()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var _freshAllocations = 0
    private var _pooledElements = 0

    /// Most elements kept idle in the pool; buffers returned beyond this are freed (1 G floats = 4 GB).
    package var maximumPooledElements = 1 << 30

    /// Buffers allocated from the system so far (not counting reuse).
    package var freshAllocations: Int { lock.withLock { _freshAllocations } }

    /// Elements currently idle in the pool.
    package var pooledElements: Int { lock.withLock { _pooledElements } }

    /// A buffer of exactly `count` floats (contents undefined), reused when one is free.
    package func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = max(count, 1)
        let reused: UnsafeMutablePointer<Float>? = lock.withLock {
            if var list = free[n], let p = list.popLast() {
                free[n] = list
                _pooledElements -= n
                return p
            }
            _freshAllocations += 1
            return nil
        }
        if let reused { return reused }
        // 64-byte alignment for SIMD loads and BLAS.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: n)
    }

    /// Returns a buffer obtained from `take(count)`.
    package func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let n = max(count, 1)
        let keep: Bool = lock.withLock {
            guard _pooledElements + n <= maximumPooledElements else { return false }
            free[n, default: []].append(pointer)
            _pooledElements += n
            return true
        }
        if !keep { UnsafeMutableRawPointer(pointer).deallocate() }
    }

    /// Frees every idle buffer.
    package func trim() {
        let lists: [[UnsafeMutablePointer<Float>]] = lock.withLock {
            let l = Array(free.values)
            free = [:]
            _pooledElements = 0
            return l
        }
        for list in lists { for p in list { UnsafeMutableRawPointer(p).deallocate() } }
    }
}

/// A pooled float buffer shared by a tensor and its reshaped views.
package final class TensorStorage {
    /// First element.
    package let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    package let count: Int

    /// A buffer of `count` floats from the shared pool, contents undefined.
    package init(count: Int) {
        self.count = count
        self.pointer = BufferPool.shared.take(count)
    }

    deinit { BufferPool.shared.give(pointer, count: count) }
}
