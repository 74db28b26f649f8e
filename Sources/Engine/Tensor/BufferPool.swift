import Foundation

/// A free list of float buffers keyed by element count, so a warm loop allocates nothing.
///
/// Each thread has its own pool (`current`): the engine thread's sampling loop reuses its own buffers, and tests
/// running in parallel do not disturb each other's counts. Tensors take their storage from the current pool and
/// give it back to the same pool when they die (from any thread; the pool is locked). `freshAllocations` counts
/// buffers that had to be allocated from the system: after warm-up a repeated computation leaves it unchanged.
package final class BufferPool: @unchecked Sendable {
    /// The calling thread's pool (created on first use, released when the thread ends and its tensors are gone).
    package static var current: BufferPool {
        if let p = pthread_getspecific(key) { return Unmanaged<BufferPool>.fromOpaque(p).takeUnretainedValue() }
        let pool = BufferPool()
        pthread_setspecific(key, Unmanaged.passRetained(pool).toOpaque())
        return pool
    }

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in
            // Thread exit: drop the thread's reference; live tensors keep the pool alive until they die.
            if let p { Unmanaged<BufferPool>.fromOpaque(p).release() }
        }
        return k
    }()

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

    deinit { trim() }

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

    /// The pool the buffer goes back to.
    private let pool: BufferPool

    /// A buffer of `count` floats from the calling thread's pool, contents undefined.
    package init(count: Int) {
        self.count = count
        self.pool = BufferPool.current
        self.pointer = pool.take(count)
    }

    deinit { pool.give(pointer, count: count) }
}
