/// A growable byte buffer written through a raw pointer: the encoder reserves the worst case for a band once, then
/// appends without per-byte checks.
struct ByteWriter: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Bytes written so far.
    var count = 0

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes.
    mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let newCapacity = max(capacity * 2, count + extra)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    /// Appends one byte (room must have been reserved).
    @inline(__always)
    mutating func put(_ byte: UInt8) { base[count] = byte; count += 1 }

    /// Appends ASCII text, reserving room.
    mutating func put(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            reserve(utf8.count)
            (base + count).update(from: utf8.baseAddress!, count: utf8.count)
            count += utf8.count
        }
    }

    /// Appends a non-negative decimal number (room for 20 digits must have been reserved).
    @inline(__always)
    mutating func putNumber(_ value: Int) {
        if value < 10 { put(UInt8(48 + value)); return }
        if value < 100 { put(UInt8(48 + value / 10)); put(UInt8(48 + value % 10)); return }
        if value < 1000 {
            put(UInt8(48 + value / 100)); put(UInt8(48 + value / 10 % 10)); put(UInt8(48 + value % 10)); return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0, v = value
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 { d[n] = UInt8(48 + v % 10); v /= 10; n += 1 }
            for i in stride(from: n - 1, through: 0, by: -1) { put(d[i]) }
        }
    }

    /// The bytes written, copied out.
    func bytes() -> [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
